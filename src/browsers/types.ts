/**
 * The browser layer's types: one launch interface (BrowserType, as Playwright's) that starts
 * the browser a BrowserSpec names, and one small driver per engine behind one interface
 * (EngineDriver), so the run modes and the scenarios never ask which engine they drive, only
 * what evidence it can give. docs/architecture.md shows where this layer sits.
 *
 * A driver opens pages (each in a context of its own where the engine has contexts), evaluates
 * a function in a page, and closes. The service worker is reached *through the page*: the
 * harness page talks to its worker over a MessageChannel (see `inWorker`), which works the same
 * in every engine, where only Chromium could evaluate in a worker target directly.
 */
import type { Browser } from 'playwright-core';
import type { BrowserKind, EngineName } from '../util/engines.js';

/** The evidence a scenario needs, and an engine provides. */
export const EVIDENCE_KINDS = ['cdp', 'worker-probe', 'page', 'server'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export { ENGINES, type BrowserKind, type EngineName } from '../util/engines.js';

/** What each kind of evidence is, for a not-automatable reason. */
export const EVIDENCE_MEANING: Record<EvidenceKind, string> = {
  cdp: 'the CDP BackgroundService domain',
  'worker-probe': "bgprobe's service-worker probe (CDP instrumentation breakpoints)",
  page: "the harness page's and worker's own records",
  server: "the fixture server's request log",
};

export interface EngineInfo {
  engine: EngineName;
  /** What the report calls it: `Chromium`, `Firefox ESR`, `WebKitGTK`. */
  product: string;
  /** The browser's own version (Chromium 156.0..., Firefox 153.8.0, WebKitGTK 2.50.6). */
  version: string;
  provides: readonly EvidenceKind[];
}

/**
 * A function evaluated in a page: serialised by its source, so it must not close over anything.
 * Its parameters are whatever the call site passes (as JSON): `never[]` accepts any of them.
 */
export type PageFunction<R> = (...args: never[]) => R | Promise<R>;

export interface EnginePage {
  goto(url: string): Promise<void>;
  /** `fn(...args)` in the page; args and the result cross as JSON. A rejection becomes an EngineError. */
  evaluate<R>(fn: PageFunction<R>, ...args: unknown[]): Promise<R>;
  /**
   * WebDriver's Permissions extension for this page's context (testdriver's set_permission):
   * BiDi `permissions.setPermission` or classic `POST /session/{id}/permissions`. Rejects with the
   * driver's own answer when it has no such command or refuses the permission.
   */
  setPermission?(descriptor: { name: string }, state: 'granted' | 'denied' | 'prompt', origin: string): Promise<void>;
  /** How setPermission reaches the browser, for the report: `WebDriver BiDi permissions.setPermission`. */
  readonly permissionsVia?: string;
  close(): Promise<void>;
}

export interface EngineDriver {
  readonly info: EngineInfo;
  /** A Playwright Browser when the engine is driven by Playwright (Chromium): CDP scenarios use it. */
  readonly playwright: Browser | null;
  /** A page in a fresh context (its own service-worker registrations) where the engine has contexts. */
  newPage(): Promise<EnginePage>;
  /** Called once when the browser (or its driver process) goes away without close(); returns an unsubscribe. */
  onDisconnected(listener: () => void): () => void;
  isConnected(): boolean;
  /**
   * Asks where the browser lives whether it is still there, now, and disconnects it if not: for
   * a browser whose end is otherwise learnt late (a Grid session, whose node can die while the
   * hub keeps the se:cdp socket open). Absent: isConnected() is already up to date.
   */
  confirmConnected?(): Promise<boolean>;
  close(): Promise<void>;
}

export interface LaunchEngineOptions {
  /** The browser binary (Firefox) or MiniBrowser (WebKitGTK). */
  executablePath: string;
  args: readonly string[];
  headless: boolean;
  /** An HTTP proxy (`127.0.0.1:port`) for every request: how bgprobe wpt gives these engines the WPT host names. */
  proxy?: string;
  /** Accept the WPT server's self-signed certificate. */
  acceptInsecureCerts?: boolean;
}

/** One browser of a run, as `--browser`/`--browser-args`/`--label` give it (browserSpecs()). */
export interface BrowserSpec {
  label: string;
  kind: BrowserKind;
  target: string | null;
  args: string[];
  /** Which driver runs it: `chromium` (Playwright + CDP), `firefox` (puppeteer-core, BiDi), `webkit` (WebKitWebDriver). Absent: chromium. */
  engine?: EngineName;
  /** A Grid lane's W3C capabilities from the user (`--grid-capabilities`), merged over bgprobe's. */
  capabilities?: Record<string, unknown>;
  /** Where this browser reaches the fixture origin, when not on this machine's 127.0.0.1 (`--fixture-host`): the address to serve on, and https's key and certificate off loopback. */
  fixture?: { host: string; tls: { key: string; cert: string } | null };
}

/** What a BrowserType needs to start one browser besides its spec. */
export interface BrowserLaunchOptions {
  headless: boolean;
  /** Firefox and WebKitGTK: an HTTP proxy (`127.0.0.1:port`) for every request (bgprobe wpt's host names). */
  proxy?: string;
  /** Firefox and WebKitGTK: accept self-signed certificates (the WPT server's). */
  acceptInsecureCerts?: boolean;
  /**
   * A fresh path for the browser's own log, for a caller that reads the log when the browser
   * dies (the slot: its FATAL line goes in the report). A type whose browser cannot log to a
   * file (an endpoint someone else started, Firefox, WebKitGTK) never calls it.
   */
  logFile?: () => string;
  /**
   * A profile directory of the caller's (kept across launches, removed by the caller): wpt runs
   * each test file on a fresh one, restart scenarios launch twice on one. Types whose browsers
   * always start on a profile of their own (Firefox, WebKitGTK: a temporary HOME) ignore it.
   */
  userDataDir?: string;
}

/** A browser a BrowserType started (or connected to). */
export interface LaunchedBrowser {
  driver: EngineDriver;
  /** The binary it runs (restart scenarios launch it again on a profile of their own); null for an endpoint. */
  executablePath: string | null;
  /** Where it logs, when the caller asked for a log and the browser writes one; else null. */
  logFile: string | null;
  /** The Grid node it runs on (its URI); absent for a browser of this machine. */
  node?: string | null;
  /** Starts a browser of this lane on a profile that survives its close() (restart scenarios) where the lane is not a local binary (a Grid). */
  onProfile?: (userDataDir: string) => Promise<Browser>;
}

/**
 * One way to start a browser, as Playwright's BrowserType: local Chromium (Playwright + CDP),
 * a running Chromium's CDP endpoint, Firefox (BiDi), WebKitGTK (WebKitWebDriver). Callers ask
 * `launchBrowser(spec)` (browser-type.ts) and never which engine it is; another place a browser
 * lives (a Selenium Grid) is one more implementation in BROWSER_TYPES.
 */
export interface BrowserType {
  /** For messages: `chromium`, `cdp-endpoint`, `firefox`, `webkit`. */
  readonly name: string;
  /** Whether this type starts the browser `spec` names. */
  handles(spec: BrowserSpec): boolean;
  /** Refuses a spec that cannot work (a path that is not there, chrome-headless-shell) before any browser starts: a typo is exit 2, not a report of errors. */
  check?(spec: BrowserSpec): Promise<void>;
  launch(spec: BrowserSpec, options: BrowserLaunchOptions): Promise<LaunchedBrowser>;
}

/** A browser of a run as the run modes and the scenarios hold it: its spec's fields, its driver, its version. */
export interface BrowserUnderTest {
  /** Unique in a run: the report's column. */
  label: string;
  kind: BrowserKind;
  /** The path, channel or endpoint given; null for the discovered default. */
  target: string | null;
  args: string[];
  /** The lane's driver: every engine has one (pages, evaluation, the evidence it can give). */
  engine: EngineDriver;
  /** The Playwright Browser of a Chromium lane (CDP scenarios); null for Firefox and WebKitGTK. */
  browser: Browser | null;
  /** The browser's version, e.g. 150.0.7871.100. */
  version: string;
  /** A binary bgprobe may launch again on a profile of its own (restart scenarios); null for endpoints. */
  executablePath: string | null;
  /** The Grid node it runs on (its URI); absent for a browser of this machine. */
  node?: string | null;
  /** Starts a browser of this lane on a profile that survives its close(), where there is no local binary to launch (a Grid); absent elsewhere. */
  onProfile?: (userDataDir: string) => Promise<Browser>;
}
