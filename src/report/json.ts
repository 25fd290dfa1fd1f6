/**
 * report.json: the model as is, 2-space indented, keys in the model's declaration order, and
 * the BCD table derived from it (`bcd`: recomputed, never read back, by report/merge/diff).
 */
import { bcdTable } from './bcd-table.js';
import type { ReportModel } from './model.js';

export function renderJson(model: ReportModel): string {
  const { bcd: _stale, ...rest } = model as ReportModel & { bcd?: unknown };
  return `${JSON.stringify({ ...rest, bcd: bcdTable(model) }, undefined, 2)}\n`;
}
