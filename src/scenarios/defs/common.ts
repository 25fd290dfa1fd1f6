/**
 * Helpers the scenario definitions share: start a fetch through the harness and wait for it,
 * and reduce a timeline to the facts a judge reads (and `bgprobe diff` compares).
 */
import { TimeoutError } from '../../errors.js';
import type { FetchTimeline } from '../../recorder/timeline.js';
import type { HarnessResult, HarnessSession, PageSession, ScenarioContext } from '../context.js';
import type { Json, Judgement, Observation } from '../types.js';

export type RequestDesc = string | { url: string; method?: string; bodySize?: number; mode?: string };

export interface FetchFacts extends Observation {
  started: boolean;
  rejected: { name: string; message: string } | null;
  outcome: string;
  failureReason: string | null;
  requests: Array<{ status: number | null; bytes: number | null }>;
  swEvents: string[];
  /** What the page's registration said at the end. */
  page: { result: string; failureReason: string; downloaded: number; downloadTotal: number } | null;
}

/** A harness field as text: a string as it is, nothing as '', anything else as JSON. */
export function text(v: Json | undefined): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function rejection(r: HarnessResult): { name: string; message: string } | null {
  return r.ok ? null : { name: r.name ?? 'Error', message: r.message ?? '' };
}

/** When each fetch was asked for, per session: the start of the time to its outcome. */
const askedAt = new WeakMap<PageSession, Map<string, number>>();

/** Start a fetch from the page; null when fetch() rejected (the result says why). */
export async function start(
  s: PageSession,
  id: string,
  requests: RequestDesc[],
  options?: { [key: string]: Json },
): Promise<HarnessResult> {
  if (!askedAt.has(s)) askedAt.set(s, new Map());
  askedAt.get(s)!.set(id, Date.now());
  return options === undefined ? s.call('start', id, requests) : s.call('start', id, requests, options);
}

/** `success`, `download-total-exceeded`, `aborted`: the outcome a judge reads, as the time's label. */
function outcomeLabel(t: FetchTimeline): string {
  return t.failureReason ?? t.outcome;
}

/** Worker events of `id` from the harness worker's own log (it survives worker restarts). */
export async function workerEvents(s: HarnessSession, id: string): Promise<string[]> {
  const log = await s.call('workerLog');
  const entries = (Array.isArray(log['entries']) ? log['entries'] : []) as Array<{ kind?: string; type?: string; id?: string }>;
  return entries.filter((e) => e.kind === 'event' && e.id === id).map((e) => String(e.type));
}

/**
 * The timeline once "completed" is logged AND the worker got its event (CDP logs "completed"
 * BEFORE the worker is dispatched). The worker's events come from the probe and, as a second
 * witness, from the harness worker's log; `swEvents` is their union. Null when the fetch did
 * not complete within `ms` (outcome 'pending').
 *
 * By default it waits for the browser's own outcome up to the scenario's deadline: a browser
 * that is slow (a loaded machine, a late first request) is slow, not wrong. The time it took
 * (or waited in vain: `still pending`) goes into the result through ctx.took().
 */
export async function settle(
  ctx: ScenarioContext,
  s: HarnessSession,
  id: string,
  ms = ctx.untilDeadline(),
): Promise<{ timeline: FetchTimeline; swEvents: string[] } | null> {
  const from = askedAt.get(s)?.get(id) ?? Date.now();
  try {
    await s.recorder.waitForFetch(id, { timeout: ctx.within(ms) });
  } catch (e) {
    // A recorder whose connection closed (the browser crashed, mostly) saw the fetch stop, not
    // stay pending: that goes to the runner, which waits for the browser's end and re-runs.
    if (!(e instanceof TimeoutError) || s.recorder.closed) throw e;
    ctx.took('still pending', Date.now() - from);
    return null;
  }
  ctx.took(outcomeLabel(s.recorder.fetch(id)!), Date.now() - from);
  let swEvents: string[] = [];
  await ctx.poll(
    async () => {
      const probed = (s.recorder.fetch(id)?.swEvents ?? []).map((e) => e.type as string);
      swEvents = [...new Set([...probed, ...(s.page.isClosed() ? [] : await workerEvents(s, id))])];
      return swEvents.length > 0 ? true : undefined;
    },
    ctx.untilDeadline(1_000),
    100,
  );
  return { timeline: s.recorder.fetch(id)!, swEvents };
}

/** The page's view once it has a result (waitForResult polls `get()` and held objects). */
export async function pageView(ctx: ScenarioContext, s: HarnessSession, id: string): Promise<FetchFacts['page']> {
  const r = await s.call('waitForResult', id, ctx.untilDeadline(1_000));
  if (!r.ok && r.name !== 'TimeoutError') return null;
  return {
    result: text(r['result']),
    failureReason: text(r['failureReason']),
    downloaded: Number(r['downloaded'] ?? 0),
    downloadTotal: Number(r['downloadTotal'] ?? 0),
  };
}

export function facts(
  settled: { timeline: FetchTimeline; swEvents: string[] } | null,
  page: FetchFacts['page'] = null,
  startResult?: HarnessResult,
  id?: string,
  s?: HarnessSession,
): FetchFacts {
  // Not completed in time: still report what was seen so far (outcome 'pending').
  const t = settled?.timeline ?? (id && s ? s.recorder.fetch(id) : undefined);
  return {
    started: startResult ? startResult.ok : t !== null && t !== undefined,
    rejected: startResult ? rejection(startResult) : null,
    outcome: t?.outcome ?? (startResult?.ok ? 'pending' : 'none'),
    failureReason: t?.failureReason ?? null,
    requests: (t?.requests ?? []).map((r) => ({ status: r.status, bytes: r.bytes })),
    swEvents: settled?.swEvents ?? (t?.swEvents ?? []).map((e) => e.type),
    page,
  };
}

/** Start, settle, read the page's view: the common "run one fetch" of most scenarios. */
export async function runFetch(
  ctx: ScenarioContext,
  s: HarnessSession,
  id: string,
  requests: RequestDesc[],
  options?: { [key: string]: Json },
  ms = 15_000,
): Promise<{ facts: FetchFacts; timeline: FetchTimeline | null }> {
  const r = await start(s, id, requests, options);
  if (!r.ok) return { facts: facts(null, null, r), timeline: null };
  const settled = await settle(ctx, s, id, ms);
  if (!settled) return { facts: facts(null, null, r, id, s), timeline: s.recorder.fetch(id) ?? null };
  return { facts: facts(settled, await pageView(ctx, s, id), r), timeline: settled.timeline };
}

/** A byte check with no page view to check: a failure to observe, never a pass. */
export const NO_PAGE_VIEW: Judgement = {
  verdict: 'error',
  summary:
    "The page's view of the registration (downloaded, downloadTotal) was not observed: harness.waitForResult gave nothing, so the byte check could not run.",
};

/** The usual judgement of "this fetch should end like so". */
export function expectEnd(
  f: FetchFacts,
  want: { outcome: 'success' | 'failure' | 'aborted'; failureReason?: string | null; swEvent: string },
): Judgement {
  if (!f.started) return { verdict: 'deviates', summary: `fetch() rejected: ${f.rejected?.name}: ${f.rejected?.message}` };
  const got = `${f.outcome}${f.failureReason ? ` (${f.failureReason})` : ''}`;
  const wanted = `${want.outcome}${want.failureReason ? ` (${want.failureReason})` : ''}`;
  if (f.outcome !== want.outcome || (want.failureReason !== undefined && f.failureReason !== want.failureReason)) {
    return { verdict: 'deviates', summary: `Ended ${got}; expected ${wanted}.` };
  }
  if (!f.swEvents.includes(want.swEvent)) {
    return {
      verdict: 'deviates',
      summary: `Ended ${got} but the service worker got ${f.swEvents.join(', ') || 'no event'}, not ${want.swEvent}.`,
    };
  }
  return { verdict: 'conforms', summary: `Ended ${got}; the worker got ${want.swEvent}.` };
}

/** A rejection scenario's judgement: fetch() must reject with `name` (message is kept as evidence). */
export function expectRejection(r: { name: string; message: string } | null, name: string, what: string): Judgement {
  if (!r) return { verdict: 'deviates', summary: `fetch() accepted ${what}; expected a ${name}.` };
  if (r.name !== name)
    return { verdict: 'deviates', summary: `fetch() rejected ${what} with ${r.name} ("${r.message}"); expected a ${name}.` };
  return { verdict: 'conforms', summary: `fetch() rejected ${what} with ${r.name}: "${r.message}".` };
}
