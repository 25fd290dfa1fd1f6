/**
 * The runner: every selected scenario on every browser, N at a time (one BrowserContext and
 * one FixtureServer each), each with a deadline. Whatever happens to one scenario (a timeout,
 * a crash, a hung teardown) becomes that scenario's `error` and the run goes on, on a fresh
 * browser when the old one is gone. An interrupt stops scheduling and drops what was in
 * flight: the results hold only scenarios that finished.
 */
import { FixtureServer } from '../server/index.js';
import { BrowserSlot, type BrowserCrash, type BrowserSpec } from './browsers.js';
import { DeadlineError, ScenarioContext, TeardownError, withDeadline, type BrowserUnderTest } from './context.js';
import { emptyEvidence, toJson, withoutOrigin, type Evidence } from './evidence.js';
import { gateScenario } from './gate.js';
import type { SkipEntry } from './registry.js';
import { NotAutomatable, UnsupportedFeature, type Observation, type Scenario, type Verdict } from './types.js';

export interface ScenarioResult {
  scenarioId: string;
  browser: string;
  verdict: Verdict;
  summary: string;
  startedAt: number;
  durationMs: number;
  observation: Observation | null;
  evidence: Evidence;
  error: { name: string; message: string; stack: string | null } | null;
}

export interface BrowserRunInfo {
  spec: BrowserSpec;
  version: string | null;
  launches: number;
  /** Ends of the browser bgprobe did not ask for (each followed by a relaunch when scenarios remained). */
  crashes: BrowserCrash[];
  launchError: string | null;
}

export type ProgressEvent =
  | { type: 'start'; scenarioId: string; browser: string; done: number; total: number }
  | { type: 'end'; result: ScenarioResult; done: number; total: number };

export interface RunOptions {
  browsers: readonly BrowserSpec[];
  scenarios: readonly Scenario[];
  skipped?: readonly SkipEntry[];
  /** Scenarios in flight at once per browser. Default 3. */
  workers?: number;
  /** Default per-scenario deadline, ms (a scenario's own `timeout` wins when longer). Default 30 s. */
  timeout?: number;
  headless?: boolean;
  /** Aborted on Ctrl-C: stop scheduling, drop what is in flight. */
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface RunResult {
  startedAt: number;
  durationMs: number;
  interrupted: boolean;
  browsers: BrowserRunInfo[];
  results: ScenarioResult[];
}

class Interrupted extends Error {
  override name = 'Interrupted';
}

export async function runScenarios(options: RunOptions): Promise<RunResult> {
  const startedAt = Date.now();
  const workers = Math.max(1, options.workers ?? 3);
  const results: ScenarioResult[] = [];
  const browsers: BrowserRunInfo[] = [];
  const total = options.scenarios.length * options.browsers.length;
  let done = 0;
  const interrupted = () => options.signal?.aborted === true;

  for (const spec of options.browsers) {
    const slot = new BrowserSlot(spec, options.headless ?? true);
    const info: BrowserRunInfo = { spec, version: null, launches: 0, crashes: [], launchError: null };
    browsers.push(info);
    for (const skip of options.skipped ?? []) {
      results.push({
        scenarioId: skip.id,
        browser: spec.label,
        verdict: 'skipped',
        summary: skip.reason,
        startedAt: Date.now(),
        durationMs: 0,
        observation: null,
        evidence: emptyEvidence(),
        error: null,
      });
    }
    // Exclusive scenarios need the browser to themselves: run them after the shared ones.
    // Long ones (a declared timeout) first, so they overlap the many short ones.
    const shared = options.scenarios.filter((s) => !s.exclusive).sort((a, b) => (b.timeout ?? 0) - (a.timeout ?? 0));
    const order = [...shared, ...options.scenarios.filter((s) => s.exclusive)];
    const inflight = new Set<Promise<void>>();
    const launch = async (scenario: Scenario) => {
      options.onProgress?.({ type: 'start', scenarioId: scenario.id, browser: spec.label, done, total });
      const r = await runOne(scenario, slot, options);
      if (r === null) return;
      done++;
      results.push(r);
      options.onProgress?.({ type: 'end', result: r, done, total });
    };
    for (const scenario of order) {
      if (interrupted()) break;
      if (scenario.exclusive) await Promise.all(inflight);
      while (inflight.size >= (scenario.exclusive ? 1 : workers)) await Promise.race(inflight);
      if (interrupted()) break;
      const p: Promise<void> = launch(scenario).finally(() => inflight.delete(p));
      inflight.add(p);
      if (scenario.exclusive) await p;
    }
    await Promise.all(inflight);
    info.version = slot.version;
    info.launches = slot.launches;
    info.crashes = [...slot.crashes];
    const failedLaunch = results.find((r) => r.browser === spec.label && r.error?.name === 'LaunchError');
    if (failedLaunch) info.launchError = failedLaunch.error!.message;
    await slot.close();
    if (interrupted()) break;
  }
  return { startedAt, durationMs: Date.now() - startedAt, interrupted: interrupted(), browsers, results };
}

/** A message as the one-line summary: its lines joined, at most 300 characters (the whole is in `error`). */
function oneLine(message: string): string {
  const text = message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** Why a scenario ended with the browser: its FATAL line when its log held one. */
function disconnectedDuring(crash: BrowserCrash | undefined): string {
  return crash?.lastWords
    ? `the browser crashed during the scenario: ${crash.lastWords}`
    : 'the browser disconnected (crashed or was closed) during the scenario';
}

/** One scenario on one browser: always a result (null only when interrupted). */
async function runOne(scenario: Scenario, slot: BrowserSlot, options: RunOptions): Promise<ScenarioResult | null> {
  const startedAt = Date.now();
  const timeout = Math.max(options.timeout ?? 30_000, scenario.timeout ?? 0);
  const base = { scenarioId: scenario.id, browser: slot.spec.label, startedAt };
  let server: FixtureServer | null = null;
  let ctx: ScenarioContext | null = null;
  let observation: Observation | null = null;
  let verdict: Verdict;
  let summary: string;
  let error: ScenarioResult['error'] = null;
  let interrupted = false;
  // Set when the browser goes away mid-scenario: whatever the scenario concluded from a dead
  // browser (a fetch "still pending"...) is not an observation, so the verdict is `error`.
  let crashed = false;
  let but: BrowserUnderTest | undefined;
  let logMark = 0;
  try {
    // Inside the try: a server that cannot start costs this scenario (an `error`), not the run.
    server = await FixtureServer.start();
    try {
      but = await withDeadline(slot.get(), 60_000, `launching ${slot.spec.label}`);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      err.name = 'LaunchError';
      throw err;
    }
    const engine = but.engine;
    logMark = slot.logMark(engine);
    // The deadline counts from here: a (re)launch is the runner's time, not the scenario's.
    ctx = new ScenarioContext(but, server, Date.now() + timeout);
    const c = ctx;
    const stop = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new DeadlineError(`timed out after ${timeout} ms (--timeout)`)), timeout);
      const offDisconnect = engine.onDisconnected(() => {
        crashed = true;
        reject(new Error(disconnectedDuring(slot.crash(engine))));
      });
      const onAbort = () => reject(new Interrupted('interrupted'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // Ctrl-C during the (re)launch above fired before this listener existed.
      if (options.signal?.aborted) onAbort();
      void c.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        offDisconnect();
        options.signal?.removeEventListener('abort', onAbort);
      });
    });
    stop.catch(() => undefined);
    try {
      // Unsupported / not-automatable on this lane: decided from what it measured and provides.
      await Promise.race([gateScenario(scenario, c), stop]);
      observation = toJson(await Promise.race([scenario.run(c), stop])) as Observation;
    } finally {
      c.abort('the scenario ended');
    }
    ({ verdict, summary } = scenario.judge(observation));
    if (crashed) throw new Error(disconnectedDuring(slot.crash(engine)));
  } catch (e) {
    // Interrupted: still tear down (close the context, stop the server), then drop the result.
    interrupted = e instanceof Interrupted;
    const err = e instanceof Error ? e : new Error(String(e));
    if (e instanceof UnsupportedFeature) {
      verdict = 'unsupported';
      summary = err.message;
    } else if (e instanceof NotAutomatable) {
      verdict = 'not-automatable';
      summary = err.message;
    } else {
      verdict = 'error';
      // A renderer that died ('Target crashed') or a browser CHECK says why only in the
      // browser's log: the FATAL lines it gained during this scenario go with the error.
      const fatal = but ? [...new Set(slot.fatalSince(but.engine, logMark))].filter((l) => !err.message.includes(l)) : [];
      const logged = fatal.join(' | ');
      // The summary: the message on one line (its origin replaced first, so the cut cannot
      // leave half a port), then the FATAL lines, which the cut must not drop.
      summary = `${err.name}: ${oneLine(withoutOrigin(err.message, server?.url ?? null))}${logged ? ` [the browser logged: ${logged}]` : ''}`;
      const message = logged ? `${err.message}\nThe browser logged during the scenario: ${logged}` : err.message;
      error = { name: err.name, message, stack: err.stack ?? null };
    }
  }
  let evidence = emptyEvidence();
  if (ctx) {
    try {
      await ctx.teardown();
    } catch (e) {
      // A teardown step that hangs means the browser is wedged: relaunch it for the next
      // scenario. One that merely failed (a temp dir, a namespace) is reported, and the
      // browser other scenarios are using stays.
      const hung = !(e instanceof TeardownError) || e.hung;
      if (hung && but) slot.markBroken(but.engine);
      ctx.note(`Teardown failed (${e instanceof Error ? e.message : String(e)})${hung ? '; the browser is relaunched for the next scenario' : ''}.`);
    }
    evidence = ctx.evidence;
  }
  await server?.close();
  if (interrupted) return null;
  const origin = server?.url ?? null;
  return {
    ...base,
    verdict,
    summary: withoutOrigin(summary, origin),
    durationMs: Date.now() - startedAt,
    observation: withoutOrigin(observation, origin),
    // The real origin stays in fixtureOrigin (it varies per run, like times); elsewhere {fixture}.
    evidence: { ...withoutOrigin(evidence, origin), fixtureOrigin: evidence.fixtureOrigin },
    error: withoutOrigin(error, origin),
  };
}
