/**
 * The behaviour suite's data model. A scenario is data (id, title, what the spec or MDN says,
 * a link) plus two functions kept apart on purpose:
 *
 * - `run(ctx)` drives the browser and returns an observation: plain JSON facts, no judgement.
 *   The observation is what `bgprobe diff` compares between runs ("observed behaviour").
 * - `judge(observation)` turns the facts into a verdict. Pure, so it can be unit-tested and
 *   re-applied to a stored observation.
 *
 * Evidence (timelines, probe records, server requests) is gathered by the context, not by the
 * scenario, so every scenario carries the same kinds of evidence without repeating itself.
 */
import type { ScenarioContext } from './context.js';
import type { Json, Verdict } from '../report/model.js';
import { EVIDENCE_KINDS, type EvidenceKind } from '../browsers/types.js';

export { NotAutomatable, UnsupportedFeature } from '../errors.js';

// The verdicts and JSON values are the report format's (one declaration each).
export { VERDICTS, type Json, type Verdict } from '../report/model.js';

/** What a scenario's run observed: plain JSON facts (stored in report.json). */
export type Observation = { [key: string]: Json };

export interface Judgement {
  verdict: Verdict;
  /** One sentence: what the browser did, compared with what was expected. */
  summary: string;
}

export type ScenarioGroup = 'api' | 'fetch' | 'failure' | 'abort' | 'progress' | 'records' | 'ui' | 'lifecycle' | 'devtools' | 'services';

export interface ScenarioDef<O extends Observation = Observation> {
  /** Dotted, stable: `fetch.success.multi-request`. Reports and baselines key on it. */
  id: string;
  title: string;
  /** What the spec or MDN says should happen, in a sentence or two. */
  expectation: string;
  /** The spec section (or MDN page) the expectation comes from. */
  link: string;
  /** ms; the runner's --timeout applies when absent. Lifecycle scenarios need longer. */
  timeout?: number;
  /**
   * Needs the browser to itself: it does something browser-wide (to every context's workers,
   * say), so the runner runs it with no other scenario in flight on that browser. None of the
   * suite does today: lifecycle.sw-stopped stops its own worker only (ServiceWorker.stopWorker).
   */
  exclusive?: boolean;
  /**
   * Launches a browser of its own from the lane's binary, on a profile (or in a network
   * namespace) of its own: it holds nothing of the lane's shared browser while it runs, so the
   * runner overlaps it with anything, the lane's exclusive scenarios included, and the shared
   * browser's loss after its gate (the exposure probe) does not re-run it.
   */
  ownBrowser?: boolean;
  /**
   * The evidence its run and judge rely on. On an engine that does not provide one of them the
   * scenario is `not-automatable`, with the reason. Default: all of them (cdp, worker-probe,
   * page, server); a scenario judged from the harness page's and worker's own records and the
   * server log declares ['page', 'server'] and runs on every engine.
   */
  needs?: readonly EvidenceKind[];
  /**
   * False for scenarios that measure whether Background Fetch is there (exposure) or test
   * another service: the others are `unsupported`, with the exposure probe's result as their
   * evidence, where the API is absent. Default true.
   */
  needsBackgroundFetch?: boolean;
  run(ctx: ScenarioContext): Promise<O>;
  judge(observation: O): Judgement;
}

/** A scenario with its observation type erased, as the registry and the runner hold it. */
export interface Scenario {
  id: string;
  title: string;
  expectation: string;
  link: string;
  group: ScenarioGroup;
  timeout?: number;
  exclusive: boolean;
  ownBrowser: boolean;
  needs: readonly EvidenceKind[];
  needsBackgroundFetch: boolean;
  run(ctx: ScenarioContext): Promise<Observation>;
  judge(observation: Observation): Judgement;
}

export function defineScenario<O extends Observation>(def: ScenarioDef<O>): Scenario {
  const group = def.id.split('.')[0] as ScenarioGroup;
  return {
    id: def.id,
    title: def.title,
    expectation: def.expectation,
    link: def.link,
    group,
    ...(def.timeout !== undefined ? { timeout: def.timeout } : {}),
    exclusive: def.exclusive ?? false,
    ownBrowser: def.ownBrowser ?? false,
    needs: def.needs ?? EVIDENCE_KINDS,
    needsBackgroundFetch: def.needsBackgroundFetch ?? true,
    run: (ctx) => def.run(ctx),
    // The runner only ever hands a judge the observation its own run produced.
    judge: (o) => def.judge(o as O),
  };
}

export const SPEC = 'https://wicg.github.io/background-fetch/';
export const MDN = 'https://developer.mozilla.org/en-US/docs/Web/API/Background_Fetch_API';
export const MDN_REG = 'https://developer.mozilla.org/en-US/docs/Web/API/BackgroundFetchRegistration';
export const MDN_MANAGER = 'https://developer.mozilla.org/en-US/docs/Web/API/BackgroundFetchManager';
export const CDP_BGS = 'https://chromedevtools.github.io/devtools-protocol/tot/BackgroundService/';
