/**
 * `bgprobe audit`: parse, call runAudit (src/audit/), print each fetch's timeline with its
 * findings (or the JSON), and turn them into the exit code: 1 when a finding at --fail-on (or
 * worse) was found, 2 on bad input, 130 on Ctrl-C (the report is still printed and written).
 */
import { resolve } from 'node:path';
import { auditJson, allFindings, countSeverities, type AuditRun } from '../../audit/report.js';
import { runAudit, type AuditResult } from '../../audit/run.js';
import { atLeast, formatFinding } from '../../findings/index.js';
import { formatTimeline } from '../../recorder/format.js';
import { renderMarkdown } from '../../report/markdown.js';
import { checkOutDir } from '../../report/write.js';
import { findingAnnotations, publishToCi } from '../ci.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { AuditOptions } from '../options.js';

export async function runAuditCommand(options: AuditOptions, ctx: CommandContext): Promise<ExitCode> {
  const { json: _json, out, stepSummary: _stepSummary, ...audit } = options;
  const outDir = out ? resolve(ctx.cwd, out) : null;
  if (outDir) checkOutDir(outDir);
  const controller = new AbortController();
  void ctx.interrupt.promise.then(() => controller.abort());
  const result = await runAudit({
    ...audit,
    out: outDir,
    signal: controller.signal,
    onMessage: (line) => ctx.output.err(line),
    onStatus: (line) => ctx.output.status(line),
  });
  return report(result, options, ctx);
}

/** Timelines (or JSON) on stdout, the report files named, CI annotations, the summary line and the exit code. */
function report(result: AuditResult, options: AuditOptions, ctx: CommandContext): ExitCode {
  const { output } = ctx;
  const { run, stopped, report: model } = result;
  const findings = allFindings(run);
  const counts = countSeverities(findings);
  if (options.json) {
    output.out(JSON.stringify(auditJson(run), undefined, 2));
  } else {
    for (const t of run.fetches) output.out(`${formatTimeline(t, { maxLines: 200 })}\n`);
    if (run.runFindings.length) {
      output.out('Not tied to one fetch:');
      for (const f of run.runFindings) output.out(`    ${formatFinding(f)}`);
      output.out('');
    }
  }
  if (options.out) output.err(`Wrote ${Object.values(result.files).join(', ')}`);
  // With --json, stdout is one JSON document a later step may parse: no workflow commands in it.
  const annotations = options.json ? [] : findingAnnotations(findings, options.failOn);
  publishToCi(output, process.env, { markdown: renderMarkdown(model), annotations, stepSummary: options.stepSummary });
  const failing = findings.some((f) => atLeast(f, options.failOn));
  const code = stopped === 'interrupted' ? EXIT.interrupted : failing ? EXIT.failed : EXIT.ok;
  output.err(
    `bgprobe audit: ${run.fetches.length} background fetch(es); ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info` +
      `${stopped === 'settled' || stopped === 'duration' ? '' : ` (stopped: ${stopped})`}${retriedText(run)}; exit ${code}`,
  );
  return code;
}

/** ` (flaky: re-run after the browser was lost: browser disconnected)`; empty without a retry. */
function retriedText(run: AuditRun): string {
  if (!run.retried.length) return '';
  const why = [...new Set(run.retried.map((r) => r.reason))].join(', ');
  return run.flaky
    ? ` (flaky: re-run after the browser was lost: ${why}; the findings are the re-run's)`
    : ` (the browser was lost on every run: ${why})`;
}
