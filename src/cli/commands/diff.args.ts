import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { bool, str, type CommandSpec } from '../command.js';

export interface DiffOptions {
  a: string;
  b: string;
  json: boolean;
}

export const diffCommand: CommandSpec<DiffOptions> = {
  name: 'diff',
  usage: 'diff <a> <b>',
  describe: 'Compare two report.json files: verdict and observed-behaviour changes; exit 1 if anything regressed or went missing (an interrupted run)',
  builder: (y: Argv) =>
    y
      .positional('a', { type: 'string', describe: 'The baseline report.json' })
      .positional('b', { type: 'string', describe: 'The newer report.json' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the comparison as JSON' })
      .example('$0 diff main/report.json pr/report.json', 'what a change did to the verdicts'),
  toOptions(argv) {
    const a = str(argv, 'a');
    const b = str(argv, 'b');
    if (!a || !b) throw new UsageError('Give two reports: bgprobe diff <a.json> <b.json>.');
    return { a, b, json: bool(argv, 'json') };
  },
  async run(options, ctx) {
    const { runDiffCommand } = await import('./diff.js');
    return runDiffCommand(options, ctx);
  },
};
