/**
 * Findings: what is wrong (or worth knowing) about one background fetch, computed by small pure
 * rules over its timeline. The rules read only the facts below, which a recorder timeline has
 * (FetchTimeline satisfies FindingInput structurally), so this layer sits under the recorder
 * and the unit tests can hand-make every input.
 */
import type {
  FetchCallRecord,
  OpenWindowRecord,
  ProgressSample,
  RecordsRecord,
  SwEventRecord,
  UiUpdateRecord,
  UnknownListenerRecord,
} from '../probes/types.js';

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** A JSON value: evidence goes into report.json as it is. */
export type FindingValue = string | number | boolean | null | FindingValue[] | { [key: string]: FindingValue };

export interface Finding {
  /** Stable, kebab-case: 'no-listener', 'wait-until-rejected', ... */
  code: string;
  severity: Severity;
  /** One or two sentences: what happened, what it does to the user, what to change. */
  message: string;
  /** The facts the finding rests on (times in ms since the epoch). */
  evidence: { [key: string]: FindingValue };
}

/** What the rules read of a timeline. */
export interface FindingInput {
  id: string;
  origin: string;
  outcome: 'pending' | 'success' | 'failure' | 'aborted';
  failureReason: string | null;
  completedAt: number | null;
  requests: ReadonlyArray<{ index: number; url: string; status: number | null; bytes: number | null }>;
  progress: readonly ProgressSample[];
  swEvents: readonly SwEventRecord[];
  uiUpdates: readonly UiUpdateRecord[];
  records: readonly RecordsRecord[];
  fetchCalls: readonly FetchCallRecord[];
  openWindows: readonly OpenWindowRecord[];
  unknownListeners: readonly UnknownListenerRecord[];
}

export type Rule = (t: FindingInput) => Finding[];
