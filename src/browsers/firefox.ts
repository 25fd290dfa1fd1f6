/**
 * Firefox (ESR) over WebDriver BiDi with puppeteer-core: no geckodriver, nothing downloaded.
 * puppeteer-core 24 (25 needs Node 22). Each page gets a user context of its own (BiDi's
 * browser contexts), so scenarios in parallel do not share service-worker registrations.
 */
import type { Browser as PuppeteerBrowser, BrowserContext, Page } from 'puppeteer-core';
import { EngineError } from '../errors.js';
import { bestEffort, debug } from '../util/debug.js';
import { tempHome } from './home.js';
import { driverType } from './driver-type.js';
import type { BrowserType, EngineDriver, EngineInfo, EnginePage, LaunchEngineOptions, PageFunction } from './types.js';

const log = debug('bgprobe:engines');

/** Every request through `host:port` (loopback included, no exceptions), and service workers on its https origins. */
function proxyPrefs(proxy: string): Record<string, string | number | boolean> {
  const [host, port] = proxy.split(':');
  return {
    'network.proxy.type': 1,
    'network.proxy.http': host,
    'network.proxy.http_port': Number(port),
    'network.proxy.ssl': host,
    'network.proxy.ssl_port': Number(port),
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    // A page whose certificate is accepted only by acceptInsecureCerts may register a service worker.
    'dom.serviceWorkers.testing.enabled': true,
  };
}

class FirefoxPage implements EnginePage {
  constructor(
    private readonly context: BrowserContext,
    private readonly page: Page,
  ) {}

  async goto(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'load' });
  }

  async evaluate<R>(fn: PageFunction<R>, ...args: unknown[]): Promise<R> {
    try {
      return await this.page.evaluate(fn as (...a: unknown[]) => R, ...args);
    } catch (e) {
      throw new EngineError(`Firefox: evaluating in the page failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  readonly permissionsVia = 'WebDriver BiDi permissions.setPermission';

  async setPermission(descriptor: { name: string }, state: 'granted' | 'denied' | 'prompt', origin: string): Promise<void> {
    await this.context.setPermission(origin, { permission: { name: descriptor.name }, state });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

export class FirefoxDriver implements EngineDriver {
  readonly playwright = null;
  private closing = false;

  private constructor(
    private readonly browser: PuppeteerBrowser,
    readonly info: EngineInfo,
    private readonly removeHome: () => void,
  ) {}

  static async launch(options: LaunchEngineOptions): Promise<FirefoxDriver> {
    const home = tempHome('firefox');
    const { default: puppeteer } = await import('puppeteer-core');
    let browser: PuppeteerBrowser;
    try {
      browser = await puppeteer.launch({
        browser: 'firefox',
        executablePath: options.executablePath,
        headless: options.headless,
        args: [...options.args],
        env: home.env,
        ...(options.acceptInsecureCerts ? { acceptInsecureCerts: true } : {}),
        ...(options.proxy ? { extraPrefsFirefox: proxyPrefs(options.proxy) } : {}),
        // Ctrl-C is bgprobe's to handle (it writes the report of what finished).
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (e) {
      home.remove();
      throw new EngineError(
        `Firefox (${options.executablePath}) did not start over WebDriver BiDi: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    // "firefox/153.8.0"
    const version = (await browser.version()).replace(/^[^/]*\//, '');
    const product = /esr/i.test(options.executablePath) ? 'Firefox ESR' : 'Firefox';
    return new FirefoxDriver(browser, { engine: 'firefox', product, version, provides: ['page', 'server'] }, () => home.remove());
  }

  async newPage(): Promise<EnginePage> {
    const context = await this.browser.createBrowserContext();
    try {
      return new FirefoxPage(context, await context.newPage());
    } catch (e) {
      await bestEffort(log, 'closing a Firefox context whose page did not open', () => context.close());
      throw e;
    }
  }

  onDisconnected(listener: () => void): () => void {
    const on = () => {
      if (!this.closing) listener();
    };
    this.browser.on('disconnected', on);
    return () => this.browser.off('disconnected', on);
  }

  isConnected(): boolean {
    return this.browser.connected;
  }

  async close(): Promise<void> {
    this.closing = true;
    try {
      await this.browser.close();
    } finally {
      this.removeHome();
    }
  }
}

/** `--browser firefox` or a Firefox binary: Firefox over WebDriver BiDi. */
export const firefoxType: BrowserType = driverType('firefox', (options) => FirefoxDriver.launch(options));
