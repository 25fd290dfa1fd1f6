/**
 * Exposure by BCD key: one probe per key of MDN's browser-compat-data (as installed) that
 * belongs to Background Fetch, in the harness page (Window) and in its service worker. The
 * observation is what the report's BCD table and `--format bcd` are made from.
 */
import { backgroundFetchKeys, bcdVersion, EXPOSURES, keySupport, specExposures, type Exposure } from '../../bcd/data.js';
import { defineScenario, MDN, type Scenario } from '../types.js';

interface ProbeAnswer {
  ok: boolean;
  userAgent?: string;
  results?: Array<{ name: string; result: boolean | null; message?: string }>;
  name?: string;
  message?: string;
}

/** key -> result, and key -> message for the results that carry one. */
function table(answer: ProbeAnswer, scope: Exposure): { results: { [key: string]: boolean | null }; messages: { [key: string]: string } } {
  if (!answer.ok || !answer.results) throw new Error(`The ${scope} probe failed: ${answer.name}: ${answer.message}`);
  const results: { [key: string]: boolean | null } = {};
  const messages: { [key: string]: string } = {};
  for (const r of answer.results) {
    // Outside the spec's [Exposed] set, absence says nothing about support.
    const exposed = specExposures(r.name).includes(scope);
    results[r.name] = exposed ? r.result : null;
    const message = exposed ? r.message : `not exposed in ${scope} by the spec's IDL (measured: ${String(r.result)})`;
    if (message) messages[r.name] = message;
  }
  return { results, messages };
}

const bcdKeys = defineScenario({
  id: 'api.exposure.bcd',
  title: 'Every BCD key of Background Fetch, probed in the page and the service worker',
  expectation:
    "Every key MDN's browser-compat-data lists for Background Fetch (the BackgroundFetch* interfaces and their members, ServiceWorkerRegistration.backgroundFetch, the service worker's backgroundfetch* events) is exposed wherever the spec's IDL exposes it.",
  link: `${MDN}#browser_compatibility`,
  needs: ['page'],
  needsBackgroundFetch: false,
  async run(ctx) {
    const keys = backgroundFetchKeys();
    const s = await ctx.openHarness({ requireBackgroundFetch: false });
    const r = await s.call('bcd', keys);
    if (!r.ok) throw new Error(`The BCD probe failed: ${r.name}: ${r.message}`);
    const window = table(r['window'] as unknown as ProbeAnswer, 'Window');
    const worker = table(r['worker'] as unknown as ProbeAnswer, 'ServiceWorker');
    return {
      bcdVersion: bcdVersion(),
      userAgent: String((r['window'] as { userAgent?: string }).userAgent ?? ''),
      exposures: [...EXPOSURES],
      keys,
      window: window.results,
      serviceWorker: worker.results,
      messages: { Window: window.messages, ServiceWorker: worker.messages },
    };
  },
  judge(o) {
    const support = o.keys.map((k) => [k, keySupport(o.window, o.serviceWorker, k)] as const);
    const yes = support.filter(([, v]) => v === true).length;
    const measured = support.filter(([, v]) => v !== null).length;
    const count = `${yes} of ${o.keys.length} BCD keys (BCD ${o.bcdVersion})`;
    if (yes === 0 && support.every(([, v]) => v !== 'mixed'))
      return {
        verdict: 'unsupported',
        summary: `None exposed: 0 of ${o.keys.length} BCD keys in the page or the service worker (BCD ${o.bcdVersion}).`,
      };
    const missing = support
      .filter(([, v]) => v !== true)
      .map(([k, v]) => `${k}${v === 'mixed' ? ' (not in every scope)' : v === null ? ' (not measurable)' : ''}`);
    if (missing.length) return { verdict: 'deviates', summary: `${count} exposed; missing: ${missing.join(', ')}.` };
    return { verdict: 'conforms', summary: `All ${count} exposed wherever the spec exposes them (${measured} measured).` };
  },
});

export const BCD_SCENARIOS: Scenario[] = [bcdKeys];
