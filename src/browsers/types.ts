/**
 * The engines layer: one small driver per engine behind one interface, so the runner and the
 * scenarios never ask which engine they drive, only what evidence it can give.
 *
 * A driver opens pages (each in a context of its own where the engine has contexts), evaluates
 * a function in a page, and closes. The service worker is reached *through the page*: the
 * harness page talks to its worker over a MessageChannel (see `inWorker`), which works the same
 * in every engine, where only Chromium could evaluate in a worker target directly.
 */
import type { Browser } from 'playwright-core';

/** The evidence a scenario needs, and an engine provides. */
export const EVIDENCE_KINDS = ['cdp', 'worker-probe', 'page', 'server'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
export type EngineName = (typeof ENGINES)[number];

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
  close(): Promise<void>;
}

export interface LaunchEngineOptions {
  /** The browser binary (Firefox) or MiniBrowser (WebKitGTK). */
  executablePath: string;
  args: readonly string[];
  headless: boolean;
}
