/**
 * `bgprobe audit`'s one resolved config: every default in one place, applied once by
 * resolveAuditConfig (as compat's resolveCompatConfig). Times are in ms, as everywhere in the
 * library; the CLI takes seconds and converts.
 */
import type { BrowserSpec } from '../browsers/types.js';
import type { Severity } from '../findings/index.js';

/** Seconds for each selector and for every fetch to settle, unless told otherwise (`--timeout`). */
export const DEFAULT_AUDIT_TIMEOUT_S = 60;
/** Re-runs of an audit whose browser was lost, unless told otherwise (`--retries`). */
export const DEFAULT_AUDIT_RETRIES = 1;
export const AUDIT_FAIL_ON = ['error', 'warning', 'info'] as const satisfies readonly Severity[];
export const DEFAULT_AUDIT_FAIL_ON: Severity = 'error';

export interface AuditConfig {
  /** The app's page; null only with `endpoint` (then every origin counts). */
  url: string | null;
  /** Selectors clicked in order once the page is open (Playwright selectors). */
  clicks: string[];
  /** Absolute path of a .js/.mjs module whose default export is given the Playwright page. */
  script: string | null;
  /** ms to wait for the page, for each selector, and for every fetch to settle. */
  timeout: number;
  headless: boolean;
  /** A running Chrome's CDP endpoint to watch instead of opening one (the person drives it). */
  endpoint: string | null;
  /** ms to watch an endpoint; null: until `signal` aborts or the browser goes. */
  duration: number | null;
  /** The severity that makes a fetch's verdict `deviates` in the report. */
  failOn: Severity;
  /** A Chromium binary; null: discovered. */
  browser: string | null;
  browserArgs: string[];
  /** Open the browser as a session of this Selenium Grid (`--grid`; its capabilities in the spec) instead of on this machine. */
  grid: BrowserSpec | null;
  /** Re-runs of the audit on a fresh browser when its browser was lost (0: none; always 0 with `endpoint`). */
  retries: number;
  /** Write the HTML and JSON report here (atomically); null: write nothing. */
  out: string | null;
  /** Aborted on Ctrl-C: the audit stops and reports what it found (`interrupted`). */
  signal: AbortSignal | null;
  /** A line for the person watching (opened, clicked, a retry): the CLI prints it on stderr. */
  onMessage: ((line: string) => void) | null;
  /** The live status (how many fetches have not settled): a TTY's status line. */
  onStatus: ((line: string) => void) | null;
}

/** runAudit's input: `url` or `endpoint`, and any other part of the config. */
export type AuditRunOptions = Partial<AuditConfig>;

export function resolveAuditConfig(options: AuditRunOptions = {}): AuditConfig {
  const endpoint = options.endpoint ?? null;
  return {
    url: options.url ?? null,
    clicks: options.clicks ?? [],
    script: options.script ?? null,
    timeout: options.timeout ?? DEFAULT_AUDIT_TIMEOUT_S * 1000,
    headless: options.headless ?? true,
    endpoint,
    duration: options.duration ?? null,
    failOn: options.failOn ?? DEFAULT_AUDIT_FAIL_ON,
    browser: options.browser ?? null,
    browserArgs: options.browserArgs ?? [],
    grid: options.grid ?? null,
    // A watched browser (endpoint) is the person's: there is no fresh one to re-run on.
    retries: endpoint ? 0 : (options.retries ?? DEFAULT_AUDIT_RETRIES),
    out: options.out ?? null,
    signal: options.signal ?? null,
    onMessage: options.onMessage ?? null,
    onStatus: options.onStatus ?? null,
  };
}
