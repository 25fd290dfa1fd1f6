/**
 * `bgprobe wpt`: check the checkout and the flags (exit 2 before a browser starts), run the
 * selected upstream tests, write wptreport.json with the bgprobe report, print one line per
 * test file, and exit 1 when a baseline's PASS no longer passes.
 */
import { resolve } from 'node:path';
import { assertNotHeadlessShell, discoverBrowser } from '../../browsers/discover.js';
import { renderMarkdown } from '../../report/markdown.js';
import { checkOutDir, writeReport } from '../../report/write.js';
import { summaryLines } from '../../report/view.js';
import { shard as shardList } from '../../scenarios/registry.js';
import { slowestLine } from '../../wpt/timing.js';
import { checkWptRoot, loadBaseline, regressions, runWpt, selectTests, toWptReport, wptReportModel } from '../../wpt/index.js';
import { publishToCi, reportAnnotations } from '../ci.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { WptOptions } from '../options.js';

export async function runWptCommand(options: WptOptions, ctx: CommandContext): Promise<ExitCode> {
  const { output } = ctx;
  const root = checkWptRoot(resolve(ctx.cwd, options.wptRoot));
  const all = selectTests(root, options.tests);
  const tests = options.shard ? shardList(all, options.shard.index, options.shard.total) : all;
  const baseline = options.baseline ? loadBaseline(resolve(ctx.cwd, options.baseline)) : null;
  const out = resolve(ctx.cwd, options.out);
  checkOutDir(out);
  const target = options.browser.target ?? undefined;
  const executablePath = (await discoverBrowser(target)).executablePath;
  assertNotHeadlessShell(executablePath);

  const controller = new AbortController();
  void ctx.interrupt.promise.then(() => {
    output.err('Interrupted: writing the report with the test files that completed (Ctrl-C again to quit at once).');
    controller.abort();
  });
  output.err(`Running ${tests.length} test file(s) from ${root} (--workers ${options.workers}, --timeout-multiplier ${options.timeoutMultiplier}, --retries ${options.retries})`);
  const run = await runWpt({
    root,
    tests,
    selection: options.tests,
    executablePath,
    label: options.browser.label,
    args: options.browser.args,
    headless: !options.headed,
    workers: options.workers,
    timeoutMultiplier: options.timeoutMultiplier,
    retries: options.retries,
    shard: options.shard,
    signal: controller.signal,
    onResult: (r, done, total) => {
      const passed = r.subtests.filter((s) => s.status === 'PASS').length;
      const flaky = r.flaky ? ' (flaky: re-run after the browser was lost)' : '';
      output.err(`[${done}/${total}] ${r.status.padEnd(8)} ${passed}/${r.subtests.length} PASS  ${r.test}  ${(r.durationMs / 1000).toFixed(1)} s${flaky}`);
    },
  });
  const found = baseline ? regressions(baseline, run) : [];
  const model = wptReportModel(run, options.baseline ? { name: options.baseline, regressions: found } : null);
  const files = writeReport(out, model, options.formats, { extra: { 'wptreport.json': `${JSON.stringify(toWptReport(run), null, 2)}\n` } });
  for (const line of summaryLines(model)) output.err(line);
  if (run.port443) output.err(`Note: ${run.port443}`);
  const slowest = slowestLine(run.results, run.durationMs);
  if (slowest) output.err(slowest);
  for (const g of found) output.err(`REGRESSION ${g.test} "${g.subtest}": PASS -> ${g.now}`);
  output.err(`Report: ${resolve(out, 'wptreport.json')}${files.html ? `, ${files.html}` : ''}`);
  // wpt fails only on a baseline's PASS that no longer passes: that is what an annotation marks as an error.
  publishToCi(output, process.env, { markdown: renderMarkdown(model), annotations: reportAnnotations(model, ['regressions']), stepSummary: options.stepSummary });
  if (run.interrupted) return EXIT.interrupted;
  return found.length ? EXIT.failed : EXIT.ok;
}
