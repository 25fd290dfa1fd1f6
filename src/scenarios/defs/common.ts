/**
 * Helpers the scenario definitions share: start a fetch through the harness and wait for it,
 * and reduce a timeline to the facts a judge reads (and `bgprobe diff` compares).
 */
import type { FetchTimeline } from '../../recorder/timeline.js';
import type { HarnessResult, HarnessSession, ScenarioContext } from '../context.js';
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

export function rejection(r: HarnessResult): { name: string; message: string } | null {
  return r.ok ? null : { name: r.name ?? 'Error', message: r.message ?? '' };
}

/** Start a fetch from the page; null when fetch() rejected (the result says why). */
export async function start(s: HarnessSession, id: string, requests: RequestDesc[], options?: { [key: string]: Json }): Promise<HarnessResult> {
  return options === undefined ? s.call('start', id, requests as Json[]) : s.call('start', id, requests as Json[], options);
}

/** The timeline once "completed" is logged AND the worker got its event (it comes after). */
export async function settle(ctx: ScenarioContext, s: HarnessSession, id: string, ms = 15_000): Promise<FetchTimeline> {
  const t = await s.recorder.waitForFetch(id, { timeout: ctx.within(ms) });
  const withEvent = await ctx.poll(() => {
    const now = s.recorder.fetch(id);
    return now && now.swEvents.length > 0 ? now : undefined;
  }, 3_000, 50);
  return withEvent ?? s.recorder.fetch(id) ?? t;
}

/** The page's view once it has a result (waitForResult polls `get()` and held objects). */
export async function pageView(ctx: ScenarioContext, s: HarnessSession, id: string): Promise<FetchFacts['page']> {
  const r = await s.call('waitForResult', id, ctx.within(5_000));
  if (!r.ok && r.name !== 'TimeoutError') return null;
  return {
    result: String(r['result'] ?? ''),
    failureReason: String(r['failureReason'] ?? ''),
    downloaded: Number(r['downloaded'] ?? 0),
    downloadTotal: Number(r['downloadTotal'] ?? 0),
  };
}

export function facts(t: FetchTimeline | null | undefined, page: FetchFacts['page'] = null, startResult?: HarnessResult): FetchFacts {
  return {
    started: startResult ? startResult.ok : t !== null && t !== undefined,
    rejected: startResult ? rejection(startResult) : null,
    outcome: t?.outcome ?? 'none',
    failureReason: t?.failureReason ?? null,
    requests: (t?.requests ?? []).map((r) => ({ status: r.status, bytes: r.bytes })),
    swEvents: (t?.swEvents ?? []).map((e) => e.type),
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
  const t = await settle(ctx, s, id, ms);
  return { facts: facts(t, await pageView(ctx, s, id), r), timeline: t };
}

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
    return { verdict: 'deviates', summary: `Ended ${got} but the service worker got ${f.swEvents.join(', ') || 'no event'}, not ${want.swEvent}.` };
  }
  return { verdict: 'conforms', summary: `Ended ${got}; the worker got ${want.swEvent}.` };
}

/** A rejection scenario's judgement: fetch() must reject with `name` (message is kept as evidence). */
export function expectRejection(r: { name: string; message: string } | null, name: string, what: string): Judgement {
  if (!r) return { verdict: 'deviates', summary: `fetch() accepted ${what}; expected a ${name}.` };
  if (r.name !== name) return { verdict: 'deviates', summary: `fetch() rejected ${what} with ${r.name} ("${r.message}"); expected a ${name}.` };
  return { verdict: 'conforms', summary: `fetch() rejected ${what} with ${r.name}: "${r.message}".` };
}
