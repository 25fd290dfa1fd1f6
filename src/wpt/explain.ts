/**
 * A line per subtest that did not pass: its assertion, quoted, and the evidence that bears on it,
 * the background fetches registered between the previous result and this one (subtests of a file
 * run one after another), how each ended, and whether its requests reached the server at all.
 * Where nothing was recorded in that time (an IDL `.length` mismatch has nothing to do with
 * registrations), it says so and guesses no cause. The full timelines are in the evidence; this
 * points the reader at the right one.
 */
import type { FetchEvidence } from '../evidence/evidence.js';
import type { WptSubtest } from './types.js';

function describeFetch(f: FetchEvidence): string {
  const reached = f.requests.filter((r) => r.served.length > 0).length;
  const end = f.outcome === 'pending' ? 'still pending' : `${f.outcome}${f.failureReason ? ` (${f.failureReason})` : ''}`;
  return `background fetch "${f.id}" ${end}, ${reached} of ${f.requests.length} request(s) reached the server`;
}

/** `arrivedAt`: when each result reached the runner; `startedAt`: the test file's start. */
export function explainSubtests(
  subtests: readonly WptSubtest[],
  arrivedAt: ReadonlyMap<string, number>,
  fetches: readonly FetchEvidence[],
  startedAt: number,
): string[] {
  const out: string[] = [];
  let previous = startedAt;
  for (const s of [...subtests].sort((a, b) => (arrivedAt.get(a.name) ?? Infinity) - (arrivedAt.get(b.name) ?? Infinity))) {
    const at = arrivedAt.get(s.name) ?? Infinity;
    if (s.status !== 'PASS') {
      const during = fetches.filter((f) => f.registeredAt !== null && f.registeredAt > previous && f.registeredAt <= at);
      const assertion = s.message ? `the assertion: ${JSON.stringify(s.message)}` : 'no assertion message';
      out.push(
        during.length
          ? `${s.status} "${s.name}": ${assertion}; evidence from its time: ${during.map(describeFetch).join('; ')}.`
          : `${s.status} "${s.name}": no evidence recorded for this subtest; ${assertion}.`,
      );
    }
    if (Number.isFinite(at)) previous = at;
  }
  return out;
}
