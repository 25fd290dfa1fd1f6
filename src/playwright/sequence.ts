/**
 * toHaveEventSequence: one ordered list per fetch, merging what CDP logged with what the probes
 * saw in the service worker, so a test can say "completed, then backgroundfetchsuccess, then
 * updateUI" even though those come from two different sources.
 *
 * A CDP event answers to its short kind ('request-completed') and to its Chromium name
 * ('Request processing completed'); a worker event to its DOM type; an updateUI call to
 * 'updateUI'. Unknown names are a usage error at once: a typo would otherwise poll to the
 * deadline and fail with a message about the fetch rather than about the test.
 */
import type { FetchTimeline } from '../recorder/timeline.js';
import { FETCH_EVENT_NAMES, type FetchEventKind } from '../recorder/normalise.js';
import { didYouMean } from '../util/did-you-mean.js';
import { settledWithLateRecords, type CheckResult } from './checks.js';

export const EVENT_KINDS = Object.keys(FETCH_EVENT_NAMES) as FetchEventKind[];
export const CDP_EVENT_NAMES = Object.values(FETCH_EVENT_NAMES);
export const WORKER_EVENT_NAMES = [
  'backgroundfetchsuccess',
  'backgroundfetchfail',
  'backgroundfetchabort',
  'backgroundfetchclick',
  'updateUI',
] as const;

const KNOWN = new Set<string>([...EVENT_KINDS, ...CDP_EVENT_NAMES, ...WORKER_EVENT_NAMES]);
const PROBE_NAMES = new Set<string>(WORKER_EVENT_NAMES);

export interface SequenceItem {
  at: number;
  /** Every name this item answers to; the first is the one shown. */
  names: string[];
}

export function timelineSequence(t: FetchTimeline): SequenceItem[] {
  const items: Array<SequenceItem & { order: number }> = [];
  let order = 0;
  for (const e of t.events) items.push({ at: e.at, names: e.kind ? [e.kind, e.name] : [e.name], order: order++ });
  for (const s of t.swEvents) items.push({ at: s.at, names: [s.type], order: order++ });
  for (const u of t.uiUpdates) items.push({ at: u.at, names: ['updateUI'], order: order++ });
  return items.sort((a, b) => a.at - b.at || a.order - b.order).map(({ at, names }) => ({ at, names }));
}

/** Throws a TypeError naming the unknown entry (and the nearest known one). */
export function validateSequence(names: readonly string[]): void {
  // The runtime checks below narrow `names` to any[]; loop over the declared type.
  const list: readonly string[] = names;
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
    throw new TypeError("toHaveEventSequence(names): names must be a non-empty array of event names, e.g. ['registered', 'completed'].");
  }
  for (const n of list) {
    if (KNOWN.has(n)) continue;
    const near = didYouMean(n, [...KNOWN]);
    throw new TypeError(
      `toHaveEventSequence: unknown event name ${JSON.stringify(n)}.${near ? ` Did you mean ${JSON.stringify(near)}?` : ''} ` +
        `Known: ${[...EVENT_KINDS, ...WORKER_EVENT_NAMES].join(', ')} (or a Chromium event name such as "Background Fetch completed").`,
    );
  }
}

export function checkSequence(t: FetchTimeline, names: readonly string[], now: number): CheckResult {
  const items = timelineSequence(t);
  let next = 0;
  let matched = 0;
  for (const want of names) {
    let found = -1;
    for (let i = next; i < items.length; i++) {
      if (items[i].names.includes(want)) {
        found = i;
        break;
      }
    }
    if (found === -1) break;
    matched++;
    next = found + 1;
  }
  const pass = matched === names.length;
  const shown = items.map((i) => i.names[0]);
  const settled = t.outcome !== 'pending' && t.completedAt !== null;
  const needsProbes = names.some((n) => PROBE_NAMES.has(n));
  const received =
    (shown.length ? `[${shown.join(', ')}]` : '[] (nothing recorded yet)') +
    (pass
      ? ''
      : `; matched ${matched} of ${names.length}, no ${JSON.stringify(names[matched])} after ${matched ? JSON.stringify(names[matched - 1]) : 'the start'}`);
  return {
    pass,
    // CDP logs nothing after "completed"; worker events and updateUI come a little later.
    final: needsProbes ? settledWithLateRecords(t, now) : settled,
    expected: `[${names.join(', ')}] in this order (gaps allowed)`,
    received,
    expectedValue: [...names],
    actualValue: shown,
  };
}
