import { UsageError } from '../../errors.js';
import { commaList, defineCommand, stringFlag } from '../command.js';
import { formatFlag, outDirFlag, stepSummaryFlag } from '../flags.js';
import { FAIL_ON, type FailOn, type MergeOptions } from '../options.js';

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
    baseline: stringFlag('A previous report.json to compare the merged run with (a shard that is missing counts as missing results)'),
    'fail-on': {
      type: 'string',
      array: true,
      default: [] as string[],
      defaultDescription: 'nothing',
      coerce: commaList,
      choices: FAIL_ON,
      describe: 'What makes the exit code 1: deviates, regressions (needs --baseline), errors',
    },
    'step-summary': stepSummaryFlag(),
  },
  examples: [
    ['$0 merge shard-1/report.json shard-2/report.json --out merged', 'one report from two shards'],
    [
      '$0 merge shards/*/report.json --baseline last/report.json --fail-on regressions',
      'the CI gate: exit 1 when a verdict got worse or a result is missing',
    ],
  ],
  check(argv) {
    if (argv['fail-on'].includes('regressions') && !argv.baseline)
      throw new UsageError('--fail-on regressions needs --baseline <report.json> to compare with.');
  },
  toOptions: (argv): MergeOptions => ({
    inputs: argv.reports,
    out: argv.out,
    formats: argv.format,
    baseline: argv.baseline ?? null,
    failOn: [...new Set(argv['fail-on'])] as FailOn[],
    stepSummary: argv['step-summary'],
  }),
  async run(options, ctx) {
    const { runMergeCommand } = await import('./merge.js');
    return runMergeCommand(options, ctx);
  },
});
