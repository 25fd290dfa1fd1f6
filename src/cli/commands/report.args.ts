import { defineCommand } from '../command.js';
import { formatFlag, outDirFlag } from '../flags.js';
import type { ReportOptions } from '../options.js';

export const reportCommand = defineCommand({
  name: 'report',
  usage: 'report <report>',
  describe: 'Re-render a report.json (from compat or merge) as HTML/JSON/Markdown/JUnit',
  needs: 'Give the report.json to render: bgprobe report <report.json>.',
  positionals: {
    report: { type: 'string', demandOption: true, describe: 'A report.json written by bgprobe compat or merge' },
  },
  flags: {
    out: outDirFlag(),
    format: formatFlag(),
  },
  examples: [['$0 report ci/report.json --out html-only --format html', 'the HTML page of a CI run']],
  toOptions: (argv): ReportOptions => ({ input: argv.report, out: argv.out, formats: argv.format }),
  async run(options, ctx) {
    const { runReportCommand } = await import('./report.js');
    return runReportCommand(options, ctx);
  },
});
