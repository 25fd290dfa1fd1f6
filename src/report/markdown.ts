/**
 * report.md: a compact matrix plus the deviations and errors, sized for a GitHub step summary
 * or a PR comment. Every string is escaped by mdText before it reaches the template (compiled
 * with noEscape: Handlebars' HTML escaping is not Markdown escaping).
 */
import { bcdMarkdown } from './bcd-render.js';
import { mdText } from './escape.js';
import type { ReportModel } from './model.js';
import { template } from './templates.js';
import { describeTook } from './diff.js';
import { FLAKY_ICON, VERDICT_ICON, attemptLines, attention, flakyLine, matrix, reportName, seconds, verdictLabel } from './view.js';

export function renderMarkdown(model: ReportModel): string {
  const s = model.summary.byVerdict;
  const parts = [`${model.summary.total} results`];
  for (const [v, n] of Object.entries(s)) if (n) parts.push(`${n} ${verdictLabel(model, v as keyof typeof s)}`);
  const flaky = flakyLine(model);
  if (flaky) parts.push(flaky);
  const view = {
    name: mdText(reportName(model)),
    rowHeading: model.run.command === 'playwright' ? 'Test' : 'Scenario',
    findings: (model.summary.findings ?? []).map((f) => ({
      severity: f.severity,
      code: mdText(f.code),
      origin: mdText(f.origin),
      fetches: f.fetches,
      results: f.results,
    })),
    hasFindings: model.summary.findings !== undefined,
    shard: model.run.shard ? `${model.run.shard.index}/${model.run.shard.total}` : null,
    merged: model.run.mergedFrom.length,
    summary:
      mdText(`${parts.join(', ')} in ${seconds(model.run.durationMs)}.`) +
      ` Browsers: ${model.browsers.map((b) => `${mdText(b.label)} (${mdText(b.version ?? 'not started')}${b.crashes?.length ? `, ended on its own ${b.crashes.length}×` : ''})`).join(', ')}.`,
    browsers: model.browsers.map((b) => mdText(b.label)),
    rows: matrix(model).map((row) => ({
      id: mdText(row.scenario.id),
      cells: row.cells.map((c) =>
        c ? `${VERDICT_ICON[c.verdict]} ${mdText(verdictLabel(model, c.verdict))}${c.flaky ? ` ${FLAKY_ICON} flaky` : ''}` : '',
      ),
    })),
    attention: attention(model).map((r) => ({
      icon: VERDICT_ICON[r.verdict],
      id: mdText(r.scenarioId),
      browser: mdText(r.browser),
      verdict: mdText(verdictLabel(model, r.verdict)),
      summary: mdText(r.summary),
      attempts: attemptLines(r, model).map(mdText),
    })),
    flakyWhy: model.run.command === 'playwright' ? 'failed, then passed on a retry' : 'the browser was lost, a retry gave the verdict',
    flaky: model.results
      .filter((r) => r.flaky && r.verdict !== 'error' && r.verdict !== 'deviates' && r.verdict !== 'unstable')
      .map((r) => ({
        icon: FLAKY_ICON,
        id: mdText(r.scenarioId),
        browser: mdText(r.browser),
        verdict: mdText(verdictLabel(model, r.verdict)),
        attempts: attemptLines(r, model).map(mdText),
      })),
    baseline: model.comparison ? mdText(model.comparison.baseline) : '',
    changes: (model.comparison?.changes ?? []).map((c) => ({
      kind: mdText(c.kind),
      id: mdText(c.scenarioId),
      browser: mdText(c.browser),
      from: mdText(c.from ?? 'none'),
      to: mdText(c.to ?? 'none'),
      took: c.took ? mdText(describeTook(c.took)) : '',
      observed: mdText(
        c.observed
          .slice(0, 3)
          .map((o) => `${o.path}: ${o.from} → ${o.to}`)
          .join('; '),
      ),
    })),
    interrupted: model.run.interrupted,
  };
  return template('markdown.hbs', { noEscape: true })(view) + bcdMarkdown(model);
}
