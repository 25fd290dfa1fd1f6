/**
 * `bgprobe compat`: resolve the config, call runCompat (which runs the suite and writes the
 * reports), show progress (a live status line on a TTY, one plain line per result elsewhere),
 * print a summary table, and turn the outcome into the exit code (--fail-on). Bad input is
 * refused before any browser starts, so a typo never costs the previous report.
 */
import { resolve } from 'node:path';
import { checkBrowsers } from '../../browsers/browser-type.js';
import { resolveCompatConfig, runCompat } from '../../compat/run.js';
import type { CompatRunResult, ProgressEvent } from '../../compat/types.js';
import { describeComparison } from '../../report/diff.js';
import { loadReport } from '../../report/load.js';
import { loadDurations } from '../../report/durations.js';
import { renderMarkdown } from '../../report/markdown.js';
import type { ReportModel } from '../../report/model.js';
import { FILE_NAMES } from '../../report/formats.js';
import { summaryLines } from '../../report/view.js';
import { checkOutDir } from '../../report/write.js';
import type { CommandContext } from '../command.js';
import type { Output } from '../output.js';
import { publishToCi, reportAnnotations } from '../ci.js';
import { EXIT, failOnCode, type ExitCode } from '../exit-codes.js';
import type { CompatOptions, FailOn } from '../options.js';

export async function runCompatCommand(options: CompatOptions, ctx: CommandContext): Promise<ExitCode> {
  const { output } = ctx;
  const { out: outDir, baseline: baselinePath, durations: durationsPath, failOn, stepSummary, notes, ...run } = options;
  // Bad input is refused before anything starts: a glob that matches nothing, a baseline that
  // is not a report, an --out holding other files, and a browser path that is not there (or
  // chrome-headless-shell): exit 2 now, rather than `error` verdicts written over the last report.
  const baseline = baselinePath ? { model: loadReport(resolve(ctx.cwd, baselinePath)), name: baselinePath } : null;
  const durations = durationsPath ? loadDurations(resolve(ctx.cwd, durationsPath)) : null;
  const resolved = resolveCompatConfig({ ...run, baseline, durations });
  const out = resolve(ctx.cwd, outDir);
  checkOutDir(out);
  await checkBrowsers(resolved.browsers);

  for (const note of notes ?? []) output.err(note);

  const controller = new AbortController();
  void ctx.interrupt.promise.then(() => {
    output.err('Interrupted: finishing the report with the scenarios that completed (Ctrl-C again to quit at once).');
    controller.abort();
  });
  const progress = showProgress(output);
  let result: CompatRunResult;
  try {
    result = await runCompat({ ...resolved, out, signal: controller.signal, onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
  const { report, files } = result;
  for (const line of summaryLines(report)) output.err(line);
  if (report.comparison) for (const line of describeComparison(report.comparison)) output.err(line);
  const main = files['html'] ?? files['md'] ?? files['json'] ?? files['junit'];
  output.err(`Report: ${main ?? out} (${resolved.formats.map((f) => FILE_NAMES[f]).join(', ')})`);
  publishToCi(output, process.env, { markdown: renderMarkdown(report), annotations: reportAnnotations(report, failOn), stepSummary });

  return exitCodeFor(report, failOn);
}

/** A live status line on a TTY (refreshed each second), one plain line per start/end elsewhere. */
function showProgress(output: Output): { onProgress: (e: ProgressEvent) => void; stop: () => void } {
  const started = Date.now();
  const running = new Map<string, number>();
  let done = 0;
  let total = 0;
  const status = () => {
    const names = [...running.keys()].slice(0, 3).join(', ');
    output.status(`[${done}/${total}] ${((Date.now() - started) / 1000).toFixed(0)} s  ${names}`);
  };
  const ticker = output.isTTY ? setInterval(status, 1000) : null;
  const onProgress = (e: ProgressEvent) => {
    total = e.total;
    done = e.done;
    if (e.type === 'start') {
      running.set(`${e.scenarioId} [${e.browser}]`, Date.now());
      if (!output.isTTY) output.err(`start  ${e.scenarioId} [${e.browser}]`);
    } else {
      const r = e.result;
      running.delete(`${r.scenarioId} [${r.browser}]`);
      const flaky = r.flaky ? ' (flaky: re-run after the browser was lost)' : '';
      output.err(
        `${r.verdict.padEnd(15)} ${r.scenarioId} [${r.browser}] ${(r.durationMs / 1000).toFixed(1)} s${flaky}${r.verdict === 'conforms' ? '' : `: ${r.summary}`}`,
      );
    }
    status();
  };
  return { onProgress, stop: () => ticker && clearInterval(ticker) };
}

/** The run's exit code: 130 when interrupted, 1 when a --fail-on condition holds, else 0. */
export function exitCodeFor(report: ReportModel, failOn: readonly FailOn[]): ExitCode {
  return report.run.interrupted ? EXIT.interrupted : failOnCode(report, failOn);
}
