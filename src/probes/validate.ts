/**
 * The trust boundary at the probe channel. A page (and the app's worker) is untrusted input:
 * every payload that arrives over a probe binding is bounded in size, parsed, and each record
 * checked against the JSON Schema generated from ProbeRecord (the one type the probe and
 * bgprobe share) before anything reads it. A record that fails is dropped and counted by
 * reason; nothing in a payload is kept unless it passed, and nothing it holds can throw here.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { PROBE_RECORD_SCHEMA } from './injected/generated.js';
import type { ProbeRecord } from './types.js';

/** A payload longer than this (UTF-16 code units, about bytes for JSON) is dropped unread. */
export const MAX_PAYLOAD_CHARS = 1024 * 1024;
/** Records in one payload (the probe batches at most 64). */
export const MAX_RECORDS_PER_PAYLOAD = 256;

/** Kinds only a service worker's probe sends: from a page they are forgeries. */
const WORKER_KINDS: ReadonlySet<string> = new Set([
  'sw-event',
  'sw-event-done',
  'ui-update',
  'open-window',
  'unknown-listener',
  'worker-start',
]);

export type DropReason =
  | 'not from the probe'
  | 'payload too large'
  | 'not JSON'
  | 'too many records in one payload'
  | 'not a record'
  | 'unknown kind'
  | 'invalid record'
  | 'worker record from a page'
  | 'context does not match the channel'
  | 'per-fetch cap reached'
  | 'total cap reached';

export interface ChannelVerdict {
  records: ProbeRecord[];
  /** One entry per record (or payload) dropped: why, and the schema's first complaint when there is one. */
  dropped: Array<{ reason: DropReason; detail?: string }>;
}

let validators: Map<string, ValidateFunction<ProbeRecord>> | null = null;

/** One validator per record kind (a union's errors say little), compiled once. */
function byKind(): Map<string, ValidateFunction<ProbeRecord>> {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: false, strict: false });
  ajv.addSchema(PROBE_RECORD_SCHEMA, 'probe');
  const definitions = (PROBE_RECORD_SCHEMA['definitions'] ?? {}) as Record<string, { properties?: { kind?: { const?: string } } }>;
  const map = new Map<string, ValidateFunction<ProbeRecord>>();
  for (const [name, def] of Object.entries(definitions)) {
    const kind = def.properties?.kind?.const;
    if (typeof kind === 'string') map.set(kind, ajv.compile<ProbeRecord>({ $ref: `probe#/definitions/${name}` }));
  }
  validators = map;
  return map;
}

/** The kinds the schema knows (each record type's `kind`). */
export function knownKinds(): string[] {
  return [...byKind().keys()];
}

/**
 * Check one payload from a channel of `context` ('page' for a page's binding, 'worker' for a
 * service worker's): the records that may be kept, and why the others may not.
 */
export function checkPayload(payload: unknown, context: 'page' | 'worker'): ChannelVerdict {
  const verdict: ChannelVerdict = { records: [], dropped: [] };
  if (typeof payload !== 'string') return drop(verdict, 'not JSON');
  if (payload.length > MAX_PAYLOAD_CHARS) return drop(verdict, 'payload too large', `${payload.length} chars`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return drop(verdict, 'not JSON');
  }
  const list: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length > MAX_RECORDS_PER_PAYLOAD) return drop(verdict, 'too many records in one payload', `${list.length}`);
  for (const item of list) {
    const why = checkRecord(item, context);
    if (why) verdict.dropped.push(why);
    else verdict.records.push(item as ProbeRecord);
  }
  return verdict;
}

function drop(verdict: ChannelVerdict, reason: DropReason, detail?: string): ChannelVerdict {
  verdict.dropped.push(detail === undefined ? { reason } : { reason, detail });
  return verdict;
}

function checkRecord(item: unknown, context: 'page' | 'worker'): { reason: DropReason; detail?: string } | null {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return { reason: 'not a record' };
  const kind = Object.prototype.hasOwnProperty.call(item, 'kind') ? (item as { kind: unknown }).kind : undefined;
  const validate = typeof kind === 'string' ? byKind().get(kind) : undefined;
  if (!validate || typeof kind !== 'string') return { reason: 'unknown kind' };
  if (!validate(item)) {
    const e = validate.errors?.[0];
    return { reason: 'invalid record', detail: e ? `${kind}${e.instancePath} ${e.message ?? ''}`.slice(0, 200) : kind };
  }
  if (context === 'page' && WORKER_KINDS.has(kind)) return { reason: 'worker record from a page', detail: kind };
  if (item.context !== context) return { reason: 'context does not match the channel' };
  return null;
}
