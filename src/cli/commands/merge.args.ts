import { defineCommand } from '../command.js';
import { formatFlag, outDirFlag } from '../flags.js';
import type { MergeOptions } from '../options.js';

export const mergeCommand = defineCommand({
  name: 'merge',
  usage: 'merge <reports..>',
  describe: 'Combine the report.json files of a sharded run (--shard i/n) into one report',
  needs: 'Give the shard reports to merge: bgprobe merge <a.json> <b.json> ...',
  positionals: {
    reports: { type: 'string', array: true, demandOption: true, describe: 'Shard report.json files' },
  },
  flags: {
    out: outDirFlag(),
    format: formatFlag(),
  },
  examples: [['$0 merge shard-1/report.json shard-2/report.json --out merged', 'one report from two shards']],
  toOptions: (argv): MergeOptions => ({ inputs: argv.reports, out: argv.out, formats: argv.format }),
  async run(options, ctx) {
    const { runMergeCommand } = await import('./merge.js');
    return runMergeCommand(options, ctx);
  },
});
