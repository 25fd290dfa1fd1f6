/**
 * The browsers a compat run compares: a path, a Playwright channel, a CDP endpoint, the
 * discovered local Chromium, or a Firefox / WebKitGTK lane (engines/), each with its own flags
 * and label. A BrowserSlot launches its browser lazily and again after a crash or a hang, so
 * one bad scenario costs one verdict. Its bookkeeping is keyed by the lane's EngineDriver, the
 * one handle every engine has.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { connect } from './connect.js';
import { ChromiumDriver } from './chromium.js';
import { launchEngine } from './browser-type.js';
import type { EngineDriver } from './types.js';
import { discoverBrowser } from './discover.js';
import { defaultArgs, mergeArgs } from './flags.js';
import { launch } from './launch.js';
import type { BrowserSpec } from './spec.js';
import { withDeadline, type BrowserUnderTest } from '../scenarios/context.js';

export { browserSpecs, classifyBrowser, splitArgs, CHANNELS, type BrowserKind, type BrowserSpec } from './spec.js';

/** An end of the browser that bgprobe did not ask for (a crash, a kill), for the report. */
export interface BrowserCrash {
  /** ms since the epoch. */
  at: number;
  /** The FATAL line of the browser's log, e.g. `FATAL base/...cc:821: Detected dangling raw_ptr...`; null when it left none (SIGKILL, or no log). */
  lastWords: string | null;
}

/** Bytes `from` to `to` (default: the end) of a file, as text; null when it cannot be read. */
function readText(file: string, from: number, to?: number): string | null {
  try {
    const end = to ?? statSync(file).size;
    const buf = Buffer.alloc(Math.max(0, end - from));
    const fd = openSync(file, 'r');
    try {
      const n = readSync(fd, buf, 0, buf.length, from);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/**
 * The FATAL lines (`[pid:tid:time:FATAL:file.cc:123] message`) of a Chromium log from byte
 * `from` on, as `FATAL file.cc:123: message`; only process `pid`'s when given.
 */
export function fatalLinesIn(logFile: string, from = 0, pid?: string): string[] {
  const text = readText(logFile, from) ?? '';
  return [...text.matchAll(/^\[(\d+)?[^\]\n]*:FATAL:([^\]\n]+)\] ?(.*)$/gm)]
    .filter((m) => pid === undefined || m[1] === pid)
    .map((m) => `FATAL ${m[2]}: ${m[3].trim()}`);
}

/**
 * The last FATAL line the browser process itself wrote (from the log's last 64 KiB): renderers
 * log to the same file, and a renderer's old CHECK is not why the browser ended. The browser's
 * pid is the one on the log's first line (it starts logging before any child exists).
 */
export function lastWordsIn(logFile: string): string | null {
  const size = statSync(logFile, { throwIfNoEntry: false })?.size ?? 0;
  const pid = /^\[(\d+):/.exec(readText(logFile, 0, Math.min(size, 256)) ?? '')?.[1];
  return fatalLinesIn(logFile, Math.max(0, size - 64 * 1024), pid).pop() ?? null;
}

/** The user's own logging flags win: then the browser's log is theirs, and no last words are read. */
const logsElsewhere = (args: readonly string[]) => args.some((a) => /^--(enable-logging|log-file)(=|$)/.test(a));

export class BrowserSlot {
  private current: Promise<BrowserUnderTest> | null = null;
  /** The browser `current` resolved to; null once it is dropped (so its late events are ignored). */
  private live: EngineDriver | null = null;
  /** The `current` that crashed, hung or disconnected: the next get() replaces that one only. */
  private broken: Promise<BrowserUnderTest> | null = null;
  /** The browser's version once launched (for the report, even if it later crashed). */
  version: string | null = null;
  launches = 0;
  /** Every end of a live browser that the slot did not ask for, in order. */
  readonly crashes: BrowserCrash[] = [];
  private readonly crashOf = new WeakMap<EngineDriver, BrowserCrash>();
  private readonly logOf = new WeakMap<EngineDriver, string>();
  /** Where launched browsers write their logs (`--log-file`), one file per launch. */
  private logDir: string | null = null;

  constructor(
    readonly spec: BrowserSpec,
    private readonly headless: boolean,
  ) {}

  /** A browser that never started once is not retried for every scenario. */
  private firstLaunchError: Error | null = null;
  private started = false;
  /** Why the last launch that failed failed (for the report's browser line); null when none did. */
  launchError: Error | null = null;

  /** The browser, launched on first use and again after it broke. */
  async get(): Promise<BrowserUnderTest> {
    if (this.firstLaunchError && !this.started) throw this.firstLaunchError;
    const seen = this.current;
    if (seen) {
      // A launch that failed was kept in launchError when it failed; here it only means "no browser".
      const known = await seen.catch(() => null);
      // A browser that died a moment ago may not have emitted 'disconnected' to markBroken() yet.
      // Judged only if `seen` is still the slot's browser: scenarios ask side by side after a
      // crash, and one that waited here must not condemn the fresh browser another just started.
      if (this.current === seen && (this.broken === seen || !known?.engine.isConnected())) {
        this.live = null;
        this.broken = null;
        // Every caller waits on this one replacement: the old browser closed, then one launch.
        this.current = this.dispose(seen).then(() => this.launch());
      }
    }
    this.current ??= this.launch();
    const p = this.current;
    try {
      const b = await p;
      this.started = true;
      return b;
    } catch (e) {
      if (this.current === p) this.current = null;
      this.launchError = e instanceof Error ? e : new Error(String(e));
      if (!this.started) this.firstLaunchError = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
  }

  /**
   * `browser` crashed, hung or disconnected: the next `get()` starts a fresh one, unless the
   * slot has moved on to another browser already (a late verdict on an old one is no news).
   */
  markBroken(engine: EngineDriver): void {
    if (this.live === engine) this.broken = this.current;
  }

  /** Where `browser`'s log ends now: give it to fatalSince() to read what the browser logs after. */
  logMark(engine: EngineDriver): number {
    const file = this.logOf.get(engine);
    return file ? (statSync(file, { throwIfNoEntry: false })?.size ?? 0) : 0;
  }

  /** FATAL lines `browser` (its browser process or any renderer) logged since `mark`. */
  fatalSince(engine: EngineDriver, mark: number): string[] {
    const file = this.logOf.get(engine);
    return file ? fatalLinesIn(file, mark) : [];
  }

  /** How `browser` ended, when it ended on its own (a crash or a kill); undefined otherwise. */
  crash(engine: EngineDriver): BrowserCrash | undefined {
    return this.crashOf.get(engine);
  }

  async close(): Promise<void> {
    const p = this.current;
    this.current = null;
    this.live = null;
    if (p) await this.dispose(p);
    if (this.logDir) rmSync(this.logDir, { recursive: true, force: true });
    this.logDir = null;
  }

  private async dispose(p: Promise<BrowserUnderTest>): Promise<void> {
    // A launch that failed was kept in launchError when it failed: nothing to close.
    const b = await p.catch(() => null);
    if (!b) return;
    // Silent on purpose: the browser being closed is the one that crashed or hung.
    await withDeadline(b.engine.close(), 15_000, 'browser.close()').catch(() => undefined);
  }

  private async launch(): Promise<BrowserUnderTest> {
    this.launches++;
    const { spec } = this;
    const engine = spec.engine ?? 'chromium';
    if (engine !== 'chromium') {
      const driver = await launchEngine(engine, { executablePath: spec.target!, args: spec.args, headless: this.headless });
      return this.adopt(driver, null, spec.target);
    }
    return this.launchChromium();
  }

  private async launchChromium(): Promise<BrowserUnderTest> {
    const { spec } = this;
    let browser: Browser;
    let executablePath: string | null = null;
    // A browser bgprobe starts writes its log to a file (Playwright keeps its stderr to
    // itself): when it dies, the FATAL line there says why, in the report.
    let logFile: string | null = null;
    const args = [...spec.args];
    if (spec.kind !== 'endpoint' && !logsElsewhere(spec.args)) {
      this.logDir ??= mkdtempSync(join(tmpdir(), 'bgprobe-browser-log-'));
      logFile = join(this.logDir, `launch-${this.launches}.log`);
      args.push('--enable-logging', `--log-file=${logFile}`);
    }
    let close: () => Promise<void>;
    if (spec.kind === 'endpoint') {
      const connected = await connect({ endpoint: spec.target! });
      browser = await connected.playwright();
      // Only the connection is bgprobe's: the browser someone else started keeps running.
      close = () => connected.close();
    } else if (spec.kind === 'channel') {
      const { chromium } = await import('playwright-core');
      // Ctrl-C is bgprobe's to handle (write the report of what finished), not Playwright's.
      browser = await chromium.launch({ channel: spec.target!, headless: this.headless, args: mergeArgs(defaultArgs(), args), handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
      close = () => browser.close();
    } else {
      executablePath = (await discoverBrowser(spec.target ?? undefined)).executablePath;
      browser = await launch({ executablePath, headless: this.headless, args, handleSignals: false });
      close = () => browser.close();
    }
    const driver = new ChromiumDriver(browser, close);
    if (logFile) this.logOf.set(driver, logFile);
    return this.adopt(driver, logFile, executablePath);
  }

  /**
   * The slot's live lane from now on. Only the live lane's end matters: an old one, dropped by
   * get() and still closing (a slow close), disconnects after the slot was reset, and marking
   * the slot then would make the next get() kill the fresh browser while other scenarios use
   * it. This listener comes before any scenario's, so crash() answers inside theirs.
   */
  private adopt(driver: EngineDriver, logFile: string | null, executablePath: string | null): BrowserUnderTest {
    const { spec } = this;
    driver.onDisconnected(() => {
      if (this.live !== driver) return;
      this.markBroken(driver);
      const crash = { at: Date.now(), lastWords: logFile ? lastWordsIn(logFile) : null };
      this.crashes.push(crash);
      this.crashOf.set(driver, crash);
    });
    this.live = driver;
    this.version = driver.info.version;
    return { label: spec.label, kind: spec.kind, target: spec.target, args: spec.args, engine: driver, browser: driver.playwright, version: this.version, executablePath };
  }
}
