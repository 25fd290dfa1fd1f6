/** `bgprobe diff a.json b.json`: print what changed; exit 1 on a regression (a missing result included) or an interrupted b, 2 on a bad file. */
import { resolve } from 'node:path';
import { describeComparison, diffReports } from '../../report/diff.js';
import { loadReport } from '../../report/load.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { DiffOptions } from '../options.js';

export async function runDiffCommand(options: DiffOptions, ctx: CommandContext): Promise<ExitCode> {
  const a = loadReport(resolve(ctx.cwd, options.a));
  const b = loadReport(resolve(ctx.cwd, options.b));
  const comparison = diffReports(a, b, options.a);
  if (options.json) ctx.output.out(JSON.stringify(comparison, undefined, 2));
  else for (const line of describeComparison(comparison)) ctx.output.out(line);
  // An interrupted run is incomplete even where nothing is missing against this baseline.
  if (b.run.interrupted)
    ctx.output.err(`${options.b} is the report of an interrupted run: scenarios it did not finish are missing, not passed. Exit 1.`);
  return comparison.regressions > 0 || b.run.interrupted ? EXIT.failed : EXIT.ok;
}
