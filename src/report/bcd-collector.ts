/**
 * `--format bcd`: the results in mdn-bcd-collector's report format, one file per browser, so
 * BCD's own `update-bcd` tooling can read a bgprobe run:
 *
 *   { "__version": "...", "results": { "<page url>": [{ "exposure", "name", "result", "message"? }] }, "userAgent": "..." }
 *
 * One entry per BCD key and exposure (Window, ServiceWorker), from the `api.exposure.bcd`
 * observation. `result` is true/false as measured, null where the spec does not expose the key
 * or the probe could not tell (with the reason in `message`). Browsers on which the probe did
 * not run get no file.
 */
import { EXPOSURES } from '../bcd/data.js';
import { BCD_SCENARIO } from './bcd-table.js';
import type { Json, ReportModel } from './model.js';

export interface CollectorResult {
  exposure: string;
  name: string;
  result: boolean | null;
  message?: string;
}

export interface CollectorReport {
  __version: string;
  results: Record<string, CollectorResult[]>;
  userAgent: string;
}

/** A file name for a browser's label: `bcd-webkit_--features_+BackgroundFetchAPI.json`. */
export function collectorFileName(label: string): string {
  return `bcd-${label.replace(/[^A-Za-z0-9.+_-]+/g, '_')}.json`;
}

export const COLLECTOR_FILE = /^bcd-[A-Za-z0-9.+_-]+\.json$/;

const text = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

export function collectorReports(model: ReportModel): Array<{ browser: string; file: string; report: CollectorReport }> {
  const out: Array<{ browser: string; file: string; report: CollectorReport }> = [];
  for (const r of model.results) {
    const o = r.observation;
    if (r.scenarioId !== BCD_SCENARIO || !o || !Array.isArray(o['keys'])) continue;
    const scopes = { Window: o['window'], ServiceWorker: o['serviceWorker'] } as Record<string, { [k: string]: Json } | undefined>;
    const messages = (o['messages'] ?? {}) as Record<string, { [k: string]: Json } | undefined>;
    // The collector keys results by the page that ran them: the harness page of this run's fixture origin.
    const url = `${r.evidence.fixtureOrigin ?? 'http://127.0.0.1'}/harness/`;
    const entries: CollectorResult[] = [];
    for (const name of o['keys'] as string[]) {
      for (const exposure of EXPOSURES) {
        const value = scopes[exposure]?.[name];
        const message = messages[exposure]?.[name];
        entries.push({
          exposure,
          name,
          result: typeof value === 'boolean' ? value : null,
          ...(typeof message === 'string' ? { message } : {}),
        });
      }
    }
    out.push({
      browser: r.browser,
      file: collectorFileName(r.browser),
      report: {
        __version: `bgprobe ${model.tool.version} (BCD ${text(o['bcdVersion'])})`,
        results: { [url]: entries },
        userAgent: text(o['userAgent']),
      },
    });
  }
  return out;
}
