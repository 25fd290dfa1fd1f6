/**
 * The BCD table in each text format (HTML gets its view from here too). Every string from a
 * report (labels, BCD's version text) goes through the format's own escaping.
 */
import { cdata, mdText, xmlText } from './escape.js';
import { bcdTable, cellText, columnTitle, hasBcdProbe } from './bcd-table.js';
import type { ReportModel } from './model.js';

const MEASURED_ICON: Record<string, string> = { yes: '✅', no: '❌', partial: '◐', 'not measured': '·' };

export function bcdMarkdown(model: ReportModel): string {
  if (!hasBcdProbe(model)) return '';
  const table = bcdTable(model);
  const head = `| BCD key | ${table.columns.map((c) => mdText(columnTitle(c))).join(' | ')} |`;
  const rule = `|---|${table.columns.map(() => '---').join('|')}|`;
  const rows = table.rows.map((r) => {
    const cells = r.cells.map((c) => {
      const evidence = c.deviating.length ? ` (deviates: ${c.deviating.map((d) => mdText(d)).join(', ')})` : '';
      return `${c.disagrees ? '**≠** ' : ''}${MEASURED_ICON[c.measured]} ${mdText(c.measured)}${evidence}; BCD: ${mdText(c.bcd.text)}`;
    });
    return `| ${'&nbsp;&nbsp;'.repeat(r.depth)}${mdText(r.label)} | ${cells.join(' | ')} |`;
  });
  return [
    '',
    `## MDN compat data, measured (BCD ${mdText(table.bcdVersion)})`,
    '',
    `Each cell: what this run measured (api.exposure.bcd; partial when scenarios using the key deviate), then what BCD states for the browser the engine belongs to. **≠** marks a disagreement (${table.disagreements} in all).`,
    '',
    head,
    rule,
    ...rows,
    '',
  ].join('\n');
}

/** The view report.html.hbs's BCD section renders; `anchorOf` links a scenario's result on a browser. */
export function bcdHtmlView(model: ReportModel, anchorOf: (scenarioId: string, browser: string) => string | null) {
  if (!hasBcdProbe(model)) return null;
  const table = bcdTable(model);
  return {
    version: table.bcdVersion,
    disagreements: table.disagreements,
    columns: table.columns.map((c) => ({ title: columnTitle(c), label: c.label, bcdBrowser: c.bcdBrowser, engineOf: c.engineOf })),
    rows: table.rows.map((r) => ({
      key: r.key,
      label: r.label,
      indent: r.depth,
      cells: r.cells.map((c) => ({
        measured: c.measured,
        icon: MEASURED_ICON[c.measured],
        note: c.note,
        disagrees: c.disagrees,
        bcdText: c.bcd.text,
        bcdSupport: c.bcd.support,
        probe: anchorOf('api.exposure.bcd', c.browser),
        deviating: c.deviating.map((id) => ({ id, anchor: anchorOf(id, c.browser) })),
      })),
    })),
  };
}

/** junit.xml: one testsuite `bcd`, a testcase per key x browser; a disagreement is a <failure> of the BCD data, not of the browser. */
export function bcdJunit(model: ReportModel): string | null {
  if (!hasBcdProbe(model)) return null;
  const table = bcdTable(model);
  const cases = table.rows.flatMap((r) =>
    r.cells.map((c) => {
      const name = xmlText(`${r.key} [${c.browser}]`);
      const text = `${cellText(c)}\n${c.note}${c.deviating.length ? `\nDeviating: ${c.deviating.join(', ')}` : ''}`;
      const failure = c.disagrees
        ? `\n      <failure message="${xmlText(`Measured ${c.measured}; BCD ${c.bcd.browser} says ${c.bcd.support} (${c.bcd.text})`)}" type="bcd-disagreement"/>`
        : '';
      return `    <testcase name="${name}" classname="bgprobe.bcd.${xmlText(c.browser)}" time="0">${failure}\n      <system-out>${cdata(text)}</system-out>\n    </testcase>`;
    }),
  );
  const n = cases.length;
  return `  <testsuite name="bcd (BCD ${xmlText(table.bcdVersion)})" tests="${n}" failures="${table.disagreements}" errors="0" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`;
}
