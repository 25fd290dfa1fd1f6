/**
 * Fold background-fetch events into one timeline per registration. A developer id can be
 * reused once a fetch has ended, so a timeline is registration id + developer id + time:
 * a second `Background Fetch registered` starts a new segment.
 *
 * Timelines are derived, not mutated: each snapshot is computed from its (time-sorted) events
 * plus the probe records that fall in its time window, so arrival order never matters.
 */
import type {
  FetchCallRecord,
  OpenWindowRecord,
  ProbeRecord,
  ProgressSample,
  RecordsRecord,
  SwEventRecord,
  UiUpdateRecord,
  AbortCallRecord,
  UnknownListenerRecord,
} from '../probes/types.js';
import { findingsFor, type Finding } from '../findings/index.js';
import { normaliseEventType, type FetchFailureReason, type NormalisedEvent } from './normalise.js';

export type FetchOutcome = 'pending' | 'success' | 'failure' | 'aborted';

/** What the fixture server saw for a request (filled by the evidence join, when a server is known). */
export interface ServedView {
  method: string;
  url: string;
  status: number;
  bytesSent: number;
  bytesReceived: number;
  cut: boolean;
  range: string | null;
  startedAt: number;
  completedAt: number | null;
}

export interface FetchRequest {
  index: number;
  url: string;
  status: number | null;
  bytes: number | null;
  uploadBytes: number;
  startedAt: number | null;
  completedAt: number | null;
  /** How many times Chromium started this request (more than 1 after a restart). */
  attempts: number;
  served?: ServedView[];
}

export interface FetchTimeline {
  /** Unique within a recording: `<registrationId>/<developer id>#<n>`. */
  key: string;
  id: string;
  registrationId: string;
  origin: string;
  storageKey: string | null;
  outcome: FetchOutcome;
  failureReason: FetchFailureReason | null;
  failureReasonRaw: string | null;
  eventType: string | null;
  paused: boolean | null;
  totalRequests: number | null;
  resumedAfterRestart: boolean;
  registeredAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  requests: FetchRequest[];
  events: NormalisedEvent[];
  progress: ProgressSample[];
  swEvents: SwEventRecord[];
  uiUpdates: UiUpdateRecord[];
  records: RecordsRecord[];
  fetchCalls: FetchCallRecord[];
  abortCalls: AbortCallRecord[];
  openWindows: OpenWindowRecord[];
  /** Listeners the origin's worker added for names that are not events (once per name). */
  unknownListeners: UnknownListenerRecord[];
  /** What the rules of src/findings/ found wrong (or worth knowing): errors first. */
  findings: Finding[];
}

/**
 * `settled`: completed AND the service worker finished handling its completion event (every
 * waitUntil() promise settled: updateUI, cache writes). CDP logs "completed" before the worker
 * even gets the event.
 */
export type FetchStage = 'registered' | 'started' | 'completed' | 'settled';

/** When a fetch began, as far as the recording knows: its registration, else its first event. */
export function timelineStart(t: Pick<FetchTimeline, 'registeredAt' | 'events'>): number {
  return t.registeredAt ?? t.events[0]?.at ?? 0;
}

export function reachedStage(t: FetchTimeline, stage: FetchStage): boolean {
  if (stage === 'settled') return t.completedAt !== null && t.swEvents.some((e) => e.type !== 'backgroundfetchclick' && e.doneAt != null);
  if (stage === 'completed') return t.completedAt !== null;
  if (stage === 'started') return t.startedAt !== null || t.requests.length > 0 || t.completedAt !== null;
  return t.events.length > 0;
}

/** What the recording can show: without worker probes nothing reports the worker's event. */
export interface WaitEvidence {
  workerProbes: boolean;
}

/**
 * waitForFetch's condition, over the timeline alone: `until` reached, as far as the evidence can
 * show it (without worker probes, settled is completed).
 */
export function fetchReached(t: FetchTimeline, until: FetchStage, evidence: WaitEvidence): boolean {
  return reachedStage(t, until === 'settled' && !evidence.workerProbes ? 'completed' : until);
}

/** The latest timeline of `id` registered at or after `since` (ms epoch), if any. */
export function latestTimeline(timelines: readonly FetchTimeline[], id: string, since?: number): FetchTimeline | undefined {
  const all = timelines.filter((t) => t.id === id && (since === undefined || timelineStart(t) >= since));
  return all[all.length - 1];
}

interface Segment {
  n: number;
  events: NormalisedEvent[];
}

/** Probe records arrive close to, but not exactly at, the CDP times: allow this much skew. */
const SKEW_MS = 2_000;

export class TimelineStore {
  private groups = new Map<string, Segment[]>();
  /** Insertion order of segments, for stable listing. */
  private order: Array<{ group: string; seg: Segment }> = [];
  private probes: ProbeRecord[] = [];
  /** Records about a worker, not one fetch (id ''): joined to every timeline of their origin. */
  private workerProbes: UnknownListenerRecord[] = [];
  /** Indexes, so a probe record or a lookup by id touches only that id's data, not everything. */
  private probesById = new Map<string, ProbeRecord[]>();
  private groupsById = new Map<string, string[]>();

  /** Add a backgroundFetch event; returns the key of the timeline it joined. */
  add(e: NormalisedEvent): string {
    const group = `${e.registrationId}/${e.instanceId}`;
    let segs = this.groups.get(group);
    if (!segs) {
      this.groups.set(group, (segs = []));
      const ids = this.groupsById.get(e.instanceId);
      if (ids) ids.push(group);
      else this.groupsById.set(e.instanceId, [group]);
    }
    let seg: Segment | undefined;
    if (e.kind === 'registered') {
      seg = segs.find((s) => !s.events.some((x) => x.kind === 'registered') && s.events.every((x) => x.at >= e.at));
      seg ??= this.newSegment(group, segs);
    } else {
      // The latest segment registered at or before this event; else the first one.
      for (const s of segs) {
        const reg = s.events.find((x) => x.kind === 'registered');
        if (!reg || reg.at <= e.at) seg = s;
      }
      seg ??= segs[0] ?? this.newSegment(group, segs);
    }
    insertSorted(seg.events, e);
    return `${group}#${seg.n}`;
  }

  addProbe(record: ProbeRecord): void {
    this.probes.push(record);
    if (record.kind === 'unknown-listener') this.workerProbes.push(record);
    // About a worker, not one fetch: no timeline joins it by id.
    if (record.kind === 'unknown-listener' || record.kind === 'worker-start') return;
    const list = this.probesById.get(record.id);
    if (list) list.push(record);
    else this.probesById.set(record.id, [record]);
  }

  probeRecords(): readonly ProbeRecord[] {
    return this.probes;
  }

  keys(): string[] {
    return this.order.map(({ group, seg }) => `${group}#${seg.n}`);
  }

  get size(): number {
    return this.order.length;
  }

  all(): FetchTimeline[] {
    return this.order.map(({ group, seg }) => this.build(group, seg));
  }

  get(key: string): FetchTimeline | undefined {
    const hash = key.lastIndexOf('#');
    const group = key.slice(0, hash);
    const seg = this.groups.get(group)?.find((s) => s.n === Number(key.slice(hash + 1)));
    return seg ? this.build(group, seg) : undefined;
  }

  /** Every timeline of a developer id, oldest first. */
  byId(id: string): FetchTimeline[] {
    return (this.groupsById.get(id) ?? [])
      .flatMap((group) => this.groups.get(group)!.map((seg) => this.build(group, seg)))
      .sort((a, b) => timelineStart(a) - timelineStart(b));
  }

  private newSegment(group: string, segs: Segment[]): Segment {
    const seg = { n: segs.length + 1, events: [] };
    segs.push(seg);
    this.order.push({ group, seg });
    return seg;
  }

  private build(group: string, seg: Segment): FetchTimeline {
    const t = emptyTimeline(`${group}#${seg.n}`, seg.events);
    const requests = new Map<number, FetchRequest>();
    for (const e of seg.events) foldEvent(t, requests, e);
    t.requests = [...requests.values()].sort((a, b) => a.index - b.index);
    this.joinProbes(t, group, seg);
    this.joinWorkerProbes(t);
    t.findings = findingsFor(t);
    return t;
  }

  /**
   * A worker's listeners for non-events, from any of its starts up to this fetch's end: the
   * worker that handles the fetch's events is one of those.
   */
  private joinWorkerProbes(t: FetchTimeline): void {
    const origin = normaliseOrigin(t.origin);
    const end = (t.completedAt ?? Infinity) + SKEW_MS * 5;
    const names = new Set<string>();
    for (const p of this.workerProbes) {
      if (normaliseOrigin(p.origin) !== origin || p.at > end || names.has(p.name)) continue;
      names.add(p.name);
      t.unknownListeners.push(p);
    }
  }

  /** Probe records of this id and origin between this segment's start and the next one's. */
  private joinProbes(t: FetchTimeline, group: string, seg: Segment): void {
    const probes = this.probesById.get(t.id);
    if (!probes) return;
    const origin = normaliseOrigin(t.origin);
    const start = timelineStart(t) - SKEW_MS;
    const segs = this.groups.get(group)!;
    const next = segs.find((s) => s.n > seg.n && s.events.some((x) => x.kind === 'registered'));
    const nextStart = next ? next.events.find((x) => x.kind === 'registered')!.at - SKEW_MS / 4 : Infinity;
    for (const p of probes) {
      if (p.id !== t.id || normaliseOrigin(p.origin) !== origin) continue;
      // fetch() calls happen just before registration; everything else after it.
      if (p.at < start || p.at >= nextStart) continue;
      switch (p.kind) {
        case 'progress':
          t.progress.push(p);
          break;
        case 'sw-event':
          t.swEvents.push({ ...p, listeners: p.listeners ?? null, waitUntil: null, doneAt: null, doneOk: null });
          break;
        case 'sw-event-done': {
          const ev = [...t.swEvents].reverse().find((s) => s.type === p.type && s.doneAt === null);
          if (ev) {
            ev.doneAt = p.at;
            ev.doneOk = p.ok;
            ev.waitUntil = p.waitUntil ?? null;
          }
          break;
        }
        case 'ui-update':
          t.uiUpdates.push(p);
          break;
        case 'records':
          t.records.push(p);
          break;
        case 'fetch-call':
          t.fetchCalls.push(p);
          break;
        case 'abort-call':
          t.abortCalls.push(p);
          break;
        case 'open-window':
          t.openWindows.push(p);
          break;
      }
    }
  }
}

/** CDP origins end with '/', `location.origin` does not. */
export function normaliseOrigin(origin: string): string {
  return origin.endsWith('/') ? origin.slice(0, -1) : origin;
}

function insertSorted(list: NormalisedEvent[], e: NormalisedEvent): void {
  let i = list.length;
  while (i > 0 && list[i - 1].at > e.at) i--;
  list.splice(i, 0, e);
}

/** A pending timeline of `events` (the first one names the fetch), before any is folded in. */
function emptyTimeline(key: string, events: readonly NormalisedEvent[]): FetchTimeline {
  const first = events[0];
  return {
    key,
    id: first.instanceId,
    registrationId: first.registrationId,
    origin: first.origin,
    storageKey: first.storageKey,
    outcome: 'pending',
    failureReason: null,
    failureReasonRaw: null,
    eventType: null,
    paused: null,
    totalRequests: null,
    resumedAfterRestart: false,
    registeredAt: null,
    startedAt: null,
    completedAt: null,
    requests: [],
    events: [...events],
    progress: [],
    swEvents: [],
    uiUpdates: [],
    records: [],
    fetchCalls: [],
    abortCalls: [],
    openWindows: [],
    unknownListeners: [],
    findings: [],
  };
}

function foldEvent(t: FetchTimeline, requests: Map<number, FetchRequest>, e: NormalisedEvent): void {
  const m = e.metadata;
  switch (e.kind) {
    case 'registered':
      t.registeredAt = e.at;
      t.totalRequests = m['Total Requests'] !== undefined ? Number(m['Total Requests']) : null;
      t.paused = m['Start Paused'] !== undefined ? m['Start Paused'] === 'Yes' : null;
      break;
    case 'started':
      t.startedAt ??= e.at;
      break;
    case 'request-started':
    case 'request-completed':
      foldRequest(requests, e);
      break;
    case 'completed': {
      t.completedAt = e.at;
      t.eventType = m['Event Type'] ?? null;
      t.failureReason = e.failureReason;
      t.failureReasonRaw = e.failureReasonRaw;
      const type = normaliseEventType(t.eventType);
      t.outcome = type ?? (e.failureReason === 'aborted' ? 'aborted' : e.failureReason ? 'failure' : 'success');
      if (t.outcome === 'aborted') t.failureReason ??= 'aborted';
      break;
    }
    case 'resumed':
      t.resumedAfterRestart = true;
      break;
    default:
      break;
  }
}

function foldRequest(requests: Map<number, FetchRequest>, e: NormalisedEvent): void {
  const m = e.metadata;
  const index = Number(m['Request Index'] ?? requests.size);
  let r = requests.get(index);
  if (!r) {
    r = { index, url: m['URL'] ?? '', status: null, bytes: null, uploadBytes: 0, startedAt: null, completedAt: null, attempts: 0 };
    requests.set(index, r);
  }
  if (m['URL']) r.url = m['URL'];
  if (m['Upload Size (bytes)'] !== undefined) r.uploadBytes = Number(m['Upload Size (bytes)']);
  if (e.kind === 'request-started') {
    r.attempts += 1;
    r.startedAt = e.at;
    // A restarted request has not completed yet, whatever the first attempt did.
    r.completedAt = null;
    r.status = null;
    r.bytes = null;
  } else {
    r.status = m['Response Status'] !== undefined ? Number(m['Response Status']) : null;
    r.bytes = m['Response Size (bytes)'] !== undefined ? Number(m['Response Size (bytes)']) : null;
    r.completedAt = e.at;
  }
}
