import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { parseFormats, type Format } from '../../report/formats.js';
import { str, strList, type CommandSpec } from '../command.js';
import { parseFailOn, type FailOn } from './compat.args.js';

export interface MergeOptions {
  inputs: string[];
  out: string;
  formats: Format[];
  baseline: string | null;
  /** Empty: merge exits 0 whatever the verdicts (the shards' own runs gate them). */
  failOn: FailOn[];
  stepSummary: boolean;
}

export const mergeCommand: CommandSpec<MergeOptions> = {
  name: 'merge',
  usage: 'merge <reports..>',
  describe: 'Combine the report.json files of a sharded run (--shard i/n) into one report',
  builder: (y: Argv) =>
    y
      .positional('reports', { type: 'string', array: true, describe: 'Shard report.json files' })
      .option('out', { type: 'string', default: 'bgprobe-report', describe: 'Report directory: a new one, or one holding only a previous report (replaced atomically; anything else there is refused)' })
      .option('format', { type: 'string', array: true, describe: 'html,json,md,junit (default all)' })
      .option('baseline', { type: 'string', describe: 'A previous report.json to compare the merged run with (a shard that is missing counts as missing results)' })
      .option('fail-on', { type: 'string', array: true, describe: 'What makes the exit code 1: deviates, regressions (needs --baseline), errors. Default: nothing' })
      .option('step-summary', { type: 'boolean', default: true, describe: 'Append the Markdown summary to $GITHUB_STEP_SUMMARY when that is set (GitHub Actions); --no-step-summary: do not' })
      .example('$0 merge shard-1/report.json shard-2/report.json --out merged', 'one report from two shards')
      .example('$0 merge shards/*/report.json --baseline last/report.json --fail-on regressions', 'the CI gate: exit 1 when a verdict got worse or a result is missing'),
  toOptions(argv) {
    const inputs = strList(argv, 'reports');
    if (inputs.length === 0) throw new UsageError('Give the shard reports to merge: bgprobe merge <a.json> <b.json> ...');
    const baseline = str(argv, 'baseline') ?? null;
    return {
      inputs,
      out: str(argv, 'out') ?? 'bgprobe-report',
      formats: parseFormats(strList(argv, 'format')),
      baseline,
      failOn: parseFailOn(argv, baseline),
      stepSummary: argv['step-summary'] !== false,
    };
  },
  async run(options, ctx) {
    const { runMergeCommand } = await import('./merge.js');
    return runMergeCommand(options, ctx);
  },
};
