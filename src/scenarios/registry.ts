/**
 * The suite: every scenario, in report order, and the skip list. A skipped behaviour is still
 * listed in every report (verdict `skipped` with its reason), so a gap is visible, not silent.
 */
import { UsageError } from '../errors.js';
import { BCD_SCENARIOS } from './defs/bcd.js';
import { DEVTOOLS_SCENARIOS } from './defs/devtools.js';
import { FAILURE_SCENARIOS } from './defs/failure.js';
import { FETCH_SCENARIOS } from './defs/fetch.js';
import { LIFECYCLE_SCENARIOS } from './defs/lifecycle.js';
import { OFFLINE_SCENARIOS } from './defs/offline.js';
import { RECORD_SCENARIOS } from './defs/records.js';
import { SERVICE_SCENARIOS } from './defs/services.js';
import { WORKER_SCENARIOS } from './defs/worker.js';
import type { Scenario } from './types.js';
import { globToRegExp } from '../util/regexp.js';

export const SCENARIOS: readonly Scenario[] = [
  ...BCD_SCENARIOS,
  ...FETCH_SCENARIOS,
  ...WORKER_SCENARIOS,
  ...FAILURE_SCENARIOS,
  ...RECORD_SCENARIOS,
  ...LIFECYCLE_SCENARIOS,
  ...OFFLINE_SCENARIOS,
  ...DEVTOOLS_SCENARIOS,
  ...SERVICE_SCENARIOS,
];

export interface SkipEntry {
  id: string;
  title: string;
  /** Why it is not run: what would be needed. */
  reason: string;
  link: string;
}

export const SKIPPED: readonly SkipEntry[] = [
  {
    id: 'fetch.reject.mixed-content',
    title: 'Mixed content is refused',
    reason:
      'Needs an https fixture origin with a certificate the browser trusts; the fixture server is plain http on loopback (a potentially trustworthy origin), so there is no mixed content to provoke. Disallowed schemes are covered by fetch.reject.disallowed-scheme.',
    link: 'https://wicg.github.io/background-fetch/#background-fetch-manager-fetch',
  },
  {
    id: 'failure.quota-exceeded',
    title: 'A body too large for the quota fails with quota-exceeded',
    reason:
      "Measured: an off-the-record context holds 128 MiB and fails at 256 MiB (as fetch-error). Streaming that much takes longer than the whole suite's 120 s budget on a 2-core machine.",
    link: 'https://wicg.github.io/background-fetch/#background-fetch-failure-reason',
  },
];

/** Whether a scenario id is in a selection of globs (all when none). */
export function selectionMatcher(globs: readonly string[]): (id: string) => boolean {
  const res = globs.map((g) => globToRegExp(g));
  return (id) => res.length === 0 || res.some((r) => r.test(id));
}

/** Scenarios (and skip entries) whose id matches any glob; all when none given. */
export function selectScenarios(globs: readonly string[]): { scenarios: Scenario[]; skipped: SkipEntry[] } {
  if (globs.length === 0) return { scenarios: [...SCENARIOS], skipped: [...SKIPPED] };
  const res = globs.map((g) => globToRegExp(g));
  const match = (id: string) => res.some((r) => r.test(id));
  // Each glob must match something: a typo beside a glob that matches would otherwise drop its
  // scenarios from the run without a word.
  const ids = [...SCENARIOS, ...SKIPPED].map((s) => s.id);
  const unmatched = globs.filter((_, i) => !ids.some((id) => res[i].test(id)));
  if (unmatched.length) {
    throw new UsageError(`No scenario matches ${unmatched.map((g) => `"${g}"`).join(', ')}. Run \`bgprobe scenarios\` for the list.`);
  }
  return { scenarios: SCENARIOS.filter((s) => match(s.id)), skipped: SKIPPED.filter((s) => match(s.id)) };
}
