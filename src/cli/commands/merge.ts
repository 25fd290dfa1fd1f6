/**
 * `bgprobe merge <shards...>`: every input (and the baseline) validated first (exit 2, nothing
 * written), then one report, compared with the baseline when one is given. The CI gate of a
 * sharded run lives here: only the merged report covers the whole selection.
 */
import { resolve } from 'node:path';
import { describeComparison } from '../../report/diff.js';
import { loadReport } from '../../report/load.js';
import { renderMarkdown } from '../../report/markdown.js';
import { compareMerged, mergeReports, missingShards } from '../../report/merge.js';
import { summaryLines } from '../../report/view.js';
import { writeReport } from '../../report/write.js';
import { SCENARIOS, SKIPPED, selectionMatcher } from '../../scenarios/registry.js';
import { publishToCi, reportAnnotations } from '../ci.js';
import type { CommandContext } from '../command.js';
import { EXIT, failOnCode, type ExitCode } from '../exit-codes.js';
import type { MergeOptions } from '../options.js';

export async function runMergeCommand(options: MergeOptions, ctx: CommandContext): Promise<ExitCode> {
  const { output } = ctx;
  const inputs = options.inputs.map((p) => ({ model: loadReport(resolve(ctx.cwd, p)), source: p }));
  const baseline = options.baseline ? loadReport(resolve(ctx.cwd, options.baseline)) : null;
  const merged = mergeReports(
    inputs,
    [...SCENARIOS, ...SKIPPED].map((s) => s.id),
  );
  if (baseline) merged.comparison = compareMerged(baseline, merged, options.baseline!, selectionMatcher(merged.run.selection));
  const files = writeReport(resolve(ctx.cwd, options.out), merged, options.formats, {
    inputs: options.inputs.map((p) => resolve(ctx.cwd, p)),
  });
  const missing = missingShards(merged);
  if (missing.length)
    output.err(`bgprobe: warning: shard ${missing.join(', ')} is not among the inputs: the merged report covers part of the suite.`);
  for (const line of summaryLines(merged)) output.err(line);
  if (merged.comparison) for (const line of describeComparison(merged.comparison)) output.err(line);
  for (const path of Object.values(files)) output.err(`Wrote ${path}`);
  publishToCi(output, process.env, {
    markdown: renderMarkdown(merged),
    annotations: reportAnnotations(merged, options.failOn, { onlyFailing: true }),
    stepSummary: options.stepSummary,
  });
  if (options.failOn.length === 0) return EXIT.ok;
  // A shard that was interrupted did not finish its scenarios: not a pass for a gate.
  if (merged.run.interrupted) {
    output.err('bgprobe: a merged shard was interrupted: its unfinished scenarios are not in the report. Exit 1.');
    return EXIT.failed;
  }
  return failOnCode(merged, options.failOn);
}
