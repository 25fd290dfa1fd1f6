/**
 * The names every layer shares for the browsers bgprobe drives: the engines (the BCD browser
 * each is held against, the report's column, the driver that runs it) and how a `--browser`
 * value names its browser. A leaf, so the report format, the BCD data and the browser layer
 * declare them once.
 */

export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
/** `chromium` (Playwright + CDP), `firefox` (puppeteer-core, WebDriver BiDi), `webkit` (WebKitWebDriver). */
export type EngineName = (typeof ENGINES)[number];

/** How a run names its browser: the discovered default, a binary, a Playwright channel, a running browser's CDP endpoint (`--browser`), or a Selenium Grid (`--grid`). */
export type BrowserKind = 'default' | 'path' | 'channel' | 'endpoint' | 'grid';
