/**
 * One attempt of one scenario on one browser, in four steps: launch (a fixture server and the
 * slot's browser), run with a deadline, classify what ended it, tear down. Whatever happens (a
 * timeout, a crash, a hung teardown) becomes the attempt's verdict; only an interrupt makes it
 * null. Errors are told apart by class (src/errors.ts), never by name or message.
 */
import { classifyLoss, lostBrowser } from '../browsers/lost.js';
import type { EngineDriver } from '../browsers/types.js';
import {
  BrowserLostError,
  DeadlineError,
  InterruptedError,
  LaunchError,
  NotAutomatable,
  TeardownError,
  UnsupportedFeature,
} from '../errors.js';
import { FixtureServer } from '../server/index.js';
import type { LaneSlot } from '../browsers/lane.js';
import type { BrowserUnderTest } from '../browsers/types.js';
import { withDeadline } from '../util/deadline.js';
import { ScenarioContext } from '../scenarios/context.js';
import { emptyEvidence, toJson, withoutOrigin, type Evidence } from '../evidence/evidence.js';
import { gateScenario } from './gate.js';
import type { Observation, Scenario, Verdict } from '../scenarios/types.js';
import type { AttemptResult } from './types.js';

/** How long a browser's launch may take; it is the runner's time, not the scenario's. */
const LAUNCH_MS = 60_000;

interface Launched {
  server: FixtureServer;
  but: BrowserUnderTest;
  logMark: number;
}

/** A message as the one-line summary: its lines joined, at most 300 characters (the whole is in `error`). */
function oneLine(message: string): string {
  const text = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Step 1: this attempt's fixture server and the slot's browser (launched again after a crash). */
async function launchFor(slot: LaneSlot, started: { server: FixtureServer | null }): Promise<Launched> {
  // A server that cannot start costs this attempt (an `error`), not the run.
  const fixture = slot.spec.fixture;
  const server = await FixtureServer.start(fixture ? { host: fixture.host, ...(fixture.tls ? { tls: fixture.tls } : {}) } : {});
  started.server = server;
  let but: BrowserUnderTest;
  try {
    but = await withDeadline(slot.get(), LAUNCH_MS, `launching ${slot.spec.label}`);
  } catch (e) {
    throw new LaunchError(asError(e).message, asError(e));
  }
  return { server, but, logMark: slot.logMark(but.engine) };
}

/** Resolves once `engine` disconnects (or never); the listener goes when `signal` aborts. */
function disconnection(engine: EngineDriver, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (!engine.isConnected()) return resolve();
    const off = engine.onDisconnected(() => resolve());
    signal.addEventListener('abort', off, { once: true });
  });
}

/**
 * Step 2: `scenario.run(ctx)` raced against the deadline, the browser's end and Ctrl-C. A
 * browser that went away is a BrowserLostError even when the scenario's own step noticed first
 * (its "Target closed" rejects before the 'disconnected' event).
 */
async function runWithDeadline(
  scenario: Scenario,
  ctx: ScenarioContext,
  slot: LaneSlot,
  timeout: number,
  signal: AbortSignal | null,
): Promise<Observation> {
  const browser = ctx.browser.engine;
  const lost = () => new BrowserLostError(slot.crash(browser)?.lastWords ?? null);
  const gone = disconnection(browser, ctx.signal);
  // A scenario with browsers of its own uses the lane's shared one for the gate only: after it,
  // that browser's end (an abort while other scenarios use it) is not this scenario's, and
  // re-running it (the restart scenario: 35-40 s) would only cost the time.
  let tied = true;
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`timed out after ${timeout} ms (--timeout)`)), timeout);
    void gone.then(() => {
      if (tied) reject(lost());
    });
    const interrupt = () => reject(new InterruptedError('interrupted'));
    signal?.addEventListener('abort', interrupt, { once: true });
    ctx.signal.addEventListener('abort', () => signal?.removeEventListener('abort', interrupt), { once: true });
    // Ctrl-C during the (re)launch fired before this listener existed.
    if (signal?.aborted) interrupt();
  });
  // The race below is what observes `stop`; once the scenario has won it, a later rejection
  // (the deadline timer is cleared, but a disconnect may still come) has nobody to tell.
  stop.catch(() => undefined);
  try {
    // Unsupported / not-automatable on this lane: decided from what it measured and provides.
    await Promise.race([gateScenario(scenario, ctx), stop]);
    // On a Grid the scenario's session is its own (nothing of the lane is shared): it stays tied.
    if (scenario.ownBrowser && ctx.browser.kind !== 'grid') tied = false;
    const observation = toJson(await Promise.race([scenario.run(ctx), stop])) as Observation;
    // What a scenario concluded from a dead browser (a fetch "still pending") is not an observation,
    // also when only the place the browser lives can tell yet (a Grid node killed mid-scenario).
    if (tied && (!browser.isConnected() || (browser.confirmConnected && !(await browser.confirmConnected())))) throw lost();
    return observation;
  } catch (e) {
    if (!tied) throw e;
    if (!browser.isConnected()) throw lost();
    // What the scenario decided (the feature is missing, it cannot be driven) or Ctrl-C is not
    // a symptom of a dying browser; anything else may be (a SessionClosedError from the recorder,
    // a "Target closed" from Playwright), so the browser's end gets a moment to show.
    if (e instanceof UnsupportedFeature || e instanceof NotAutomatable || e instanceof InterruptedError) throw e;
    throw await classifyLoss(
      e,
      () => browser.isConnected(),
      gone,
      () => slot.crash(browser)?.lastWords ?? null,
    );
  } finally {
    clearTimeout(timer);
    ctx.abort('the scenario ended');
  }
}

interface Classified {
  verdict: Verdict;
  summary: string;
  error: AttemptResult['error'];
  browserLost: AttemptResult['browserLost'];
}

/** Step 3: what ended the attempt, as a verdict. */
function classify(e: unknown, slot: LaneSlot, launched: Launched | null, origin: string | null): Classified {
  const err = asError(e);
  if (e instanceof UnsupportedFeature) return { verdict: 'unsupported', summary: err.message, error: null, browserLost: null };
  if (e instanceof NotAutomatable) return { verdict: 'not-automatable', summary: err.message, error: null, browserLost: null };
  // A renderer that died ('Target crashed') or a browser CHECK says why only in the browser's
  // log: the FATAL lines it gained during this attempt go with the error.
  const fatal = launched
    ? [...new Set(slot.fatalSince(launched.but.engine, launched.logMark))].filter((l) => !err.message.includes(l))
    : [];
  const logged = fatal.join(' | ');
  // The summary: the message on one line (its origin replaced first, so the cut cannot leave
  // half a port), then the FATAL lines, which the cut must not drop.
  const summary = `${err.name}: ${oneLine(withoutOrigin(err.message, origin))}${logged ? ` [the browser logged: ${logged}]` : ''}`;
  const message = logged ? `${err.message}\nThe browser logged during the scenario: ${logged}` : err.message;
  return {
    verdict: 'error',
    summary,
    error: { name: err.name, message, stack: err.stack ?? null },
    browserLost: lostBrowser(e),
  };
}

/** Step 4: gather the evidence and close what the scenario opened; a hung step relaunches the browser. */
async function tearDown(ctx: ScenarioContext, slot: LaneSlot): Promise<Evidence> {
  try {
    await ctx.teardown();
  } catch (e) {
    // A teardown step that hangs means the browser is wedged: relaunch it for the next
    // scenario. One that merely failed (a temp dir, a namespace) is reported, and the browser
    // other scenarios are using stays.
    const hung = !(e instanceof TeardownError) || e.hung;
    if (hung) slot.markBroken(ctx.browser.engine);
    ctx.note(`Teardown failed (${asError(e).message})${hung ? '; the browser is relaunched for the next scenario' : ''}.`);
  }
  return ctx.evidence;
}

/**
 * One attempt: always a result, null only when interrupted. `timeout` is the scenario's deadline
 * in ms (counted once the browser is there); `signal` is the run's Ctrl-C.
 */
export async function runAttempt(
  scenario: Scenario,
  slot: LaneSlot,
  timeout: number,
  signal: AbortSignal | null,
): Promise<AttemptResult | null> {
  const startedAt = Date.now();
  const started: { server: FixtureServer | null } = { server: null };
  let launched: Launched | null = null;
  let ctx: ScenarioContext | null = null;
  let outcome: Classified & { observation: Observation | null };
  try {
    launched = await launchFor(slot, started);
    // The deadline counts from here: a (re)launch is the runner's time, not the scenario's.
    ctx = new ScenarioContext(launched.but, launched.server, Date.now() + timeout);
    const observation = await runWithDeadline(scenario, ctx, slot, timeout, signal);
    const judged = scenario.judge(observation);
    // The time is evidence beside the verdict: `Ended failure (...). (download-total-exceeded after 2.0 s)`.
    const summary = ctx.timing ? `${judged.summary} (${ctx.timing.outcome} after ${(ctx.timing.ms / 1000).toFixed(1)} s)` : judged.summary;
    outcome = { verdict: judged.verdict, summary, error: null, browserLost: null, observation };
  } catch (e) {
    // Interrupted: still tear down (close the context, stop the server), then drop the result.
    if (e instanceof InterruptedError) return finish(ctx, slot, started.server).then(() => null);
    outcome = { ...classify(e, slot, launched, started.server?.url ?? null), observation: null };
  }
  const evidence = await finish(ctx, slot, started.server);
  const origin = started.server?.url ?? null;
  return {
    verdict: outcome.verdict,
    summary: withoutOrigin(outcome.summary, origin),
    startedAt,
    durationMs: Date.now() - startedAt,
    took: ctx?.timing ?? null,
    observation: withoutOrigin(outcome.observation, origin),
    // The real origin stays in fixtureOrigin (it varies per run, like times); elsewhere {fixture}.
    evidence: { ...withoutOrigin(evidence, origin), fixtureOrigin: evidence.fixtureOrigin },
    error: withoutOrigin(outcome.error, origin),
    ...(launched?.but.node ? { node: launched.but.node } : {}),
    browserLost: outcome.browserLost,
  };
}

async function finish(ctx: ScenarioContext | null, slot: LaneSlot, server: FixtureServer | null): Promise<Evidence> {
  const evidence = ctx ? await tearDown(ctx, slot) : emptyEvidence();
  // The scenario's contexts are closed: a Grid session is free for the next scenario.
  if (ctx) slot.release?.(ctx.browser.engine);
  await server?.close();
  return evidence;
}
