/**
 * Chromium: two BrowserTypes (a local Chromium launched through Playwright: discovered, a path
 * or a channel; and a running Chromium's CDP endpoint) and the one driver both give, a
 * Playwright Browser with CDP. Its pages live in fresh BrowserContexts; scenarios that need CDP
 * use `playwright` directly.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { EngineError } from '../errors.js';
import { connect } from './connect.js';
import { assertNotHeadlessShell, discoverBrowser } from './discover.js';
import { defaultArgs, mergeArgs, playwrightArgs } from './flags.js';
import { launch } from './launch.js';
import type { BrowserSpec, BrowserType, EngineDriver, EngineInfo, EnginePage, LaunchedBrowser, PageFunction } from './types.js';

class ChromiumPage implements EnginePage {
  constructor(
    private readonly context: BrowserContext,
    private readonly page: Page,
  ) {}

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async evaluate<R>(fn: PageFunction<R>, ...args: unknown[]): Promise<R> {
    // An expression, so the function gets its arguments spread (Playwright passes one).
    try {
      return await this.page.evaluate(`(${fn.toString()})(...${JSON.stringify(args)})`);
    } catch (e) {
      throw new EngineError(`Chromium: evaluating in the page failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

export class ChromiumDriver implements EngineDriver {
  readonly info: EngineInfo;
  readonly confirmConnected?: () => Promise<boolean>;
  private closing = false;

  constructor(
    readonly playwright: Browser,
    /** Closes what bgprobe opened: the browser it launched, or its connection to an endpoint. */
    private readonly closeFn: () => Promise<void>,
    /** A Grid session's check that it still runs (GridBrowser.confirm); absent for a browser of this machine. */
    confirm?: () => Promise<boolean>,
  ) {
    if (confirm) this.confirmConnected = confirm;
    this.info = {
      engine: 'chromium',
      product: 'Chromium',
      version: playwright.version(),
      provides: ['cdp', 'worker-probe', 'page', 'server'],
    };
  }

  async newPage(): Promise<EnginePage> {
    const context = await this.playwright.newContext();
    return new ChromiumPage(context, await context.newPage());
  }

  onDisconnected(listener: () => void): () => void {
    const on = () => {
      if (!this.closing) listener();
    };
    this.playwright.on('disconnected', on);
    return () => this.playwright.off('disconnected', on);
  }

  isConnected(): boolean {
    return this.playwright.isConnected();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.closeFn();
  }
}

const isChromium = (spec: BrowserSpec) => (spec.engine ?? 'chromium') === 'chromium';

/** The user's own logging flags win: then the browser's log is theirs, and no last words are read. */
const logsElsewhere = (args: readonly string[]) => args.some((a) => /^--(enable-logging|log-file)(=|$)/.test(a));

/** A running Chromium's CDP endpoint (`--browser http://127.0.0.1:9222`): only the connection is bgprobe's. */
export const cdpEndpointType: BrowserType = {
  name: 'cdp-endpoint',
  handles: (spec) => isChromium(spec) && spec.kind === 'endpoint',
  async launch(spec): Promise<LaunchedBrowser> {
    const connected = await connect({ endpoint: spec.target! });
    const browser = await connected.playwright();
    // The browser someone else started keeps running: close() ends the connection only.
    return { driver: new ChromiumDriver(browser, () => connected.close()), executablePath: null, logFile: null };
  },
};

/**
 * A local Chromium: the discovered one, a binary, or a Playwright channel. A browser bgprobe
 * starts writes its log to a file when asked (Playwright keeps its stderr to itself): when it
 * dies, the FATAL line there says why.
 */
export const chromiumType: BrowserType = {
  name: 'chromium',
  handles: (spec) => isChromium(spec) && spec.kind !== 'endpoint' && spec.kind !== 'grid',
  async check(spec) {
    if (spec.kind === 'default' || spec.kind === 'path')
      assertNotHeadlessShell((await discoverBrowser(spec.target ?? undefined)).executablePath);
  },
  async launch(spec, options): Promise<LaunchedBrowser> {
    const logFile = options.logFile && !logsElsewhere(spec.args) ? options.logFile() : null;
    const args = logFile ? [...spec.args, '--enable-logging', `--log-file=${logFile}`] : [...spec.args];
    let browser: Browser;
    let executablePath: string | null = null;
    if (spec.kind === 'channel') {
      if (options.userDataDir)
        throw new EngineError(`${spec.label}: a Playwright channel cannot be launched on a profile directory; give the browser's path.`);
      const { chromium } = await import('playwright-core');
      // Ctrl-C is bgprobe's to handle (write the report of what finished), not Playwright's.
      browser = await chromium.launch({
        channel: spec.target!,
        headless: options.headless,
        args: playwrightArgs(mergeArgs(defaultArgs(), args)),
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } else {
      executablePath = (await discoverBrowser(spec.target ?? undefined)).executablePath;
      browser = await launch({
        executablePath,
        headless: options.headless,
        args,
        handleSignals: false,
        ...(options.userDataDir ? { userDataDir: options.userDataDir } : {}),
      });
    }
    return { driver: new ChromiumDriver(browser, () => browser.close()), executablePath, logFile };
  },
};
