/**
 * MDN's browser-compat-data, as installed (a dependency): which BCD keys make up Background
 * Fetch, and what BCD states for the browser an engine belongs to. The keys are listed from the
 * package, never hard-coded, so a key MDN adds shows up as a row of every report.
 */
import { createRequire } from 'node:module';
import type { CompatData, Identifier, SimpleSupportStatement, SupportStatement } from '@mdn/browser-compat-data/types';
import type { EngineName } from '../util/engines.js';

let cached: CompatData | null = null;

/** The installed package's data (about 15 MB of JSON: loaded on first use only). */
export function loadBcd(): CompatData {
  cached ??= createRequire(import.meta.url)('@mdn/browser-compat-data') as CompatData;
  return cached;
}

export function bcdVersion(data: CompatData = loadBcd()): string {
  return data.__meta.version;
}

/**
 * Background Fetch in BCD: every key under an `api.BackgroundFetch*` interface, and the
 * `backgroundfetch*` members of other interfaces (`ServiceWorkerRegistration.backgroundFetch`,
 * `ServiceWorkerGlobalScope.backgroundfetch*_event`), sub-features included, in BCD's order.
 */
export function backgroundFetchKeys(data: CompatData = loadBcd()): string[] {
  const keys: string[] = [];
  const walk = (node: Identifier, path: string) => {
    if (node.__compat) keys.push(path);
    for (const [name, child] of Object.entries(node)) if (name !== '__compat') walk(child as Identifier, `${path}.${name}`);
  };
  for (const [iface, node] of Object.entries(data.api)) {
    if (iface.startsWith('BackgroundFetch')) {
      walk(node as Identifier, `api.${iface}`);
      continue;
    }
    for (const [member, child] of Object.entries(node)) {
      if (member !== '__compat' && member.toLowerCase().startsWith('backgroundfetch')) walk(child as Identifier, `api.${iface}.${member}`);
    }
  }
  return keys;
}

export const EXPOSURES = ['Window', 'ServiceWorker'] as const;
export type Exposure = (typeof EXPOSURES)[number];

/**
 * Where the spec's IDL exposes each interface (`[Exposed=...]` in wicg.github.io/background-fetch
 * and the Service Workers spec); an interface not listed is taken as exposed in both. A probe
 * elsewhere says nothing about support, so its result is null there.
 */
const SPEC_EXPOSED: Record<string, readonly Exposure[]> = {
  BackgroundFetchEvent: ['ServiceWorker'],
  BackgroundFetchUpdateUIEvent: ['ServiceWorker'],
  ServiceWorkerGlobalScope: ['ServiceWorker'],
};

export function specExposures(key: string): readonly Exposure[] {
  return SPEC_EXPOSED[key.split('.')[1] ?? ''] ?? EXPOSURES;
}

/** The BCD browser whose statement an engine is held against: Chromium is Chrome's engine, Firefox ESR is Firefox, WebKitGTK shares Safari's engine. */

export const BCD_BROWSER: Record<EngineName, 'chrome' | 'firefox' | 'safari'> = {
  chromium: 'chrome',
  firefox: 'firefox',
  webkit: 'safari',
};

export type Support = 'yes' | 'no' | 'partial';

export interface BcdStatement {
  browser: 'chrome' | 'firefox' | 'safari';
  /** What BCD says for this engine's version (for Safari, whether any release has it: WebKitGTK's versions are not Safari's). */
  support: Support;
  /** BCD's words: `74`, `false`, `17 (partial)`, `flag: ...`. */
  text: string;
  /** True when the measured engine is only the engine of the BCD browser (WebKitGTK for Safari). */
  engineOf: boolean;
}

function find(data: CompatData, key: string): Identifier | undefined {
  let node: Identifier | undefined = data as unknown as Identifier;
  for (const part of key.split('.')) node = node?.[part];
  return node;
}

const major = (v: string) => Number.parseFloat(v.replace(/^[≤<]/, ''));

/** Is `s` in force at `version` (a number; NaN: any release)? */
function inForce(s: SimpleSupportStatement, version: number): boolean {
  if (s.version_added === false || s.version_added === 'preview') return false;
  if (Number.isNaN(version)) return true;
  if (version < major(String(s.version_added))) return false;
  return !(typeof s.version_removed === 'string' && version >= major(s.version_removed));
}

export function statementFor(key: string, engine: EngineName, engineVersion: string | null, data: CompatData = loadBcd()): BcdStatement {
  const browser = BCD_BROWSER[engine];
  const engineOf = engine === 'webkit';
  const raw: SupportStatement | undefined = find(data, key)?.__compat?.support[browser];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  // Safari's version numbers are not WebKitGTK's: only "in some release or not" carries over.
  const version = engineOf || !engineVersion ? NaN : major(engineVersion);
  const text = list.length
    ? list
        .map(
          (s) =>
            `${String(s.version_added)}${s.version_removed ? `-${String(s.version_removed)}` : ''}${s.partial_implementation ? ' (partial)' : ''}${s.flags ? ' (behind a flag)' : ''}${s.prefix ? ` (prefix ${s.prefix})` : ''}`,
        )
        .join('; ')
    : 'no data';
  const live = list.filter((s) => !s.flags && !s.prefix && !s.alternative_name && inForce(s, version));
  const support: Support = live.length === 0 ? 'no' : live.every((s) => s.partial_implementation) ? 'partial' : 'yes';
  return { browser, support, text, engineOf };
}

/** Measured support of a key over its spec exposures: true in all, false in all, or mixed (null: not measurable). */
export function keySupport(
  window: Readonly<Record<string, unknown>>,
  worker: Readonly<Record<string, unknown>>,
  key: string,
): boolean | 'mixed' | null {
  const seen = specExposures(key)
    .map((e) => (e === 'Window' ? window[key] : worker[key]))
    .filter((v): v is boolean => typeof v === 'boolean');
  if (seen.length === 0) return null;
  if (seen.every(Boolean)) return true;
  return seen.some(Boolean) ? 'mixed' : false;
}
