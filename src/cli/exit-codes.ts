import type { ReportModel } from '../report/model.js';
import type { FailOn } from './options.js';

/** The CLI's exit codes: the contract CI pipelines rely on. */
export const EXIT = {
  ok: 0,
  /** A check or scenario failed, a comparison regressed, or a recording ended abnormally. */
  failed: 1,
  /** Bad usage or input: a flag, a file, an unreachable endpoint, no browser. */
  usage: 2,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** 1 when a --fail-on condition holds for the report, else 0. An empty list gates nothing. */
export function failOnCode(report: ReportModel, failOn: readonly FailOn[]): ExitCode {
  const v = report.summary.byVerdict;
  if (failOn.includes('errors') && v.error > 0) return EXIT.failed;
  // Deviations are the stricter bar: an error is at least as bad as a deviation.
  if (failOn.includes('deviates') && (v.deviates > 0 || v.error > 0)) return EXIT.failed;
  if (failOn.includes('regressions') && (report.comparison?.regressions ?? 0) > 0) return EXIT.failed;
  if (failOn.includes('flaky') && (report.summary.flaky?.total ?? 0) > 0) return EXIT.failed;
  return EXIT.ok;
}
