/** report.json: the model as is, 2-space indented, keys in the model's declaration order. */
import type { ReportModel } from './model.js';

export function renderJson(model: ReportModel): string {
  return `${JSON.stringify(model, undefined, 2)}\n`;
}
