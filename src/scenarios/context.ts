/**
 * ScenarioContext: what a scenario's `run(ctx)` gets. It owns everything the scenario opens
 * (browser contexts, recorders, pages, a fixture server of its own) so the runner can tear it
 * all down after a timeout, and it gathers the evidence the same way for every scenario.
 *
 * Isolation: each scenario has its own FixtureServer (so its own origin, and a request log
 * holding only its requests) and its own BrowserContext (its own service-worker database, so
 * `startObserving` replays nothing from another scenario).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { BrowserUnderTest } from '../browsers/types.js';
import { joinServed } from '../recorder/served.js';
import { BackgroundServiceRecorder } from '../recorder/recorder.js';
import type { ServiceName } from '../recorder/services.js';
import { timelineStart } from '../recorder/timeline.js';
import type { FixtureServer } from '../server/index.js';
import { PlaywrightCdpSession, type CdpSession } from '../cdp/session.js';
import {
  emptyEvidence,
  eventRow,
  fetchEvidence,
  serverRows,
  toJson,
  type EventRow,
  type Evidence,
  type FetchEvidence,
  type ServedRow,
} from '../evidence/evidence.js';
import type { Json } from '../report/model.js';
import { NotAutomatable, TeardownError, UnsupportedFeature, type TeardownFailure } from '../errors.js';
import { harnessCall } from './harness.js';
import type { EnginePage, PageFunction } from '../browsers/types.js';
import { bestEffort, debug, orNull } from '../util/debug.js';
import { poll, withDeadline } from '../util/deadline.js';
import { settleAll } from '../util/settle.js';

const log = debug('bgprobe:scenarios');

/** How long the browser took to reach the outcome a scenario judges. */
export interface Timing {
  /** What was reached, e.g. `failure (download-total-exceeded)`, or `still pending` at the deadline. */
  outcome: string;
  ms: number;
}

export interface HarnessResult {
  ok: boolean;
  name?: string;
  message?: string;
  [key: string]: Json | undefined;
}

export interface OpenOptions {
  /** Default ['backgroundFetch']. */
  services?: readonly ServiceName[];
  /** Default true. */
  probes?: boolean;
  /** Fixture path to open. Default '/harness/'. */
  path?: string;
  /** Another fixture origin (a server in a network namespace). Default this scenario's server. */
  origin?: string;
  /** Use this context (not owned: not closed at teardown). Default: a new one in ctx.browser. */
  context?: BrowserContext;
  /** Throw UnsupportedFeature when the page has no BackgroundFetchManager. Default true. */
  requireBackgroundFetch?: boolean;
}

/**
 * The harness page on any engine: what scenarios that need only `page` and `server` evidence
 * use, so they run on Firefox and WebKitGTK too. A HarnessSession (Chromium) is one as well.
 */
export interface PageSession {
  /** What `harness.ready()` said: API support in the page and in the worker. */
  ready: HarnessResult;
  /** `window.harness[method](...args)`, logged as a step of the evidence. */
  call(method: string, ...args: Json[]): Promise<HarnessResult>;
  /** `fn(...args)` in the harness page (serialised by source: it must not close over anything). */
  evaluate<R>(fn: PageFunction<R>, ...args: Json[]): Promise<R>;
}

export interface HarnessSession extends PageSession {
  context: BrowserContext;
  recorder: BackgroundServiceRecorder;
  page: Page;
  /** A CDP session on the harness page (ServiceWorker.*, Browser.* domains). */
  cdp(): Promise<CdpSession>;
}

const TEARDOWN_MS = 10_000;

export class ScenarioContext {
  readonly evidence: Evidence = emptyEvidence();
  private sessions: HarnessSession[] = [];
  /** Harness pages opened through the engine driver (engines without CDP). */
  private enginePages: EnginePage[] = [];
  private owned: BrowserContext[] = [];
  /** Set-up calls still running in owned contexts (teardown lets them settle before closing the contexts). */
  private inFlight: Array<Promise<unknown>> = [];
  private deferred: Array<{ what: string; fn: () => Promise<void> }> = [];
  private readonly controller = new AbortController();
  /** Requests served by fixture servers other than ctx.server (e.g. one in a network namespace). */
  readonly extraServed: ServedRow[] = [];
  /** What took() last recorded: the judged outcome and how long the browser took to reach it. */
  timing: Timing | null = null;

  constructor(
    readonly browser: BrowserUnderTest,
    readonly server: FixtureServer,
    /** ms since the epoch by which the scenario must be done. */
    readonly deadline: number,
  ) {
    this.evidence.fixtureOrigin = server.url;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The runner gave up on this scenario (timeout, crash, Ctrl-C): pending sleeps reject. */
  abort(reason: string): void {
    this.controller.abort(new Error(reason));
  }

  remaining(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** A wait's timeout: `ms`, but never past the scenario's deadline. */
  within(ms: number): number {
    return Math.max(1, Math.min(ms, this.remaining() - 500));
  }

  /** `/res/<name>?...` on this scenario's fixture server. */
  res(name: string, params: Record<string, string | number> = {}): string {
    const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
    return `${this.server.url}/res/${encodeURIComponent(name)}${q ? `?${q}` : ''}`;
  }

  note(text: string): void {
    this.evidence.notes.push(text);
  }

  step(what: string, result: unknown): void {
    this.evidence.steps.push({ at: Date.now(), what, result: toJson(result) });
  }

  /** Run at teardown, before contexts close (last registered, first run); `what` names it if it fails. */
  defer(fn: () => Promise<void>, what = 'a scenario clean-up step'): void {
    this.deferred.push({ what, fn });
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) return reject(this.signal.reason as Error);
      const onAbort = () => {
        clearTimeout(timer);
        reject(this.signal.reason as Error);
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Poll `fn` every `every` ms until it returns a value (not undefined) or `ms` pass (never past
   * the deadline); then undefined. The shared poll (util/deadline), with this scenario's sleep,
   * so an aborted scenario stops polling at once.
   */
  async poll<T>(fn: () => Promise<T | undefined> | T | undefined, ms: number, every = 100): Promise<T | undefined> {
    const r = await poll(fn, (v) => v !== undefined, { timeout: this.within(ms), intervals: [every], sleep: (t) => this.sleep(t) });
    return r.value;
  }

  /**
   * How long a wait for the browser's own outcome may take: up to the scenario's deadline,
   * less `reserve` ms for what the scenario does after it (an abort, reading the page's view).
   */
  untilDeadline(reserve = 3_000): number {
    return Math.max(1, this.remaining() - reserve);
  }

  /**
   * Timing as evidence: the browser reached `outcome` (e.g. `download-total-exceeded`,
   * `still pending`) `ms` after the scenario asked for it. The last call wins: a scenario's
   * judged outcome is the last one it waits for. Kept out of the observation so `diff` shows
   * it as a time, never as a changed behaviour.
   */
  took(outcome: string, ms: number): void {
    if (this.timed) this.timing = { outcome, ms };
  }

  /**
   * For a scenario whose verdict is not an outcome the browser reaches after a while (what a
   * DevTools session replays, a fetch that must stay in progress): the fetches it runs along
   * the way are set-up, and their times would be read as the time to the verdict.
   */
  untimed(): void {
    this.timed = false;
    this.timing = null;
  }

  private timed = true;

  /**
   * A context with the recorder attached BEFORE the harness page loads (so nothing the page
   * does is missed), then the harness page, ready: its worker registered and controlling it.
   */
  async open(options: OpenOptions = {}): Promise<HarnessSession> {
    const context = options.context ?? (await this.playwright().newContext());
    if (!options.context) this.owned.push(context);
    // The app page is created (about:blank) while the recorder attaches: each costs a renderer
    // start, and nothing happens in the page until goto(), which waits for the recorder.
    const attaching = BackgroundServiceRecorder.attach(context, {
      services: options.services ?? ['backgroundFetch'],
      probes: options.probes ?? true,
      timeout: this.within(30_000),
    });
    const opening = context.newPage();
    // Each half is waited for at teardown even when the other failed first: a context closed
    // while Playwright still installs a binding or init script in it makes Playwright's client
    // throw outside any promise ("Cannot find parent object browser-context@..."), which ends
    // the process (seen with 9 scenarios at once on 2 loaded cores).
    this.inFlight.push(attaching, opening);
    const [recorder, page] = await Promise.all([attaching, opening]);
    // Why worker-side evidence may be missing (e.g. "service-worker probes unavailable: ..."):
    // in the report, next to the verdict, not only in a debug log.
    for (const w of recorder.warnings) if (!this.evidence.notes.includes(`Recorder: ${w}`)) this.note(`Recorder: ${w}`);
    const step = (what: string, result: unknown) => this.step(what, result);
    let cdp: CdpSession | null = null;
    const session: HarnessSession = {
      context,
      recorder,
      page,
      ready: { ok: false },
      async call(method, ...args) {
        // Typed loosely on purpose: Playwright's serialisable-argument type recursing through
        // Json is too deep for tsc.
        const evaluate = page.evaluate.bind(page) as (
          fn: (a: [string, unknown[]]) => Promise<unknown>,
          arg: [string, unknown[]],
        ) => Promise<unknown>;
        const result = await evaluate(
          async ([m, a]) => {
            const h = (window as unknown as { harness: Record<string, (...x: unknown[]) => Promise<unknown>> }).harness;
            return h[m](...a);
          },
          [method, args],
        );
        const r = (result ?? { ok: false, name: 'Error', message: `harness.${method} returned nothing` }) as HarnessResult;
        step(`page: harness.${method}(${describeArgs(args)})`, r);
        return r;
      },
      evaluate: (fn, ...args) => page.evaluate(`(${fn.toString()})(...${JSON.stringify(args)})`),
      async cdp() {
        cdp ??= new PlaywrightCdpSession(await context.newCDPSession(page));
        return cdp;
      },
    };
    this.sessions.push(session);
    await page.goto(`${options.origin ?? this.server.url}${options.path ?? '/harness/'}`);
    return this.ready(session, options);
  }

  /** The Chromium lane's Playwright Browser; NotAutomatable on an engine driven without Playwright. */
  playwright(): Browser {
    if (!this.browser.browser)
      this.notAutomatable(
        `Needs a Playwright-driven browser with CDP; ${this.browser.label} (${this.browser.engine.info.product}) is driven through its own WebDriver.`,
      );
    return this.browser.browser;
  }

  /**
   * The harness page, ready, on whatever engine this is: with the BackgroundService recorder
   * and the probes where the engine has CDP (so the evidence has its events), through the
   * engine driver's page otherwise. Chosen by what the engine provides, never by its name.
   */
  async openHarness(options: Pick<OpenOptions, 'path' | 'requireBackgroundFetch'> = {}): Promise<PageSession> {
    if (this.browser.engine.info.provides.includes('cdp')) return this.open(options);
    const page = await this.browser.engine.newPage();
    this.enginePages.push(page);
    const step = (what: string, result: unknown) => this.step(what, result);
    const session: PageSession = {
      ready: { ok: false },
      async call(method, ...args) {
        const r = (await harnessCall(page, method, ...args)) as HarnessResult;
        step(`page: harness.${method}(${describeArgs(args)})`, r);
        return r;
      },
      evaluate: (fn, ...args) => page.evaluate(fn, ...args),
    };
    await page.goto(`${this.server.url}${options.path ?? '/harness/'}`);
    return this.ready(session, options);
  }

  /** The harness on the page answers `ready`; Background Fetch exposed there unless the scenario says it need not be. */
  private async ready<S extends PageSession>(session: S, options: Pick<OpenOptions, 'requireBackgroundFetch'>): Promise<S> {
    session.ready = await session.call('ready', this.within(15_000));
    if (!session.ready.ok) throw new Error(`The harness did not get ready: ${session.ready.name}: ${session.ready.message}`);
    if ((options.requireBackgroundFetch ?? true) && session.ready['supported'] !== true) {
      throw new UnsupportedFeature(
        'The page has no BackgroundFetchManager: Background Fetch is not exposed (disabled by a flag, or not implemented).',
      );
    }
    return session;
  }

  /**
   * Another fixture page (not the harness) on any engine, in a context of its own where the
   * engine has contexts; closed at teardown. On WebKitGTK, whose one window serves one page at
   * a time, a scenario holding a harness page must not ask for a second.
   */
  async openPage(path: string): Promise<Pick<PageSession, 'evaluate'>> {
    const page = await this.browser.engine.newPage();
    this.enginePages.push(page);
    await page.goto(`${this.server.url}${path}`);
    return { evaluate: (fn, ...args) => page.evaluate(fn, ...args) };
  }

  /** Throw NotAutomatable with the reason (after a real attempt). */
  notAutomatable(reason: string): never {
    throw new NotAutomatable(reason);
  }

  /**
   * Gather evidence from every session still open, then close what this scenario opened.
   * Every step runs even when an earlier one failed (a failed clean-up step must not leave a
   * context open, a network namespace behind or a temp dir on disk); then one TeardownError
   * names each step that failed.
   */
  async teardown(): Promise<void> {
    const failures: TeardownFailure[] = [];
    const step = async (what: string, run: () => Promise<void>) => {
      try {
        await withDeadline(Promise.resolve().then(run), TEARDOWN_MS, what);
      } catch (e) {
        failures.push({ step: what, error: e instanceof Error ? e : new Error(String(e)) });
      }
    };
    await step('collecting evidence', () => this.collect());
    const deferred = [...this.deferred].reverse();
    this.deferred = [];
    for (const d of deferred) await step(d.what, d.fn);
    // Best effort (the browser or context may be gone already), but a hang is still reported.
    for (const s of this.sessions)
      await step('recorder.dispose()', () => bestEffort(log, 'recorder.dispose()', () => s.recorder.dispose()));
    const inFlight = this.inFlight.splice(0);
    if (inFlight.length) await step('waiting for the set-up still running', () => settleAll(inFlight));
    for (const c of this.owned) await step('context.close()', () => c.close());
    for (const p of this.enginePages) await step('page.close()', () => p.close());
    this.sessions = [];
    this.owned = [];
    this.enginePages = [];
    if (failures.length) throw new TeardownError(failures);
  }

  /** Evidence from the sessions: safe to call more than once (later calls replace). */
  async collect(): Promise<void> {
    const served = this.server.requests();
    // A restart scenario has two sessions on one profile: the second replays the first's
    // events, and both hold a timeline of the same fetch. Keep each event once and, per fetch,
    // the last session's (most complete) timeline.
    const byFetch = new Map<string, FetchEvidence>();
    const byEvent = new Map<string, EventRow>();
    for (const s of this.sessions) {
      for (const t of s.recorder.fetches())
        byFetch.set(`${t.registrationId}/${t.id}/${timelineStart(t)}`, fetchEvidence(joinServed(t, served)));
      for (const e of s.recorder.events()) byEvent.set(e.key, eventRow(e));
    }
    const fetches = [...byFetch.values()];
    const events = [...byEvent.values()];
    if (fetches.length) this.evidence.fetches = fetches;
    if (events.length) this.evidence.events = events.sort((a, b) => a.at - b.at);
    this.evidence.server = [...serverRows(this.server), ...this.extraServed];
    const live = [...this.sessions].reverse().find((s) => !s.page.isClosed());
    if (live && this.evidence.worker.length === 0) {
      const workerLog = await orNull(
        log,
        'harness.workerLog()',
        withDeadline(
          live.page.evaluate(() => (window as unknown as { harness?: { workerLog(): Promise<unknown> } }).harness?.workerLog()),
          3_000,
          'harness.workerLog()',
        ),
      );
      const entries = (workerLog as { entries?: unknown[] } | null)?.entries;
      if (Array.isArray(entries)) this.evidence.worker = entries.map((e) => toJson(e) as { [key: string]: Json });
    }
    // The harness worker's own log is the worker-side evidence where there is no probe.
    const enginePage = this.enginePages[this.enginePages.length - 1];
    if (enginePage && this.evidence.worker.length === 0) {
      const log = await withDeadline(harnessCall(enginePage, 'workerLog'), 3_000, 'harness.workerLog()').catch((e: unknown) => {
        this.note(`The harness worker's log could not be read: ${e instanceof Error ? e.message : String(e)}`);
        return null;
      });
      const entries = log?.['entries'];
      if (Array.isArray(entries)) this.evidence.worker = entries.map((e) => toJson(e) as { [key: string]: Json });
    }
  }
}

function describeArgs(args: readonly Json[]): string {
  const text = args.map((a) => JSON.stringify(a)).join(', ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
