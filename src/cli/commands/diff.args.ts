import { defineCommand } from '../command.js';
import type { DiffOptions } from '../options.js';

export const diffCommand = defineCommand({
  name: 'diff',
  usage: 'diff <a> <b>',
  describe:
    'Compare two report.json files: verdict and observed-behaviour changes; exit 1 if anything regressed or went missing (an interrupted run)',
  needs: 'Give two reports: bgprobe diff <a.json> <b.json>.',
  positionals: {
    a: { type: 'string', demandOption: true, describe: 'The baseline report.json' },
    b: { type: 'string', demandOption: true, describe: 'The newer report.json' },
  },
  flags: {
    json: { type: 'boolean', default: false, describe: 'Print the comparison as JSON' },
  },
  examples: [['$0 diff main/report.json pr/report.json', 'what a change did to the verdicts']],
  toOptions: (argv): DiffOptions => ({ a: argv.a, b: argv.b, json: argv.json }),
  async run(options, ctx) {
    const { runDiffCommand } = await import('./diff.js');
    return runDiffCommand(options, ctx);
  },
});
