/**
 * Evidence: what a compat verdict, an audit finding and a wpt explanation rest on, as plain
 * JSON (it goes into report.json). Built from the recorder (CDP events + probe records folded
 * into timelines), the harness worker's own log, and the fixture server's request log, into
 * the report format's rows (src/report/model.ts).
 *
 * Every string that contains the fixture origin has it replaced by `{fixture}`: the server
 * listens on a free port, and the same run must give the same JSON but for times.
 */
import type { FixtureServer } from '../server/index.js';
import type { FetchTimeline } from '../recorder/timeline.js';
import { servedView } from '../recorder/served.js';
import type { NormalisedEvent } from '../recorder/normalise.js';
import type { EventRow, Evidence, FetchEvidence, FindingRow, Json, ProbeRow, ServedRow } from '../report/model.js';
import { escapeRegExp } from '../util/regexp.js';

// The rows are the report format's (src/report/model.ts, one declaration each): this layer
// builds them from what the recorder and the fixture server hold.
export type { EventRow, Evidence, FetchEvidence, ProbeRow, RequestRow, ServedRow, StepRow } from '../report/model.js';

export const FIXTURE_TOKEN = '{fixture}';
/** The fixture origin's host:port, where a URL puts credentials before it. */
export const FIXTURE_HOST_TOKEN = '{fixture-host}';

export function emptyEvidence(): Evidence {
  return { fixtureOrigin: null, fetches: [], events: [], worker: [], server: [], steps: [], notes: [] };
}

export function eventRow(e: NormalisedEvent): EventRow {
  return {
    at: e.at,
    service: e.service,
    name: e.name,
    origin: e.origin,
    storageKey: e.storageKey,
    registrationId: e.registrationId,
    instanceId: e.instanceId,
    metadata: Object.keys(e.metadata)
      .sort()
      .map((k) => [k, e.metadata[k] ?? ''] as [string, string]),
  };
}

export function fetchEvidence(t: FetchTimeline): FetchEvidence {
  const probes: ProbeRow[] = [];
  for (const p of [
    ...t.swEvents,
    ...t.uiUpdates,
    ...t.records,
    ...t.fetchCalls,
    ...t.abortCalls,
    ...t.openWindows,
    ...t.unknownListeners,
  ]) {
    const { at, kind, context, id: _id, origin: _origin, ...rest } = p;
    probes.push({ at, kind, context, detail: toJson(rest) as { [key: string]: Json } });
  }
  probes.sort((a, b) => a.at - b.at);
  return {
    id: t.id,
    outcome: t.outcome,
    failureReason: t.failureReason,
    failureReasonRaw: t.failureReasonRaw,
    eventType: t.eventType,
    paused: t.paused,
    totalRequests: t.totalRequests,
    resumedAfterRestart: t.resumedAfterRestart,
    registeredAt: t.registeredAt,
    startedAt: t.startedAt,
    completedAt: t.completedAt,
    requests: t.requests.map((r) => ({
      index: r.index,
      url: r.url,
      status: r.status,
      bytes: r.bytes,
      uploadBytes: r.uploadBytes,
      startedAt: r.startedAt,
      completedAt: r.completedAt,
      attempts: r.attempts,
      served: r.served ?? [],
    })),
    progress: t.progress
      .filter((p) => p.context === 'page')
      .map((p) => [p.at, p.downloaded, p.downloadTotal, p.uploaded, p.uploadTotal] as [number, number, number, number, number]),
    probes,
    findings: t.findings.map((f): FindingRow => ({ ...f, evidence: toJson(f.evidence) as FindingRow['evidence'] })),
  };
}

/** Any value -> JSON (undefined dropped, non-finite numbers -> null, errors -> {name,message}). */
export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  // What is left is not data: a bigint or a symbol by its text, a function by its name.
  if (typeof value === 'bigint' || typeof value === 'symbol') return value.toString();
  return typeof value === 'function' ? `[function ${value.name}]` : null;
}

/**
 * Replace the fixture origin (varying port) by `{fixture}` in every string, keys included. A URL
 * with credentials in it (`http://user:pw@127.0.0.1:PORT/...`) keeps them and becomes
 * `http://user:pw@{fixture-host}/...`: the origin is not a substring of it, yet its port varies too.
 */
export function withoutOrigin<T>(value: T, origin: string | null): T {
  if (!origin) return value;
  const url = new URL(origin);
  // Not followed by a digit: port 33997 is not a prefix of port 339970.
  const plain = new RegExp(`${escapeRegExp(origin)}(?!\\d)`, 'g');
  const withUser = new RegExp(`${escapeRegExp(url.protocol)}//([^\\s/@]*)@${escapeRegExp(url.host)}(?!\\d)`, 'g');
  const swap = (s: string) => s.replace(plain, FIXTURE_TOKEN).replace(withUser, `${url.protocol}//$1@${FIXTURE_HOST_TOKEN}`);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[swap(k)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** The server requests of this scenario's server, all of them. */
export function serverRows(server: FixtureServer): ServedRow[] {
  return server.requests().map(servedView);
}
