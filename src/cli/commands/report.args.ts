import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { parseFormats, type Format } from '../../report/formats.js';
import { str, strList, type CommandSpec } from '../command.js';

export interface ReportOptions {
  input: string;
  out: string;
  formats: Format[];
}

export const reportCommand: CommandSpec<ReportOptions> = {
  name: 'report',
  usage: 'report <report>',
  describe: 'Re-render a report.json (from compat or merge) as HTML/JSON/Markdown/JUnit',
  builder: (y: Argv) =>
    y
      .positional('report', { type: 'string', describe: 'A report.json written by bgprobe compat or merge' })
      .option('out', { type: 'string', default: 'bgprobe-report', describe: 'Report directory: a new one, or one holding only a previous report (replaced atomically; anything else there is refused)' })
      .option('format', { type: 'string', array: true, describe: 'html,json,md,junit (default all)' })
      .example('$0 report ci/report.json --out html-only --format html', 'the HTML page of a CI run'),
  toOptions(argv) {
    const input = str(argv, 'report');
    if (!input) throw new UsageError('Give the report.json to render: bgprobe report <report.json>.');
    return { input, out: str(argv, 'out') ?? 'bgprobe-report', formats: parseFormats(strList(argv, 'format')) };
  },
  async run(options, ctx) {
    const { runReportCommand } = await import('./report.js');
    return runReportCommand(options, ctx);
  },
};
