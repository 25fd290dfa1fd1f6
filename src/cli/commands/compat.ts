/**
 * `bgprobe compat`: run the suite, show progress (a live status line on a TTY, one plain line
 * per result elsewhere), write the reports, print a summary table, and turn the outcome into
 * the exit code (--fail-on). Bad input is refused before any browser starts, so a typo never
 * costs the previous report.
 */
import { resolve } from 'node:path';
import { assertNotHeadlessShell, discoverBrowser } from '../../browsers/discover.js';
import { runCompat } from '../../compat/run.js';
import { describeComparison } from '../../report/diff.js';
import { loadReport } from '../../report/load.js';
import { renderMarkdown } from '../../report/markdown.js';
import type { ReportModel } from '../../report/model.js';
import { FILE_NAMES } from '../../report/formats.js';
import { summaryLines } from '../../report/view.js';
import { checkOutDir } from '../../report/write.js';
import { selectScenarios } from '../../scenarios/registry.js';
import type { ProgressEvent } from '../../compat/runner.js';
import type { CommandContext } from '../command.js';
import type { Output } from '../output.js';
import { publishToCi, reportAnnotations } from '../ci.js';
import { EXIT, failOnCode, type ExitCode } from '../exit-codes.js';
import type { CompatOptions, FailOn } from '../options.js';

export async function runCompatCommand(options: CompatOptions, ctx: CommandContext): Promise<ExitCode> {
  const { output } = ctx;
  selectScenarios(options.scenarios); // throws UsageError before anything starts
  const baseline = options.baseline ? { model: loadReport(resolve(ctx.cwd, options.baseline)), name: options.baseline } : null;
  const out = resolve(ctx.cwd, options.out);
  checkOutDir(out);
  // A browser path that is not there (or chrome-headless-shell) is a typo, not a finding:
  // exit 2 now, rather than a report of `error` verdicts written over the last good one.
  for (const spec of options.browsers) {
    if ((spec.engine ?? 'chromium') === 'chromium' && (spec.kind === 'default' || spec.kind === 'path')) assertNotHeadlessShell((await discoverBrowser(spec.target ?? undefined)).executablePath);
  }

  for (const note of options.notes ?? []) output.err(note);

  const controller = new AbortController();
  void ctx.interrupt.promise.then(() => {
    output.err('Interrupted: finishing the report with the scenarios that completed (Ctrl-C again to quit at once).');
    controller.abort();
  });
  const progress = showProgress(output);
  let report: ReportModel;
  let files: Partial<Record<string, string>>;
  try {
    ({ report, files } = await runCompat({
      browsers: options.browsers,
      scenarios: options.scenarios,
      workers: options.workers,
      timeout: options.timeout,
      retries: options.retries,
      repeat: options.repeat,
      shard: options.shard,
      headless: !options.headed,
      baseline,
      out,
      formats: options.formats,
      signal: controller.signal,
      onProgress: progress.onProgress,
    }));
  } finally {
    progress.stop();
  }
  for (const line of summaryLines(report)) output.err(line);
  if (report.comparison) for (const line of describeComparison(report.comparison)) output.err(line);
  const main = files['html'] ?? files['md'] ?? files['json'] ?? files['junit'];
  output.err(`Report: ${main ?? out} (${options.formats.map((f) => FILE_NAMES[f]).join(', ')})`);
  publishToCi(output, process.env, { markdown: renderMarkdown(report), annotations: reportAnnotations(report, options.failOn), stepSummary: options.stepSummary });

  return exitCodeFor(report, options.failOn);
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
      output.err(`${r.verdict.padEnd(15)} ${r.scenarioId} [${r.browser}] ${(r.durationMs / 1000).toFixed(1)} s${flaky}${r.verdict === 'conforms' ? '' : `: ${r.summary}`}`);
    }
    status();
  };
  return { onProgress, stop: () => ticker && clearInterval(ticker) };
}

/** The run's exit code: 130 when interrupted, 1 when a --fail-on condition holds, else 0. */
export function exitCodeFor(report: ReportModel, failOn: readonly FailOn[]): ExitCode {
  return report.run.interrupted ? EXIT.interrupted : failOnCode(report, failOn);
}
