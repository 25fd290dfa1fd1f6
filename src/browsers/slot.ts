/**
 * The crash-retrying slot: one browser of a run (any BrowserSpec: a path, a Playwright channel,
 * a CDP endpoint, the discovered local Chromium, a Firefox or WebKitGTK lane), launched lazily
 * through launchBrowser() and again after a crash or a hang, so one bad scenario costs one
 * verdict. Its bookkeeping is keyed by the lane's EngineDriver, the one handle every engine has.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from './browser-type.js';
import type { BrowserSpec, BrowserUnderTest, EngineDriver } from './types.js';
import { withDeadline } from '../util/deadline.js';

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
    const n = this.launches;
    const logFile = () => {
      this.logDir ??= mkdtempSync(join(tmpdir(), 'bgprobe-browser-log-'));
      return join(this.logDir, `launch-${n}.log`);
    };
    const launched = await launchBrowser(this.spec, { headless: this.headless, logFile });
    if (launched.logFile) this.logOf.set(launched.driver, launched.logFile);
    return this.adopt(launched.driver, launched.logFile, launched.executablePath);
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
    return {
      label: spec.label,
      kind: spec.kind,
      target: spec.target,
      args: spec.args,
      engine: driver,
      browser: driver.playwright,
      version: this.version,
      executablePath,
    };
  }
}
