import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { parseFormats, type Format } from '../../report/formats.js';
import { str, strList, type CommandSpec } from '../command.js';

export interface MergeOptions {
  inputs: string[];
  out: string;
  formats: Format[];
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
      .example('$0 merge shard-1/report.json shard-2/report.json --out merged', 'one report from two shards'),
  toOptions(argv) {
    const inputs = strList(argv, 'reports');
    if (inputs.length === 0) throw new UsageError('Give the shard reports to merge: bgprobe merge <a.json> <b.json> ...');
    return { inputs, out: str(argv, 'out') ?? 'bgprobe-report', formats: parseFormats(strList(argv, 'format')) };
  },
  async run(options, ctx) {
    const { runMergeCommand } = await import('./merge.js');
    return runMergeCommand(options, ctx);
  },
};
