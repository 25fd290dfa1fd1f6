/**
 * Launch a full Chromium (never chrome-headless-shell) as a Playwright Browser.
 *
 * Without userDataDir this is Playwright's own launch. With userDataDir (a profile that must
 * survive a restart: stored BackgroundService events, an unfinished fetch) Playwright's
 * `launch` refuses --user-data-dir and `launchPersistentContext` returns no Browser, so bgprobe
 * starts the process itself with --remote-debugging-port=0 and connects over CDP; `close()`
 * then ends the process too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserType } from 'playwright-core';
import { BgprobeError, BrowserLostError, UnsupportedBrowserError } from '../errors.js';
import { assertNotHeadlessShell, discoverBrowser } from './discover.js';
import { defaultArgs, mergeArgs, playwrightArgs } from './flags.js';
import { bestEffort, debug } from '../util/debug.js';

const log = debug('bgprobe:browsers');

export interface LaunchOptions {
  /** A Chrome/Chromium binary. Default: discovered (BGPROBE_BROWSER, Playwright's, system). */
  executablePath?: string;
  /** Default true (new headless: full Chromium, not the shell). */
  headless?: boolean;
  /** Extra command-line flags, e.g. `--disable-blink-features=BackgroundFetch`. */
  args?: string[];
  /** A profile directory kept across launches (for restart scenarios). */
  userDataDir?: string;
  /** ms to wait for the browser to start. Default 30 s. */
  timeout?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Let Playwright close the browser and exit the process (130) on SIGINT/SIGTERM/SIGHUP.
   * Default true (Playwright's own default). Commands that must write what they have on Ctrl-C
   * (compat) pass false and close the browser themselves.
   */
  handleSignals?: boolean;
}

export interface LaunchedProcess {
  process: ChildProcess | null;
  executablePath: string;
  wsEndpoint: string | null;
  userDataDir: string | null;
}

const launchedInfo = new WeakMap<Browser, LaunchedProcess>();

/** The process behind a browser bgprobe launched (for crash drills and diagnostics). */
export function launchedProcess(browser: Browser): LaunchedProcess | undefined {
  return launchedInfo.get(browser);
}

export async function launch(options: LaunchOptions = {}): Promise<Browser> {
  const { executablePath } = await discoverBrowser(options.executablePath);
  assertNotHeadlessShell(executablePath);
  const args = mergeArgs(defaultArgs(), options.args);
  const headless = options.headless ?? true;
  const timeout = options.timeout ?? 30_000;
  const { chromium } = await import('playwright-core');
  if (!options.userDataDir) {
    const signals = options.handleSignals ?? true;
    const browser = await playwrightLaunch(executablePath, () =>
      chromium.launch({
        executablePath,
        headless,
        args: playwrightArgs(args),
        timeout,
        handleSIGINT: signals,
        handleSIGTERM: signals,
        handleSIGHUP: signals,
        ...(options.env ? { env: options.env } : {}),
      }),
    );
    launchedInfo.set(browser, { process: null, executablePath, wsEndpoint: null, userDataDir: null });
    return browser;
  }
  return launchWithProfile(chromium, executablePath, args, headless, timeout, { ...options, userDataDir: options.userDataDir });
}

/** A browser on a profile that survives close() and a relaunch: bgprobe starts the process itself. */
async function launchWithProfile(
  chromium: BrowserType,
  executablePath: string,
  args: string[],
  headless: boolean,
  timeout: number,
  options: LaunchOptions & { userDataDir: string },
): Promise<Browser> {
  mkdirSync(options.userDataDir, { recursive: true });
  const fullArgs = [
    ...args,
    `--user-data-dir=${options.userDataDir}`,
    '--remote-debugging-port=0',
    ...(headless ? ['--headless'] : []),
    'about:blank',
  ];
  const child = spawn(executablePath, fullArgs, { stdio: ['ignore', 'ignore', 'pipe'], env: options.env ?? process.env });
  // Playwright kills the browsers it launched when Node exits; this one is ours to kill. (A
  // SIGKILLed Node cannot do it: the browser is then left running, as with any spawned child.)
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const wsEndpoint = await waitForDevToolsEndpoint(child, timeout, executablePath);
  let browser: Browser;
  try {
    browser = await chromium.connectOverCDP(wsEndpoint, { timeout });
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  launchedInfo.set(browser, { process: child, executablePath, wsEndpoint, userDataDir: options.userDataDir });
  browser.close = closeByProcess(browser, child);
  return browser;
}

/**
 * Closing must end the process and leave the profile as a user quitting would. SIGTERM is
 * Chromium's graceful shutdown; CDP `Browser.close` is not (a background fetch it interrupts
 * fails after a relaunch: docs/what-chromium-does.md), so it is only Windows' way.
 */
function closeByProcess(browser: Browser, child: ChildProcess): () => Promise<void> {
  const disconnect = browser.close.bind(browser);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (process.platform === 'win32') {
        // The exit is awaited below either way; a refused Browser.close ends in SIGKILL.
        await bestEffort(log, 'Browser.close', () =>
          browser.newBrowserCDPSession().then((s) => Promise.race([s.send('Browser.close'), exited])),
        );
      } else {
        child.kill('SIGTERM');
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    // The process is gone: Playwright's side of the connection may already know it.
    await bestEffort(log, 'disconnect Playwright', disconnect);
  };
}

/** A binary that is not a Chromium (or does not start) is the user's input to fix: say so in one line. */
async function playwrightLaunch(executablePath: string, fn: () => Promise<Browser>): Promise<Browser> {
  try {
    return await fn();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // Started, then ended by a signal (killed, crashed) before Playwright was done with it: a
    // lost browser, as it would be a moment later; not a binary to replace (Playwright's log
    // line: `<process did exit: exitCode=null, signal=SIGKILL>`).
    if (/process did exit: exitCode=null, signal=SIG[A-Z]+/.test(message)) throw new BrowserLostError(null);
    const first = message.split('\n').find((l) => l.trim()) ?? '';
    throw new UnsupportedBrowserError(
      `${executablePath} did not start as a Chromium-based browser (${first.replace(/^browserType\.launch:\s*/, '')}). Pass a Chrome/Chromium binary with --browser or BGPROBE_BROWSER.`,
    );
  }
}

function waitForDevToolsEndpoint(child: ChildProcess, timeout: number, executablePath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new BgprobeError(`${executablePath} did not open its DevTools endpoint within ${timeout} ms.\n${tail(stderr)}`));
    }, timeout);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new BgprobeError(`${executablePath} exited (${signal ?? code}) before it was ready.\n${tail(stderr)}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new BgprobeError(`Could not start ${executablePath}: ${e.message}`));
    });
  });
}

function tail(text: string): string {
  return text.split('\n').slice(-15).join('\n');
}
