/**
 * runAudit: `bgprobe audit` as a library call. Open an app in a fresh Chromium (or watch a
 * running one), start its background fetches the way a user would, wait until the worker has
 * finished with every one, and give back each fetch's timeline with its findings, mapped onto
 * the report format (audit/report.ts). A browser lost under the audit is re-run on a fresh one
 * (browsers/lost.ts), as compat and wpt do.
 */
import { planGrid } from '../browsers/grid/type.js';
import { pathToFileURL } from 'node:url';
import { errors as pwErrors, type Page } from 'playwright-core';
import { connect, type ConnectedBrowser } from '../browsers/connect.js';
import { launchPlaywright } from '../browsers/browser-type.js';
import type { BrowserSpec } from '../browsers/types.js';
import { BrowserLostError, UsageError } from '../errors.js';
import { classifyLoss, lostBrowser, retryLostBrowser, type LostBrowser } from '../browsers/lost.js';
import { lossReason, type ReportModel } from '../report/model.js';
import { unjoinedFindings, type Finding } from '../findings/index.js';
import { BackgroundServiceRecorder } from '../recorder/recorder.js';
import { normaliseOrigin, reachedStage, type FetchTimeline } from '../recorder/timeline.js';
import type { StepRow } from '../evidence/evidence.js';
import { writeReport } from '../report/write.js';
import type { Format } from '../report/formats.js';
import { bestEffort, debug } from '../util/debug.js';
import { resolveAuditConfig, type AuditConfig, type AuditRunOptions } from './config.js';
import { auditReport, type AuditRun, type LostAudit } from './report.js';

const log = debug('bgprobe:audit');

/** A completed fetch whose worker never reported finishing (no worker probe, a worker that never ran): this long, then it counts as settled. */
const WORKER_GRACE_MS = 10_000;
/** After the triggers: how long to wait for a first fetch before saying none started. */
const FIRST_FETCH_MS = 10_000;
/** Once every fetch has settled: a quiet spell, in case the app starts the next download then. */
const QUIET_MS = 1_000;

interface Session {
  recorder: BackgroundServiceRecorder;
  browser: AuditRun['browser'];
  /** Resolves with the reason when the browser or the recorder's connection goes away. */
  lost: Promise<string>;
  /** `lost` has resolved. */
  isLost(): boolean;
  close(): Promise<void>;
}

/** Why an audit stopped: every fetch settled, none started, the deadline, Ctrl-C, an endpoint's --duration, or the browser was lost. */
export type StopReason = 'settled' | 'no-fetch' | 'timeout' | 'interrupted' | 'duration' | 'lost';

export interface AuditResult {
  /** What the audit saw, with every finding (audit/report.ts maps it; auditJson prints it). */
  run: AuditRun;
  stopped: StopReason;
  /** The run mapped onto the report format. */
  report: ReportModel;
  /** Files written, by format (empty without `out`). */
  files: Partial<Record<Format, string>>;
}

/** The audit of one app (or one watched browser), re-run on a fresh browser when its browser was lost. */
export async function runAudit(options: AuditRunOptions | AuditConfig): Promise<AuditResult> {
  const config = resolveAuditConfig(options);
  // A Grid that is not one, or has no node for the request: one line (exit 2) before anything opens.
  if (config.grid) await planGrid(config.grid);
  const { retries } = config;
  let previous: Pass | null = null;
  const passes = await retryLostBrowser(
    retries,
    async (retry) => {
      if (previous?.browserLost)
        config.onMessage?.(
          `The browser was lost during the audit (${lossReason(previous.browserLost.fatal)}): re-running it on a fresh browser (retry ${retry} of --retries ${retries}).`,
        );
      previous = await auditPass(config);
      return previous;
    },
    (p) => p.browserLost,
  );
  // auditPass never answers null: an interrupt is a stop reason, reported like the others.
  const last = passes![passes!.length - 1];
  const retried = passes!.slice(0, -1).map((p): LostAudit => ({
    startedAt: p.run.startedAt,
    durationMs: p.run.durationMs,
    fatal: p.browserLost!.fatal,
    reason: lossReason(p.browserLost!.fatal),
  }));
  const run: AuditRun = { ...last.run, retried, flaky: retried.length > 0 && !last.browserLost };
  const report = auditReport(run);
  const files = config.out ? writeReport(config.out, report, ['html', 'json']) : {};
  return { run, stopped: last.stopped, report, files };
}

interface Pass {
  run: AuditRun;
  stopped: StopReason;
  browserLost: LostBrowser | null;
}

/** One audit on one browser: opened, driven, watched until it settles, collected, closed. */
async function auditPass(options: AuditConfig): Promise<Pass> {
  const startedAt = Date.now();
  const steps: StepRow[] = [];
  const runFindings: Finding[] = [];
  let session: Session;
  try {
    session = options.endpoint ? await openEndpoint(options) : await openBrowser(options);
  } catch (e) {
    // Lost while it was being set up (its context, the recorder's page): a lost browser like
    // one lost later, re-run or reported as such, never an exit with nothing said.
    if (options.endpoint || !lostBrowser(e)) throw e;
    return lostBeforeStart(options, startedAt);
  }
  let stopped: StopReason;
  try {
    if (options.endpoint) {
      options.onMessage?.(
        `Watching ${session.browser.version ?? 'the browser'} at ${options.endpoint}: start the downloads in the browser. ${options.duration ? `Stops after ${options.duration / 1000} s` : 'Ctrl-C to stop'}.`,
      );
      stopped = await watch(session, options);
    } else {
      try {
        const page = await session.recorder.observerPage!.context().newPage();
        dismissDialogs(page, steps, runFindings);
        await drive(page, options, steps);
        stopped = await waitForFetches(session, options);
      } catch (e) {
        // A click or a script step that failed because the browser died is a lost browser
        // (src/browsers/lost.ts), not the app's failure; anything else stays the error it is.
        if (
          !lostBrowser(
            await classifyLoss(
              e,
              () => !session.isLost(),
              session.lost,
              () => null,
            ),
          )
        )
          throw e;
        stopped = 'lost';
      }
    }
    const run = collect(session, options, { startedAt, steps, runFindings, stopped });
    const browserLost = stopped === 'lost' && !options.endpoint ? lostBrowser(new BrowserLostError(null)) : null;
    return { run, stopped, browserLost };
  } finally {
    await session.close();
  }
}

async function openBrowser(options: AuditConfig): Promise<Session> {
  // The browser layer leaves Ctrl-C to the caller (the audit still reports what it found).
  // With --grid the browser is a session of the Grid, through the same interface (its close() deletes it).
  const spec: BrowserSpec = options.grid
    ? { ...options.grid, args: [...options.grid.args, ...options.browserArgs] }
    : { label: 'chromium', kind: options.browser ? 'path' : 'default', target: options.browser, args: options.browserArgs };
  const { browser, driver } = await launchPlaywright(spec, { headless: options.headless });
  const disconnected = new Promise<void>((r) => browser.once('disconnected', () => r()));
  try {
    // A browser killed while Playwright creates the context or the recorder's page can leave that
    // call pending for good (Playwright 1.65; test/e2e/drills-retry.spec.ts kills it at 0-700 ms):
    // the set-up ends when the browser does, as a lost browser.
    const setUp = (async () => {
      const context = await browser.newContext();
      return BackgroundServiceRecorder.attach(context, { services: ['backgroundFetch'], timeout: options.timeout });
    })();
    setUp.catch((e: unknown) => log('set-up ended after the browser was lost: %s', String(e)));
    const recorder = await Promise.race([
      setUp,
      disconnected.then(() => {
        throw new BrowserLostError(null);
      }),
    ]);
    const lost = new Promise<string>((r) => {
      browser.on('disconnected', () => r('the browser closed'));
      recorder.onClose(r);
    });
    let gone = false;
    void lost.then(() => (gone = true));
    return {
      recorder,
      isLost: () => gone || !browser.isConnected(),
      browser: {
        label: spec.label,
        target: spec.kind === 'grid' ? spec.target : null,
        version: browser.version(),
        args: options.browserArgs,
      },
      lost,
      close: async () => {
        await bestEffort(log, 'dispose recorder', () => recorder.dispose());
        await bestEffort(log, 'close browser', () => driver.close());
      },
    };
  } catch (e) {
    const error = await classifyLoss(
      e,
      () => browser.isConnected(),
      disconnected,
      () => null,
    );
    await bestEffort(log, 'close browser', () => driver.close());
    throw error;
  }
}

/** The pass of a browser lost before the audit could open the app: nothing seen, no finding to make. */
function lostBeforeStart(options: AuditConfig, startedAt: number): Pass {
  const browser = { label: 'chromium', target: null, version: null, args: options.browserArgs };
  const base = { url: options.url, browser, startedAt, durationMs: Date.now() - startedAt, interrupted: false, timeoutMs: options.timeout };
  const run: AuditRun = {
    ...base,
    fetches: [],
    events: [],
    runFindings: [],
    steps: [],
    failOn: options.failOn,
    retried: [],
    flaky: false,
    retries: options.retries,
  };
  return { run, stopped: 'lost', browserLost: { fatal: null } };
}

async function openEndpoint(options: AuditConfig): Promise<Session> {
  const connected: ConnectedBrowser = await connect({ endpoint: options.endpoint! });
  try {
    const recorder = await BackgroundServiceRecorder.attach(connected, { services: ['backgroundFetch'] });
    for (const w of recorder.warnings) options.onMessage?.(`warning: ${w}`);
    const lost = new Promise<string>((r) => {
      connected.client.on('disconnect', () => r('the CDP endpoint disconnected'));
      recorder.onClose(r);
    });
    let gone = false;
    void lost.then(() => (gone = true));
    return {
      recorder,
      isLost: () => gone,
      browser: { label: 'chromium', target: options.endpoint, version: connected.version.product, args: [] },
      lost,
      close: async () => {
        await bestEffort(log, 'dispose recorder', () => recorder.dispose());
        await bestEffort(log, 'disconnect', () => connected.close());
      },
    };
  } catch (e) {
    await bestEffort(log, 'disconnect', () => connected.close());
    throw e;
  }
}

/** An alert or confirm would block the app: dismissed at once, and kept as an info finding. */
function dismissDialogs(page: Page, steps: StepRow[], findings: Finding[]): void {
  page.on('dialog', (dialog) => {
    const at = Date.now();
    steps.push({ at, what: `dialog (${dialog.type()}) dismissed`, result: dialog.message() });
    findings.push({
      code: 'dialog-dismissed',
      severity: 'info',
      message: `The page opened a ${dialog.type()} dialog: "${dialog.message()}". bgprobe dismissed it.`,
      evidence: { type: dialog.type(), message: dialog.message(), at },
    });
    void bestEffort(log, 'dismiss dialog', () => dialog.dismiss());
  });
}

/** Open the page, then the triggers in order: each --click, then --script. */
async function drive(page: Page, options: AuditConfig, steps: StepRow[]): Promise<void> {
  const url = options.url!;
  let status: number | null = null;
  try {
    status = (await page.goto(url, { timeout: options.timeout }))?.status() ?? null;
  } catch (e) {
    throw new UsageError(`Could not open ${url}: ${firstLine(e)}. Is the app's server running at that address?`);
  }
  if (status !== null && status >= 400) throw new UsageError(`${url} answered HTTP ${status}: give the URL of the app's page.`);
  steps.push({ at: Date.now(), what: `goto ${url}`, result: status });
  options.onMessage?.(`Opened ${url}`);
  for (const selector of options.clicks) {
    await click(page, selector, options.timeout);
    steps.push({ at: Date.now(), what: `click ${selector}`, result: true });
    options.onMessage?.(`Clicked ${selector}`);
  }
  if (options.script) await runScript(page, options.script, steps);
}

async function click(page: Page, selector: string, timeoutMs: number): Promise<void> {
  try {
    await page.locator(selector).first().click({ timeout: timeoutMs });
  } catch (e) {
    if (e instanceof pwErrors.TimeoutError) {
      throw new UsageError(
        `--click "${selector}": nothing clickable matched within ${timeoutMs / 1000} s. Check the selector (CSS, text=..., role=...) against the page, or raise --timeout.`,
      );
    }
    throw new UsageError(
      `--click "${selector}" failed: ${firstLine(e)}. Give a Playwright selector such as "#download" or "text=Download".`,
    );
  }
}

async function runScript(page: Page, path: string, steps: StepRow[]): Promise<void> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    throw new UsageError(`--script ${path} could not be loaded: ${firstLine(e)}.`);
  }
  const fn = typeof mod.default === 'function' ? mod.default : (mod.default as { default?: unknown } | undefined)?.default;
  if (typeof fn !== 'function')
    throw new UsageError(`--script ${path} has no default export function: write export default async (page) => { ... }.`);
  try {
    await (fn as (page: Page) => unknown)(page);
  } catch (e) {
    throw new UsageError(`--script ${path} threw: ${firstLine(e)}.`);
  }
  steps.push({ at: Date.now(), what: `script ${path}`, result: true });
}

function relevant(recorder: BackgroundServiceRecorder, url: string | null): FetchTimeline[] {
  const origin = url ? new URL(url).origin : null;
  return recorder.fetches().filter((t) => origin === null || normaliseOrigin(t.origin) === origin);
}

function settledEnough(t: FetchTimeline, now: number): boolean {
  return t.completedAt !== null && (reachedStage(t, 'settled') || now - t.completedAt >= WORKER_GRACE_MS);
}

/** Launched browser: until every fetch has settled (or none started, the deadline, Ctrl-C). */
async function waitForFetches(session: Session, options: AuditConfig): Promise<StopReason> {
  const begin = Date.now();
  const deadline = begin + options.timeout;
  let quietSince: number | null = null;
  let lastCount = 0;
  const check = (): StopReason | null => {
    const now = Date.now();
    const fetches = relevant(session.recorder, options.url);
    if (fetches.length !== lastCount) quietSince = null;
    lastCount = fetches.length;
    if (!fetches.length) return now - begin >= Math.min(FIRST_FETCH_MS, options.timeout) ? 'no-fetch' : null;
    const pending = fetches.filter((t) => !settledEnough(t, now));
    options.onStatus?.(`${fetches.length} fetch(es), ${pending.length} not settled yet`);
    if (pending.length) {
      quietSince = null;
      return null;
    }
    quietSince ??= now;
    return now - quietSince >= QUIET_MS ? 'settled' : null;
  };
  return until(check, deadline, session, options.signal);
}

/** --endpoint: the person drives; stop after --duration, on Ctrl-C or when the browser goes. */
async function watch(session: Session, options: AuditConfig): Promise<StopReason> {
  const deadline = options.duration ? Date.now() + options.duration : Infinity;
  const reason = await until(() => null, deadline, session, options.signal);
  return reason === 'timeout' ? 'duration' : reason;
}

/** Re-check on a short tick (grace periods run out between events) until `check` answers. */
function until(check: () => StopReason | null, deadline: number, session: Session, signal: AbortSignal | null): Promise<StopReason> {
  return new Promise((done) => {
    const onAbort = () => finish('interrupted');
    const finish = (r: StopReason) => {
      clearInterval(tick);
      signal?.removeEventListener('abort', onAbort);
      done(r);
    };
    const tick = setInterval(() => {
      const r = check();
      if (r) finish(r);
      else if (Date.now() >= deadline) finish('timeout');
    }, 200);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    void session.lost.then((reason) => {
      log('lost: %s', reason);
      finish('lost');
    });
  });
}

function collect(
  session: Session,
  options: AuditConfig,
  o: { startedAt: number; steps: StepRow[]; runFindings: Finding[]; stopped: StopReason },
): AuditRun {
  const fetches = relevant(session.recorder, options.url);
  const origin = options.url ? new URL(options.url).origin : null;
  const records = session.recorder.probeRecords().filter((r) => origin === null || normaliseOrigin(r.origin) === origin);
  const runFindings = [...unjoinedFindings(records, fetches), ...o.runFindings];
  if (o.stopped === 'no-fetch' || (!fetches.length && !runFindings.some((f) => f.code === 'fetch-rejected'))) {
    runFindings.unshift({
      code: 'no-fetch-started',
      severity: 'error',
      message: `No background fetch was started${options.endpoint ? '' : ` within ${Math.min(FIRST_FETCH_MS, options.timeout) / 1000} s of the triggers`}. Check that --click/--script start the download (and that the page registered its service worker).`,
      evidence: { clicks: options.clicks, script: options.script },
    });
  }
  for (const t of fetches.filter((x) => !settledEnough(x, Date.now()))) {
    runFindings.push({
      code: 'not-settled',
      severity: 'warning',
      message: `Background fetch "${t.id}" was still ${t.outcome === 'pending' ? 'running' : 'being handled by the worker'} when the audit stopped (${o.stopped}): its findings may be incomplete. Raise --timeout.`,
      evidence: { id: t.id, outcome: t.outcome },
    });
  }
  return {
    url: options.url,
    browser: session.browser,
    startedAt: o.startedAt,
    durationMs: Date.now() - o.startedAt,
    interrupted: o.stopped === 'interrupted',
    timeoutMs: options.timeout,
    fetches,
    events: session.recorder.events({ service: 'backgroundFetch' }),
    runFindings,
    steps: o.steps,
    failOn: options.failOn,
    retried: [],
    flaky: false,
    retries: options.retries,
  };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/\.$/, '');
}
