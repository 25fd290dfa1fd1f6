/** `bgprobe report <report.json>`: load (validated: exit 2 on a bad file, nothing written), re-render. */
import { resolve } from 'node:path';
import { loadReport } from '../../report/load.js';
import { writeReport } from '../../report/write.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { ReportOptions } from '../options.js';

export async function runReportCommand(options: ReportOptions, ctx: CommandContext): Promise<ExitCode> {
  const input = resolve(ctx.cwd, options.input);
  const model = loadReport(input);
  // `report bgprobe-report/report.json --format html` re-renders in place: report.json stays.
  const files = writeReport(resolve(ctx.cwd, options.out), model, options.formats, { inputs: [input], rerender: true });
  for (const path of Object.values(files)) ctx.output.err(`Wrote ${path}`);
  return EXIT.ok;
}
