/**
 * Chromium: the Playwright Browser bgprobe launched or connected to (browsers/), with CDP. Its
 * pages live in fresh BrowserContexts; scenarios that need CDP use `playwright` directly.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { EngineError } from '../errors.js';
import type { EngineDriver, EngineInfo, EnginePage, PageFunction } from './types.js';

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
      return (await this.page.evaluate(`(${fn.toString()})(...${JSON.stringify(args)})`));
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
  private closing = false;

  constructor(
    readonly playwright: Browser,
    /** Closes what bgprobe opened: the browser it launched, or its connection to an endpoint. */
    private readonly closeFn: () => Promise<void>,
  ) {
    this.info = { engine: 'chromium', product: 'Chromium', version: playwright.version(), provides: ['cdp', 'worker-probe', 'page', 'server'] };
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
