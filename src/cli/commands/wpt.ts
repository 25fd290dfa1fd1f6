/**
 * `bgprobe wpt`: resolve the config (a wrong checkout or selection is exit 2 before a browser
 * starts), call runWpt (which writes wptreport.json with the bgprobe report), print one line per
 * test file, and exit 1 when a baseline's PASS no longer passes or a status is not what --metadata expects.
 */
import { resolve } from 'node:path';
import { checkBrowsers } from '../../browsers/browser-type.js';
import { renderMarkdown } from '../../report/markdown.js';
import { checkOutDir } from '../../report/write.js';
import { summaryLines } from '../../report/view.js';
import { loadDurations } from '../../report/durations.js';
import { checkMetadataDir, loadBaseline, Metadata, resolveWptConfig, runWpt, wptReportName } from '../../wpt/index.js';
import { slowestLine } from '../../wpt/timing.js';
import { publishToCi, reportAnnotations } from '../ci.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { WptOptions } from '../options.js';

export async function runWptCommand(options: WptOptions, ctx: CommandContext): Promise<ExitCode> {
  const { output } = ctx;
  const {
    wptRoot,
    out: outDir,
    baseline: baselinePath,
    durations: durationsPath,
    stepSummary,
    metadata: metadataDir,
    updateMetadata,
    ...wpt
  } = options;
  const metadata = metadataDir ? Metadata.open(resolve(ctx.cwd, metadataDir)) : null;
  // A broken expectation file is exit 2 now, not after the run that was to use or update it.
  if (metadata) checkMetadataDir(metadata.dir);
  if (updateMetadata) checkMetadataDir(resolve(ctx.cwd, updateMetadata));
  const baseline = baselinePath ? { baseline: loadBaseline(resolve(ctx.cwd, baselinePath)), name: baselinePath } : null;
  // A previous run's times per file: --durations, else the baseline's (a wptreport.json has them).
  const timesFrom = durationsPath ?? baselinePath;
  const durations = timesFrom ? loadDurations(resolve(ctx.cwd, timesFrom)) : null;
  const config = resolveWptConfig({
    ...wpt,
    durations,
    metadata,
    updateMetadata: updateMetadata ? resolve(ctx.cwd, updateMetadata) : null,
    root: resolve(ctx.cwd, wptRoot),
  });
  const out = resolve(ctx.cwd, outDir);
  checkOutDir(out);
  await checkBrowsers(config.browsers);

  const controller = new AbortController();
  void ctx.interrupt.promise.then(() => {
    output.err('Interrupted: writing the report with the test files that completed (Ctrl-C again to quit at once).');
    controller.abort();
  });
  const several = config.browsers.length > 1;
  output.err(
    `Running ${config.selected.length} test file(s) from ${config.root}${several ? ` in ${config.browsers.map((b) => b.label).join(', ')}` : ''} (--workers ${config.workers}, --timeout-multiplier ${config.timeoutMultiplier}, --retries ${config.retries})`,
  );
  const {
    runs,
    report: model,
    regressions: found,
    unexpected,
    skipped,
    metadataUpdate,
    files,
  } = await runWpt({
    ...config,
    baseline,
    out,
    signal: controller.signal,
    onResult: (r, done, total, browser) => {
      const passed = r.subtests.filter((s) => s.status === 'PASS').length;
      const flaky = r.flaky ? ' (flaky: re-run after the browser was lost)' : '';
      output.err(
        `[${several ? `${browser} ` : ''}${done}/${total}] ${r.status.padEnd(8)} ${passed}/${r.subtests.length} PASS  ${r.test}  ${(r.durationMs / 1000).toFixed(1)} s${r.node ? `  on ${r.node}` : ''}${flaky}`,
      );
    },
  });
  printWptSummary(output, { runs, model, found, unexpected, skipped, metadataUpdate, files }, { config, metadata, out, several });
  // wpt fails only on a baseline's PASS that no longer passes: that is what an annotation marks as an error.
  publishToCi(output, process.env, {
    markdown: renderMarkdown(model),
    annotations: reportAnnotations(model, ['regressions']),
    stepSummary,
  });
  if (runs.some((r) => r.interrupted) || controller.signal.aborted) return EXIT.interrupted;
  return found.length || unexpected.length ? EXIT.failed : EXIT.ok;
}

type WptRun = Awaited<ReturnType<typeof runWpt>>;
interface SummaryInput {
  runs: WptRun['runs'];
  model: WptRun['report'];
  found: WptRun['regressions'];
  unexpected: WptRun['unexpected'];
  skipped: WptRun['skipped'];
  metadataUpdate: WptRun['metadataUpdate'];
  files: WptRun['files'];
}

/** The lines after a run: per-browser notes, skips, unexpected results, regressions, where the reports are. */
function printWptSummary(
  output: CommandContext['output'],
  { runs, model, found, unexpected, skipped, metadataUpdate, files }: SummaryInput,
  {
    config,
    metadata,
    out,
    several,
  }: { config: { updateMetadata: string | null }; metadata: Metadata | null; out: string; several: boolean },
): void {
  for (const line of summaryLines(model)) output.err(line);
  const at = (browser: string) => (several ? ` [${browser}]` : '');
  for (const run of runs) {
    if (run.port443) output.err(`Note${at(run.browser.label)}: ${run.port443}`);
    if (run.browser.permissions) output.err(`${run.browser.label}: ${run.browser.permissions}`);
    const slowest = slowestLine(run.results, run.durationMs);
    if (slowest) output.err(`${slowest}${at(run.browser.label)}`);
  }
  for (const [browser, list] of Object.entries(skipped))
    for (const s of list) output.err(`SKIP ${s.test}${at(browser)}: disabled in the metadata (${s.reason})`);
  for (const u of unexpected)
    output.err(
      `UNEXPECTED ${u.test}${u.subtest === null ? '' : ` "${u.subtest}"`}${at(u.browser)}: ${u.status}, expected ${u.expected.join(' or ')}`,
    );
  if (metadata) output.err(`Metadata ${metadata.dir}: ${unexpected.length} unexpected result(s)`);
  if (metadataUpdate)
    output.err(
      `Metadata updated in ${config.updateMetadata}: ${metadataUpdate.written.length} file(s) written${metadataUpdate.removed.length ? `, ${metadataUpdate.removed.length} removed` : ''}`,
    );
  for (const g of found) output.err(`REGRESSION ${g.test} "${g.subtest}"${at(g.browser)}: PASS -> ${g.now}`);
  const reports = runs.map((r) => resolve(out, wptReportName(r.browser.label, several)));
  output.err(`Report: ${reports.join(', ')}${files['html'] ? `, ${files['html']}` : ''}`);
}
