/** Run every rule over a timeline; findings for a whole recording; severity helpers. */
import type { FetchCallRecord, ProbeRecord, UnknownListenerRecord } from '../probes/types.js';
import { fetchRejectedFinding, RULES, unknownEventListener } from './rules.js';
import { SEVERITIES, type Finding, type FindingInput, type Severity } from './types.js';

export * from './types.js';
export { RULES, BACKGROUND_FETCH_EVENTS } from './rules.js';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Every finding of one timeline: errors first, then warnings, then info, each in rule order. */
export function findingsFor(t: FindingInput): Finding[] {
  return RULES.flatMap((rule) => rule(t)).sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

/** Does `f` count at `threshold`? ('warning' counts errors and warnings). */
export function atLeast(f: Pick<Finding, 'severity'>, threshold: Severity): boolean {
  return RANK[f.severity] <= RANK[threshold];
}

export function isSeverity(s: unknown): s is Severity {
  return typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
}

/** `error  no-listener  The backgroundfetchfail event ...` */
export function formatFinding(f: Finding): string {
  return `${f.severity.padEnd(7)} ${f.code}: ${f.message}`;
}

/**
 * Findings no timeline holds: a fetch() that rejected (nothing was registered, so no timeline
 * exists for it) and listeners for non-events of an origin that has no timeline. `timelines`
 * are the recording's, whose own findings already cover the rest.
 */
export function unjoinedFindings(
  records: readonly ProbeRecord[],
  timelines: ReadonlyArray<{ id: string; origin: string; fetchCalls: readonly FetchCallRecord[] }>,
): Finding[] {
  const key = (c: FetchCallRecord) => `${c.origin} ${c.id} ${c.at}`;
  const joined = new Set(timelines.flatMap((t) => t.fetchCalls.map(key)));
  const origins = new Set(timelines.map((t) => t.origin.replace(/\/$/, '')));
  const calls = records.filter((r): r is FetchCallRecord => r.kind === 'fetch-call' && !r.ok && !joined.has(key(r)));
  const seen = new Set<string>();
  const unknown = records.filter((r): r is UnknownListenerRecord => {
    if (r.kind !== 'unknown-listener' || origins.has(r.origin.replace(/\/$/, ''))) return false;
    const key = `${r.origin} ${r.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const orphan: FindingInput = {
    id: '',
    origin: '',
    outcome: 'pending',
    failureReason: null,
    completedAt: null,
    requests: [],
    progress: [],
    swEvents: [],
    uiUpdates: [],
    records: [],
    fetchCalls: [],
    openWindows: [],
    unknownListeners: unknown,
  };
  return [...calls.map(fetchRejectedFinding), ...unknownEventListener(orphan)];
}
