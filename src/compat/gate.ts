/**
 * Before a scenario runs on a lane: can it be judged there at all? Two questions, in order,
 * answered from what the lane measured and declared, never from its name:
 *
 * 1. Is Background Fetch there? Measured once per launched lane (the harness page's and its
 *    worker's `'BackgroundFetchManager' in self`); where it is absent, every scenario that needs
 *    it is `unsupported`, with that probe as its evidence.
 * 2. Does the engine give the evidence the scenario needs? If not: `not-automatable`, naming it.
 */
import type { EngineDriver, EvidenceKind } from '../browsers/types.js';
import { EVIDENCE_MEANING } from '../browsers/types.js';
import { probeExposure, type ExposureProbe } from '../scenarios/harness.js';
import { bestEffort, debug } from '../util/debug.js';
import type { ScenarioContext } from '../scenarios/context.js';
import { NotAutomatable, UnsupportedFeature, type Scenario } from '../scenarios/types.js';

const log = debug('bgprobe:scenarios');

const probes = new WeakMap<EngineDriver, Promise<ExposureProbe>>();

/** The lane's exposure probe: one harness page, once per launched browser (a relaunch measures again). */
function exposureOf(ctx: ScenarioContext): Promise<ExposureProbe> {
  const engine = ctx.browser.engine;
  let p = probes.get(engine);
  if (!p) {
    p = (async () => {
      const page = await engine.newPage();
      try {
        return await probeExposure(page, `${ctx.server.url}/harness/`, ctx.within(15_000));
      } finally {
        await bestEffort(log, 'closing the exposure probe page', () => page.close());
      }
    })();
    // A probe that failed (a page that did not load) is tried again by the next scenario.
    p.catch(() => probes.delete(engine));
    probes.set(engine, p);
  }
  return p;
}

/** The not-automatable reason for evidence a lane lacks: "needs the CDP BackgroundService domain; Firefox has none". */
export function missingEvidence(needs: readonly EvidenceKind[], provides: readonly EvidenceKind[], product: string): string | null {
  const missing = needs.filter((k) => !provides.includes(k));
  if (missing.length === 0) return null;
  return `Needs ${missing.map((k) => EVIDENCE_MEANING[k]).join(' and ')}; ${product} has none.`;
}

/** Throws UnsupportedFeature or NotAutomatable (with the evidence in ctx) when the scenario cannot be judged on this lane. */
export async function gateScenario(scenario: Scenario, ctx: ScenarioContext): Promise<void> {
  const { info } = ctx.browser.engine;
  if (scenario.needsBackgroundFetch) {
    const probe = await exposureOf(ctx);
    if (!probe.window && !probe.serviceWorker) {
      ctx.step('exposure probe: "BackgroundFetchManager" in self (harness page and its service worker)', {
        window: probe.window,
        serviceWorker: probe.serviceWorker,
      });
      throw new UnsupportedFeature(
        `Background Fetch is not exposed in ${info.product} ${info.version}: the exposure probe found no BackgroundFetchManager in the page or in its service worker.`,
      );
    }
  }
  const reason = missingEvidence(scenario.needs, info.provides, `${info.product}`);
  if (reason) throw new NotAutomatable(reason);
}
