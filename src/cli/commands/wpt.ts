/**
 * `bgprobe wpt`: resolve the config (a wrong checkout or selection is exit 2 before a browser
 * starts), call runWpt (which writes wptreport.json with the bgprobe report), print one line per
 * test file, and exit 1 when a baseline's PASS no longer passes.
 */
import { resolve } from 'node:path';
import { checkBrowsers } from '../../browsers/browser-type.js';
import { renderMarkdown } from '../../report/markdown.js';
import { checkOutDir } from '../../report/write.js';
import { summaryLines } from '../../report/view.js';
import { loadDurations } from '../../report/durations.js';
import { loadBaseline, resolveWptConfig, runWpt } from '../../wpt/index.js';
import { slowestLine } from '../../wpt/timing.js';
import { publishToCi, reportAnnotations } from '../ci.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { WptOptions } from '../options.js';

export async function runWptCommand(options: WptOptions, ctx: CommandContext): Promise<ExitCode> {
  const { output } = ctx;
  const { wptRoot, out: outDir, baseline: baselinePath, durations: durationsPath, stepSummary, ...wpt } = options;
  const baseline = baselinePath ? { baseline: loadBaseline(resolve(ctx.cwd, baselinePath)), name: baselinePath } : null;
  // A previous run's times per file: --durations, else the baseline's (a wptreport.json has them).
  const timesFrom = durationsPath ?? baselinePath;
  const durations = timesFrom ? loadDurations(resolve(ctx.cwd, timesFrom)) : null;
  const config = resolveWptConfig({ ...wpt, durations, root: resolve(ctx.cwd, wptRoot) });
  const out = resolve(ctx.cwd, outDir);
  checkOutDir(out);
  await checkBrowsers([config.browser]);

  const controller = new AbortController();
  void ctx.interrupt.promise.then(() => {
    output.err('Interrupted: writing the report with the test files that completed (Ctrl-C again to quit at once).');
    controller.abort();
  });
  output.err(`Running ${config.selected.length} test file(s) from ${config.root} (--workers ${config.workers}, --timeout-multiplier ${config.timeoutMultiplier}, --retries ${config.retries})`);
  const { run, report: model, regressions: found, files } = await runWpt({
    ...config,
    baseline,
    out,
    signal: controller.signal,
    onResult: (r, done, total) => {
      const passed = r.subtests.filter((s) => s.status === 'PASS').length;
      const flaky = r.flaky ? ' (flaky: re-run after the browser was lost)' : '';
      output.err(`[${done}/${total}] ${r.status.padEnd(8)} ${passed}/${r.subtests.length} PASS  ${r.test}  ${(r.durationMs / 1000).toFixed(1)} s${flaky}`);
    },
  });
  for (const line of summaryLines(model)) output.err(line);
  if (run.port443) output.err(`Note: ${run.port443}`);
  const slowest = slowestLine(run.results, run.durationMs);
  if (slowest) output.err(slowest);
  for (const g of found) output.err(`REGRESSION ${g.test} "${g.subtest}": PASS -> ${g.now}`);
  output.err(`Report: ${resolve(out, 'wptreport.json')}${files['html'] ? `, ${files['html']}` : ''}`);
  // wpt fails only on a baseline's PASS that no longer passes: that is what an annotation marks as an error.
  publishToCi(output, process.env, { markdown: renderMarkdown(model), annotations: reportAnnotations(model, ['regressions']), stepSummary });
  if (run.interrupted) return EXIT.interrupted;
  return found.length ? EXIT.failed : EXIT.ok;
}
