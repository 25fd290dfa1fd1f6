/**
 * The probe's source text for one install: the bundle scripts/build-injected.mjs made from
 * src/probes/injected/*.ts, run in a function of its own (its helpers stay local: nothing lands
 * on the global) and given its configuration.
 */
import { PROBE_BUNDLE } from './injected/generated.js';
import type { ProbeConfig } from './injected/probe.js';

export type { ProbeConfig };

export function probeSource(config: ProbeConfig): string {
  return `(() => {\n'use strict';\nconst module = { exports: {} };\nconst exports = module.exports;\n${PROBE_BUNDLE}\nmodule.exports.install(${JSON.stringify(config)});\n})();`;
}
