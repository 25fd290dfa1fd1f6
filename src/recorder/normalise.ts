/**
 * Raw BackgroundServiceEvent -> NormalisedEvent: time in ms, metadata as an object, spec
 * failure reasons. Both Chromium naming styles are understood (`BAD_STATUS` and
 * `BackgroundFetchFailureReason::BAD_STATUS`; `BackgroundFetchSuccessEvent` and `SuccessEvent`).
 */
import type { Protocol } from 'devtools-protocol';
import type { ServiceName } from './services.js';

export type RawBackgroundServiceEvent = Protocol.BackgroundService.BackgroundServiceEvent;

export type FetchFailureReason =
  'aborted' | 'bad-status' | 'fetch-error' | 'quota-exceeded' | 'download-total-exceeded' | 'service-worker-unavailable';

export type FetchEventKind = 'registered' | 'started' | 'request-started' | 'request-completed' | 'completed' | 'resumed';

export interface NormalisedEvent {
  /** ms since the epoch (the CDP timestamp is seconds). */
  at: number;
  service: ServiceName;
  name: string;
  origin: string;
  storageKey: string | null;
  registrationId: string;
  /** The developer id for background fetch, the tag for sync/notifications, ... */
  instanceId: string;
  metadata: Record<string, string>;
  /** Background fetch only: what this event means in a fetch's life. */
  kind: FetchEventKind | null;
  /** `completed` events: the spec's failureReason, or null when none. */
  failureReason: FetchFailureReason | null;
  failureReasonRaw: string | null;
  /** Content key used to de-duplicate replays. */
  key: string;
  raw: RawBackgroundServiceEvent;
}

/** Chromium's exact background-fetch event names, by what they mean in a fetch's life. */
export const FETCH_EVENT_NAMES: Readonly<Record<FetchEventKind, string>> = {
  registered: 'Background Fetch registered',
  started: 'Background Fetch started',
  'request-started': 'Request processing started',
  'request-completed': 'Request processing completed',
  completed: 'Background Fetch completed',
  resumed: 'Background Fetch resuming after browser restart',
};

const FETCH_EVENT_KINDS: Record<string, FetchEventKind> = Object.fromEntries(
  Object.entries(FETCH_EVENT_NAMES).map(([kind, name]) => [name, kind as FetchEventKind]),
);

const FAILURE_REASONS: Record<string, FetchFailureReason> = {
  CANCELLED_FROM_UI: 'aborted',
  CANCELLED_BY_DEVELOPER: 'aborted',
  BAD_STATUS: 'bad-status',
  FETCH_ERROR: 'fetch-error',
  SERVICE_WORKER_UNAVAILABLE: 'service-worker-unavailable',
  QUOTA_EXCEEDED: 'quota-exceeded',
  DOWNLOAD_TOTAL_EXCEEDED: 'download-total-exceeded',
};

/** `BackgroundFetchFailureReason::BAD_STATUS` and `BAD_STATUS` -> 'bad-status'. */
export function normaliseFailureReason(raw: string | undefined | null): FetchFailureReason | null {
  if (!raw) return null;
  const name = raw.replace(/^.*::/, '').trim().toUpperCase();
  if (name === 'NONE' || name === '') return null;
  return FAILURE_REASONS[name] ?? null;
}

export type CompletionEventType = 'success' | 'failure' | 'aborted';

/** `BackgroundFetchSuccessEvent` / `SuccessEvent` -> 'success', Fail -> 'failure', Abort -> 'aborted'. */
export function normaliseEventType(raw: string | undefined | null): CompletionEventType | null {
  if (!raw) return null;
  const m = /(Success|Fail|Abort)(ed)?Event$/i.exec(raw.trim());
  if (!m?.[1]) return null;
  const k = m[1].toLowerCase();
  return k === 'success' ? 'success' : k === 'fail' ? 'failure' : 'aborted';
}

export function metadataObject(list: readonly Protocol.BackgroundService.EventMetadata[]): Record<string, string> {
  const out: Record<string, string> = {};
  // Defined, not assigned: an assignment to a key named `__proto__` (a metadata key is any
  // string, and imported files are untrusted) would set no property and lose the entry.
  for (const { key, value } of list) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Content identity of an event: a replay of the same stored event yields the same key. */
export function eventKey(e: RawBackgroundServiceEvent): string {
  const meta = e.eventMetadata.map((m) => [m.key, m.value] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([e.timestamp, e.service, e.serviceWorkerRegistrationId, e.instanceId, e.eventName, e.origin, meta]);
}

export function normaliseEvent(raw: RawBackgroundServiceEvent): NormalisedEvent {
  const metadata = metadataObject(raw.eventMetadata);
  const kind = raw.service === 'backgroundFetch' ? (FETCH_EVENT_KINDS[raw.eventName] ?? null) : null;
  const failureReasonRaw = kind === 'completed' ? (metadata['Failure Reason'] ?? null) : null;
  return {
    at: raw.timestamp * 1000,
    service: raw.service,
    name: raw.eventName,
    origin: raw.origin,
    storageKey: raw.storageKey ?? null,
    registrationId: raw.serviceWorkerRegistrationId,
    instanceId: raw.instanceId,
    metadata,
    kind,
    failureReason: normaliseFailureReason(failureReasonRaw),
    failureReasonRaw,
    key: eventKey(raw),
    raw,
  };
}
