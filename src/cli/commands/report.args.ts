import { FORMATS, parseFormats } from '../../report/formats.js';
import { defineCommand, stringFlag } from '../command.js';
import { DEFAULT_OUT, type ReportOptions } from '../options.js';
import { OUT_DESCRIBE } from './compat.args.js';

/** `--format` as compat, report and merge take it: repeatable, comma-separated, aliases allowed. */
export const formatFlag = (describe: string) =>
  ({ type: 'string', array: true, default: [] as string[], defaultDescription: 'all', coerce: (v: string[]) => parseFormats(v), choices: FORMATS, describe }) as const;

export const reportCommand = defineCommand({
  name: 'report',
  usage: 'report <report>',
  describe: 'Re-render a report.json (from compat or merge) as HTML/JSON/Markdown/JUnit',
  needs: 'Give the report.json to render: bgprobe report <report.json>.',
  positionals: {
    report: { type: 'string', demandOption: true, describe: 'A report.json written by bgprobe compat or merge' },
  },
  flags: {
    out: stringFlag(OUT_DESCRIBE, { default: DEFAULT_OUT }),
    format: formatFlag('html,json,md,junit (default all)'),
  },
  examples: [['$0 report ci/report.json --out html-only --format html', 'the HTML page of a CI run']],
  toOptions: (argv): ReportOptions => ({ input: argv.report, out: argv.out, formats: argv.format }),
  async run(options, ctx) {
    const { runReportCommand } = await import('./report.js');
    return runReportCommand(options, ctx);
  },
});
