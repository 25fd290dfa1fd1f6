/**
 * What a command tells the CI it runs in, beside its reports: its Markdown summary appended to
 * GitHub's step summary (`$GITHUB_STEP_SUMMARY`, as Playwright's and Vitest's reporters do), and
 * one workflow command per result that needs a look (`::warning` / `::error`), which GitHub shows
 * as an annotation on the run. Any command calls `publishToCi` with its own Markdown and
 * annotations; `reportAnnotations` builds them from a report model.
 *
 * An annotation is an `error` when that condition fails the build under the run's `--fail-on`
 * (the annotation then says why the job is red), a `warning` otherwise.
 */
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { atLeast } from '../findings/index.js';
import type { Finding, Severity } from '../findings/types.js';
import type { ReportModel } from '../report/model.js';
import { countsAsRegression } from '../report/diff.js';
import type { FailOn } from './options.js';
import type { Output } from './output.js';

export interface Annotation {
  level: 'warning' | 'error';
  title: string;
  message: string;
}

/**
 * GitHub's escaping for a workflow command's message (`@actions/core`'s `escapeData`): `%` first,
 * so the escapes it adds are not escaped again, then the line breaks that would end the command.
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (`title=...`) also ends at `,` (next property) and `:` (`::` ends them all). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::warning title=...::message`, one line whatever the strings hold. */
export function workflowCommand(a: Annotation): string {
  return `::${a.level} title=${escapeProperty(a.title)}::${escapeData(a.message)}`;
}

/**
 * Deviations and errors of a report's results, and the regressions of its comparison with a
 * baseline: one annotation each, naming the scenario id and the browser. `onlyFailing` keeps the
 * results that fail the build under `failOn` (and every regression): `merge` uses it, because
 * the shards it merges annotated their own deviations already.
 */
export function reportAnnotations(report: ReportModel, failOn: readonly FailOn[], options: { onlyFailing?: boolean } = {}): Annotation[] {
  const out: Annotation[] = [];
  for (const r of report.results) {
    if (r.verdict !== 'deviates' && r.verdict !== 'error') continue;
    // Deviations are the stricter bar (as in the exit code): an error fails under either.
    const fails = failOn.includes('deviates') || (r.verdict === 'error' && failOn.includes('errors'));
    if (options.onlyFailing && !fails) continue;
    out.push({
      level: fails ? 'error' : 'warning',
      title: `bgprobe: ${r.scenarioId} [${r.browser}] ${r.verdict}`,
      message: `${r.scenarioId} [${r.browser}]: ${r.summary}`,
    });
  }
  const comparison = report.comparison;
  if (comparison) {
    for (const c of comparison.changes.filter(countsAsRegression)) {
      const verdicts = c.to === null ? `${c.from ?? 'none'} -> missing (the scenario did not run)` : `${c.from ?? 'none'} -> ${c.to}`;
      const fields = c.observed.slice(0, 3).map((o) => `${o.path}: ${o.from} -> ${o.to}`);
      const what = fields.length ? `${verdicts} (${fields.join('; ')}${c.observed.length > 3 ? '; ...' : ''})` : verdicts;
      out.push({
        level: failOn.includes('regressions') ? 'error' : 'warning',
        title: `bgprobe: ${c.scenarioId} [${c.browser}] regressed`,
        message: `${c.scenarioId} [${c.browser}] regressed against ${comparison.baseline}: ${what}`,
      });
    }
  }
  return out;
}

/**
 * `audit`'s findings, one annotation each with the fetch's developer id (null: tied to no
 * fetch): an error when it fails the build under `--fail-on`, a warning otherwise; an `info`
 * that does not fail it is left to the report.
 */
export function findingAnnotations(findings: ReadonlyArray<Finding & { fetch: string | null }>, failOn: Severity): Annotation[] {
  const out: Annotation[] = [];
  for (const f of findings) {
    const fails = atLeast(f, failOn);
    if (!fails && f.severity === 'info') continue;
    const where = f.fetch === null ? 'the run' : `fetch "${f.fetch}"`;
    out.push({
      level: fails ? 'error' : 'warning',
      title: `bgprobe audit: ${f.code} (${where})`,
      message: `${f.severity} ${f.code} in ${where}: ${f.message}`,
    });
  }
  return out;
}

/** GitHub's limit for one step's summary file. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export interface CiPublish {
  /** The command's Markdown summary (report.md's text). */
  markdown: string;
  annotations: readonly Annotation[];
  /** false with --no-step-summary. */
  stepSummary: boolean;
}

/**
 * Append the summary to `$GITHUB_STEP_SUMMARY` when it is set (and allowed), and print the
 * annotations as workflow commands when `GITHUB_ACTIONS` is set. GitHub reads workflow commands
 * from stdout. A summary file that cannot be written costs a warning, not the run: the reports
 * are written already and the exit code must stay the run's.
 */
export function publishToCi(output: Output, env: NodeJS.ProcessEnv, what: CiPublish): void {
  const summaryFile = env['GITHUB_STEP_SUMMARY'];
  if (what.stepSummary && summaryFile) {
    try {
      const text = what.markdown.endsWith('\n') ? `${what.markdown}\n` : `${what.markdown}\n\n`;
      const used = existsSync(summaryFile) ? statSync(summaryFile).size : 0;
      // GitHub drops a step's whole summary above 1 MiB: the matrix gives way to a pointer.
      const fits = used + Buffer.byteLength(text) <= STEP_SUMMARY_LIMIT;
      appendFileSync(
        summaryFile,
        fits
          ? text
          : `bgprobe: the summary (${Buffer.byteLength(text)} bytes) would pass GitHub's 1 MiB step summary limit: see report.md in the report.\n\n`,
      );
    } catch (e) {
      output.err(
        `bgprobe: warning: could not append the summary to GITHUB_STEP_SUMMARY (${summaryFile}): ${e instanceof Error ? e.message : String(e)}. Pass --no-step-summary to skip it.`,
      );
    }
  }
  if (isSet(env['GITHUB_ACTIONS'])) for (const a of what.annotations) output.out(workflowCommand(a));
}

/** GitHub sets `GITHUB_ACTIONS=true`; an empty value or `false` (a local re-run) means off. */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value.toLowerCase() !== 'false';
}
