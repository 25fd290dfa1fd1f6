/**
 * report.json: the model as is, 2-space indented, keys in the model's declaration order, and
 * the BCD table derived from it (`bcd`, null when api.exposure.bcd did not run: recomputed, never read back, by report/merge/diff).
 */
import { bcdTable, hasBcdProbe } from './bcd-table.js';
import type { ReportModel } from './model.js';

export function renderJson(model: ReportModel): string {
  const { bcd: _stale, ...rest } = model as ReportModel & { bcd?: unknown };
  return `${JSON.stringify({ ...rest, bcd: hasBcdProbe(model) ? bcdTable(model) : null }, undefined, 2)}\n`;
}
