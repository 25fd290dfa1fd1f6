/**
 * junit.xml: one <testsuite> per browser, one <testcase> per scenario x browser. Written by
 * hand, not by a template: Handlebars escapes for HTML, and XML needs more (characters XML 1.0
 * cannot hold at all, `]]>` inside CDATA). Every string goes through xmlText or cdata.
 *
 * Mapping: deviates -> <failure>, error -> <error>, unsupported / not-automatable / skipped ->
 * <skipped> with the reason; conforms -> a bare testcase. The exit code, not this file, decides
 * whether a run failed (--fail-on).
 *
 * Re-runs as Maven Surefire writes them (what CI systems read): an attempt that lost its browser
 * is an error, so a result a retry made pass carries a <flakyError> per lost attempt, and one
 * whose retry failed too carries a <rerunError> (or <rerunFailure>) per re-run beside its own
 * <error>/<failure>. An `unstable` result (--repeat runs disagreed) is a testcase that passed on
 * some runs: a <flakyFailure> or <flakyError> for each run that did not conform.
 */
import { bcdJunit } from './bcd-render.js';
import { cdata, xmlText } from './escape.js';
import type { ReportModel, ReportResult } from './model.js';
import { reportName } from './view.js';

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${xmlText(String(v))}"`)
    .join('');
}

function details(r: ReportResult, model: ReportModel): string {
  const scenario = model.scenarios.find((s) => s.id === r.scenarioId);
  const lines = [
    `Verdict: ${r.verdict}`,
    `Summary: ${r.summary}`,
    ...(scenario?.expectation ? [`Expected: ${scenario.expectation}`] : []),
    ...(scenario?.link ? [`Spec: ${scenario.link}`] : []),
  ];
  for (const f of r.evidence.fetches) {
    lines.push(`Fetch "${f.id}": ${f.outcome}${f.failureReason ? ` (${f.failureReason})` : ''}`);
    for (const q of f.requests) lines.push(`  request ${q.index} ${q.url}: status ${q.status ?? '-'}, ${q.bytes ?? '-'} bytes`);
  }
  for (const n of r.evidence.notes) lines.push(`Note: ${n}`);
  if (r.observation) lines.push(`Observed: ${JSON.stringify(r.observation)}`);
  if (r.error?.stack) lines.push(r.error.stack);
  return lines.join('\n');
}

/** Surefire's re-run elements for the attempts before the one that gave the verdict. */
function reruns(r: ReportResult): string[] {
  const failed = r.verdict === 'deviates' || r.verdict === 'error';
  const earlier = r.verdict === 'unstable' ? r.attempts : r.attempts.slice(0, -1);
  return earlier
    .filter((a) => a.verdict === 'deviates' || a.verdict === 'error')
    .map((a) => {
      const tag = `${failed ? 'rerun' : 'flaky'}${a.verdict === 'deviates' ? 'Failure' : 'Error'}`;
      const type = a.browserLost ? 'BrowserLostError' : (a.error?.name ?? a.verdict);
      const text = [
        `Run ${a.run}${a.retry ? ' (retry)' : ''}: ${a.verdict} in ${(a.durationMs / 1000).toFixed(1)} s`,
        a.summary,
        ...(a.error?.stack ? [a.error.stack] : []),
      ].join('\n');
      return `      <${tag}${attrs({ message: a.summary, type })}>${cdata(text)}</${tag}>`;
    });
}

function testcase(r: ReportResult, model: ReportModel): string {
  const scenario = model.scenarios.find((s) => s.id === r.scenarioId);
  const head = `    <testcase${attrs({
    name: scenario ? `${r.scenarioId}: ${scenario.title}` : r.scenarioId,
    classname: `bgprobe.${r.browser}.${scenario?.group ?? r.scenarioId.split('.')[0]}`,
    time: (r.durationMs / 1000).toFixed(3),
  })}>`;
  const body: string[] = [];
  if (r.verdict === 'deviates')
    body.push(`      <failure${attrs({ message: r.summary, type: 'deviates' })}>${cdata(details(r, model))}</failure>`);
  else if (r.verdict === 'error')
    body.push(`      <error${attrs({ message: r.summary, type: r.error?.name ?? 'error' })}>${cdata(details(r, model))}</error>`);
  else if (r.verdict !== 'conforms' && r.verdict !== 'unstable')
    body.push(`      <skipped${attrs({ message: `${r.verdict}: ${r.summary}` })}/>`);
  body.push(...reruns(r));
  body.push(`      <system-out>${cdata(details(r, model))}</system-out>`);
  return [head, ...body, '    </testcase>'].join('\n');
}

export function renderJunit(model: ReportModel): string {
  const suites: string[] = [];
  const count = (rs: ReportResult[]) => ({
    tests: rs.length,
    failures: rs.filter((r) => r.verdict === 'deviates').length,
    errors: rs.filter((r) => r.verdict === 'error').length,
    skipped: rs.filter((r) => r.verdict !== 'conforms' && r.verdict !== 'deviates' && r.verdict !== 'error' && r.verdict !== 'unstable')
      .length,
    time: (rs.reduce((t, r) => t + r.durationMs, 0) / 1000).toFixed(3),
  });
  for (const b of model.browsers) {
    const rs = model.results.filter((r) => r.browser === b.label);
    const props = [
      `      <property${attrs({ name: 'browser.version', value: b.version ?? '' })}/>`,
      `      <property${attrs({ name: 'browser.args', value: b.args.join(' ') })}/>`,
    ];
    suites.push(
      [
        `  <testsuite${attrs({ name: b.label, ...count(rs), timestamp: new Date(model.run.startedAt).toISOString() })}>`,
        '    <properties>',
        ...props.map((p) => p.slice(2)),
        '    </properties>',
        ...rs.map((r) => testcase(r, model)),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  // The BCD table as its own suite (not counted above: its failures are the BCD data's, not a browser's).
  const bcd = bcdJunit(model);
  if (bcd) suites.push(bcd);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: reportName(model), ...count(model.results) })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
