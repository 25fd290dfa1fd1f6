/**
 * What bgprobe asks a Grid for, and which of its slots can answer. The matching rule is the
 * Grid's own (DefaultSlotMatcher in Selenium 4): browserName, browserVersion and platformName
 * must agree when both sides name them; an extension capability the stereotype declares
 * (a name with a colon, other than goog:, moz:, ms:, se:) must be equal when the request names
 * it too; everything else in the request is passed to the driver. Checking it here, before the
 * first request, turns "no node can ever take this" into one line at start-up instead of a
 * request that waits in the Grid's queue (Grids run with --reject-unsupported-caps off).
 */
import { UsageError } from '../../errors.js';
import { mergeArgs } from '../flags.js';
import { gridText, type GridStatus } from './client.js';

export type Capabilities = Record<string, unknown>;

/** The capability bgprobe's local Grid (scripts/grid.sh) puts in each node's stereotype: a request naming it lands on that node. */
export const NODE_CAPABILITY = 'bgprobe:node';
/** Tags every session of one bgprobe run, so a sweep can find (and delete) what the run left. */
export const RUN_CAPABILITY = 'bgprobe:run';

const VENDOR_PREFIXES = ['goog:', 'moz:', 'ms:', 'se:'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `--grid-capabilities <json>`: a JSON object, or one clear line. */
export function parseCapabilities(raw: string): Capabilities {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(
      `--grid-capabilities is not JSON (${e instanceof Error ? e.message : String(e)}): pass an object, e.g. '{"browserName":"chrome","platformName":"linux"}'.`,
    );
  }
  if (!isObject(v))
    throw new UsageError(
      `--grid-capabilities must be a JSON object of W3C capabilities, e.g. '{"browserName":"chrome"}'; got ${JSON.stringify(v)?.slice(0, 80)}.`,
    );
  return v;
}

/**
 * bgprobe's capabilities with the user's on top: the user's values win, except
 * `goog:chromeOptions.args`, which are joined (bgprobe's flags first, the user's added), so a
 * user's `--lang=de` does not drop the flags a scenario needs.
 */
export function mergeCapabilities(ours: Capabilities, theirs: Capabilities): Capabilities {
  const out: Capabilities = { ...ours, ...theirs };
  const a = ours['goog:chromeOptions'];
  const b = theirs['goog:chromeOptions'];
  if (isObject(a) && isObject(b)) {
    const args = mergeArgs(strings(a['args']), strings(b['args']));
    out['goog:chromeOptions'] = { ...a, ...b, ...(args.length ? { args } : {}) };
  }
  return out;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The Grid's rule: can a slot of this stereotype take this request? */
export function matchesStereotype(stereotype: Capabilities, request: Capabilities): boolean {
  for (const key of ['browserName', 'browserVersion', 'platformName']) {
    const want = request[key];
    const have = stereotype[key];
    if (typeof want !== 'string' || want === '' || want === 'ANY' || have === undefined) continue;
    const same = key === 'platformName' ? gridText(have).toLowerCase() === want.toLowerCase() : gridText(have) === want;
    if (!same) return false;
  }
  for (const [key, have] of Object.entries(stereotype)) {
    if (!key.includes(':') || VENDOR_PREFIXES.some((p) => key.startsWith(p))) continue;
    if (key in request && JSON.stringify(request[key]) !== JSON.stringify(have)) return false;
  }
  return true;
}

export interface GridCapacity {
  /** Slots (busy or free) on UP nodes that can take the request. */
  slots: number;
  /** The same, free now. */
  free: number;
  /** Node URIs with a matching slot. */
  nodes: string[];
}

export function capacityFor(status: GridStatus, request: Capabilities): GridCapacity {
  let slots = 0;
  let free = 0;
  const nodes = new Set<string>();
  for (const node of status.nodes) {
    if (node.availability !== 'UP') continue;
    for (const slot of node.slots) {
      if (!matchesStereotype(slot.stereotype, request)) continue;
      slots++;
      if (!slot.session) free++;
      nodes.add(node.uri);
    }
  }
  return { slots, free, nodes: [...nodes] };
}

/** One line for "no node can take this": what was asked, what the Grid offers. */
export function noMatchMessage(url: string, status: GridStatus, request: Capabilities): string {
  const offered = new Set<string>();
  for (const node of status.nodes) {
    for (const slot of node.slots) {
      const s = slot.stereotype;
      offered.add(
        `${gridText(s['browserName']) || '?'}${s['browserVersion'] ? ` ${gridText(s['browserVersion'])}` : ''} on ${gridText(s['platformName']) || 'any'} (${node.availability})`,
      );
    }
  }
  const asked = [
    'browserName',
    'browserVersion',
    'platformName',
    ...Object.keys(request).filter((k) => k.includes(':') && !VENDOR_PREFIXES.some((p) => k.startsWith(p))),
  ]
    .filter((k) => request[k] !== undefined)
    .map((k) => `${k}=${JSON.stringify(request[k])}`)
    .join(', ');
  return `No node of the Grid at ${url} can take ${asked || 'the request'}: it offers ${offered.size ? [...offered].join('; ') : 'no nodes at all'}. Check --grid-capabilities.`;
}
