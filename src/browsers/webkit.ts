/**
 * WebKitGTK: MiniBrowser driven by WebKitWebDriver through selenium-webdriver's `usingServer`
 * (which never runs selenium-manager, so nothing is downloaded), under an Xvfb of bgprobe's own.
 *
 * One WebDriver session drives one MiniBrowser with one window, and a WebDriver session runs
 * one command at a time: pages are handed out one after the other (the next newPage() waits
 * for the previous page's close()). Each scenario has its own fixture origin, so its service
 * worker registrations are its own even in the shared profile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { WebDriver } from 'selenium-webdriver';
import { EngineError } from '../errors.js';
import { bestEffort, debug } from '../util/debug.js';
import { tempHome, type TempHome } from './home.js';
import { webkitHelpers } from './installed.js';
import { startXvfb, type Xvfb } from './xvfb.js';
import { driverType } from './driver-type.js';
import type { BrowserType, EngineDriver, EngineInfo, EnginePage, LaunchEngineOptions, PageFunction } from './types.js';

const log = debug('bgprobe:engines');

/** Runs `fn` with JSON args and answers JSON: WebDriver's own serialisation drops undefined and mangles errors. */
const ASYNC_WRAPPER = `
const done = arguments[arguments.length - 1];
const args = JSON.parse(arguments[0]);
Promise.resolve().then(() => (FN)(...args)).then(
  (value) => done(JSON.stringify({ ok: true, value: value === undefined ? null : value })),
  (e) => done(JSON.stringify({ ok: false, name: (e && e.name) || 'Error', message: String(e && e.message !== undefined ? e.message : e) })));`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

class WebKitPage implements EnginePage {
  private closed = false;
  constructor(
    private readonly session: WebDriver,
    private readonly release: () => void,
    private readonly driverUrl: string,
  ) {}

  async goto(url: string): Promise<void> {
    await this.session.get(url);
  }

  async evaluate<R>(fn: PageFunction<R>, ...args: unknown[]): Promise<R> {
    let text: unknown;
    try {
      text = await this.session.executeAsyncScript(
        ASYNC_WRAPPER.replace('FN', () => fn.toString()),
        JSON.stringify(args),
      );
    } catch (e) {
      throw new EngineError(`WebKitGTK: evaluating in the page failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const r = JSON.parse(String(text)) as { ok: true; value: R } | { ok: false; name: string; message: string };
    if (!r.ok) throw new EngineError(`WebKitGTK: the page threw ${r.name}: ${r.message}`);
    return r.value;
  }

  readonly permissionsVia = 'WebDriver POST /session/{id}/permissions';

  /** WebDriver's Permissions extension, sent as is: the driver's answer (an unknown command, a refusal) is the error. */
  async setPermission(descriptor: { name: string }, state: 'granted' | 'denied' | 'prompt'): Promise<void> {
    const sessionId = (await this.session.getSession()).getId();
    const res = await fetch(`${this.driverUrl}/session/${sessionId}/permissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ descriptor, state }),
    });
    if (res.ok) return;
    const body = (await res.json().catch(() => null)) as { value?: { error?: string; message?: string } } | null;
    throw new EngineError(
      `WebKitWebDriver answered POST /session/{id}/permissions with HTTP ${res.status} ${body?.value?.error ?? ''}${body?.value?.message ? `: ${body.value.message}` : ''}`.trim(),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.session.get('about:blank');
    } finally {
      this.release();
    }
  }
}

export class WebKitDriver implements EngineDriver {
  readonly playwright = null;
  private closing = false;
  private turn: Promise<void> = Promise.resolve();

  private constructor(
    private readonly session: WebDriver,
    private readonly driverProcess: ChildProcess,
    private readonly xvfb: Xvfb,
    private readonly home: TempHome,
    readonly info: EngineInfo,
    private readonly driverUrl: string,
  ) {}

  static async launch(options: LaunchEngineOptions): Promise<WebKitDriver> {
    const { driver, xvfb: xvfbBinary } = webkitHelpers();
    if (!driver || !xvfbBinary)
      throw new EngineError('WebKitGTK needs WebKitWebDriver and Xvfb: apt-get install -y webkit2gtk-driver xvfb');
    const home = tempHome('webkit');
    let xvfb: Xvfb | null = null;
    let child: ChildProcess | null = null;
    try {
      xvfb = await startXvfb(xvfbBinary);
      const env = { ...home.env, DISPLAY: xvfb.display };
      const port = await freePort();
      child = spawn(driver, [`--port=${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      const url = await waitForDriver(child, port);
      const { Builder } = await import('selenium-webdriver');
      const session = await new Builder()
        .usingServer(url)
        .withCapabilities({
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': {
            binary: options.executablePath,
            args: [
              '--automation',
              ...(options.proxy ? [`--proxy=http://${options.proxy}`] : []),
              ...(options.acceptInsecureCerts ? ['--ignore-tls-errors'] : []),
              ...options.args,
            ],
          },
          ...(options.acceptInsecureCerts ? { acceptInsecureCerts: true } : {}),
        })
        .build();
      await session.manage().setTimeouts({ script: 120_000, pageLoad: 30_000 });
      const caps = await session.getCapabilities();
      const version = String(caps.get('browserVersion') ?? caps.getBrowserVersion() ?? 'unknown');
      return new WebKitDriver(
        session,
        child,
        xvfb,
        home,
        { engine: 'webkit', product: 'WebKitGTK', version, provides: ['page', 'server'] },
        url,
      );
    } catch (e) {
      child?.kill('SIGKILL');
      xvfb?.stop();
      home.remove();
      throw new EngineError(
        `WebKitGTK (${options.executablePath}) did not start through WebKitWebDriver: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  async newPage(): Promise<EnginePage> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = this.turn;
    this.turn = previous.then(() => mine);
    await previous;
    return new WebKitPage(this.session, release, this.driverUrl);
  }

  onDisconnected(listener: () => void): () => void {
    const on = () => {
      if (!this.closing) listener();
    };
    this.driverProcess.on('exit', on);
    this.xvfb.process.on('exit', on);
    return () => {
      this.driverProcess.off('exit', on);
      this.xvfb.process.off('exit', on);
    };
  }

  isConnected(): boolean {
    return this.driverProcess.exitCode === null && this.xvfb.process.exitCode === null;
  }

  async close(): Promise<void> {
    this.closing = true;
    try {
      await bestEffort(log, 'WebDriver quit()', () => this.session.quit());
    } finally {
      this.driverProcess.kill('SIGTERM');
      this.xvfb.stop();
      this.home.remove();
    }
  }
}

/** The driver's URL once `/status` answers; an EngineError when it exits first or takes over 10 s. */
async function waitForDriver(child: ChildProcess, port: number): Promise<string> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (child.exitCode !== null)
      throw new EngineError(`WebKitWebDriver exited with code ${child.exitCode}: ${stderr.trim() || 'no output'}`);
    try {
      const res = await fetch(`${url}/status`);
      if (res.ok) return url;
    } catch {
      // not listening yet: the loop's deadline decides
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new EngineError(`WebKitWebDriver did not answer on port ${port} within 10 s: ${stderr.trim() || 'no output'}`);
}

/** `--browser webkit` or MiniBrowser: WebKitGTK through WebKitWebDriver, under an Xvfb of its own. */
export const webkitType: BrowserType = driverType('webkit', (options) => WebKitDriver.launch(options));
