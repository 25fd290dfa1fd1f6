/** `bgprobe merge <shards...>`: every input validated first (exit 2, nothing written), then one report. */
import { resolve } from 'node:path';
import { mergeReports, missingShards } from '../../report/merge.js';
import { loadReport } from '../../report/load.js';
import { SCENARIOS, SKIPPED } from '../../scenarios/registry.js';
import { summaryLines } from '../../report/view.js';
import { writeReport } from '../../report/write.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { MergeOptions } from '../options.js';

export async function runMergeCommand(options: MergeOptions, ctx: CommandContext): Promise<ExitCode> {
  const inputs = options.inputs.map((p) => ({ model: loadReport(resolve(ctx.cwd, p)), source: p }));
  const merged = mergeReports(
    inputs,
    [...SCENARIOS, ...SKIPPED].map((s) => s.id),
  );
  const files = writeReport(resolve(ctx.cwd, options.out), merged, options.formats, { inputs: options.inputs.map((p) => resolve(ctx.cwd, p)) });
  const missing = missingShards(merged);
  if (missing.length) ctx.output.err(`bgprobe: warning: shard ${missing.join(', ')} is not among the inputs: the merged report covers part of the suite.`);
  for (const line of summaryLines(merged)) ctx.output.err(line);
  for (const path of Object.values(files)) ctx.output.err(`Wrote ${path}`);
  return EXIT.ok;
}
