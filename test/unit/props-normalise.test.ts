// Property-based drills for the event normaliser and the replay de-duplication built on it:
// any well-typed BackgroundServiceEvent (the protocol's type; strings may hold anything)
// normalises without throwing, keeps what it was given, and its content key is what makes a
// replay a duplicate: the same whatever the metadata order, different when the content is.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { eventKey, normaliseEvent, normaliseEventType, normaliseFailureReason } from '../../src/recorder/normalise.js';
import type { RawBackgroundServiceEvent } from '../../src/recorder/normalise.js';
import { Recording } from '../../src/recorder/recording.js';
import { SERVICE_NAMES } from '../../src/recorder/services.js';

const RUNS = { numRuns: 2_000 };
const FETCH_NAMES = [
  'Background Fetch registered',
  'Background Fetch started',
  'Request processing started',
  'Request processing completed',
  'Background Fetch completed',
  'Background Fetch resuming after browser restart',
];
const REASONS = [
  'CANCELLED_FROM_UI',
  'CANCELLED_BY_DEVELOPER',
  'BAD_STATUS',
  'FETCH_ERROR',
  'SERVICE_WORKER_UNAVAILABLE',
  'QUOTA_EXCEEDED',
  'DOWNLOAD_TOTAL_EXCEEDED',
];
const SPEC_REASONS = [
  null,
  'aborted',
  'bad-status',
  'fetch-error',
  'quota-exceeded',
  'download-total-exceeded',
  'service-worker-unavailable',
];

const metaKey = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'Failure Reason',
    'Event Type',
    'URL',
    'Request Index',
    'Total Requests',
    'Start Paused',
    '__proto__',
    'constructor',
    'toString',
  ),
);
const metaValue = fc.oneof(
  fc.string(),
  fc.constantFrom(...REASONS),
  fc.constantFrom(...REASONS.map((r) => `BackgroundFetchFailureReason::${r}`)),
  fc.constantFrom('NONE', 'BackgroundFetchSuccessEvent', 'FailEvent', 'AbortEvent'),
);

const rawEvent: fc.Arbitrary<RawBackgroundServiceEvent> = fc
  .record(
    {
      // Chromium's timestamps: seconds since the epoch with a fraction.
      timestamp: fc.double({ min: 0, max: 4_102_444_800, noNaN: true }),
      origin: fc.string(),
      serviceWorkerRegistrationId: fc.string(),
      service: fc.constantFrom(...SERVICE_NAMES),
      eventName: fc.oneof(fc.constantFrom(...FETCH_NAMES), fc.string()),
      instanceId: fc.string(),
      // The reference: keys are unique within an event, their order is not guaranteed.
      eventMetadata: fc.uniqueArray(fc.record({ key: metaKey, value: metaValue }), { selector: (m) => m.key, maxLength: 6 }),
      storageKey: fc.string(),
    },
    { requiredKeys: ['timestamp', 'origin', 'serviceWorkerRegistrationId', 'service', 'eventName', 'instanceId', 'eventMetadata'] },
  )
  // storageKey absent (pre-2022 builds: the protocol type says required, old files lack it).
  .map(({ storageKey, ...rest }): RawBackgroundServiceEvent =>
    storageKey === undefined ? (rest as RawBackgroundServiceEvent) : { ...rest, storageKey },
  );

/** The same content as a new object with the metadata in another order: a replay. */
const replayOf = (e: RawBackgroundServiceEvent, order: number[]): RawBackgroundServiceEvent => ({
  ...e,
  eventMetadata: [...e.eventMetadata.keys()]
    .sort((a, b) => order[a % order.length] - order[b % order.length] || b - a)
    .map((i) => ({ ...e.eventMetadata[i] })),
});

describe('normaliseEvent on arbitrary well-typed events', () => {
  test('never throws, keeps the time, the identity and the raw event', () => {
    fc.assert(
      fc.property(rawEvent, (raw) => {
        const e = normaliseEvent(raw);
        expect(e.at).toBe(raw.timestamp * 1000);
        expect([e.service, e.name, e.origin, e.registrationId, e.instanceId]).toEqual([
          raw.service,
          raw.eventName,
          raw.origin,
          raw.serviceWorkerRegistrationId,
          raw.instanceId,
        ]);
        expect(e.storageKey).toBe(raw.storageKey ?? null);
        expect(e.raw).toBe(raw);
        expect(SPEC_REASONS).toContain(e.failureReason);
        if (e.kind !== null) expect(raw.service).toBe('backgroundFetch');
        if (e.kind !== 'completed') expect([e.failureReason, e.failureReasonRaw]).toEqual([null, null]);
      }),
      RUNS,
    );
  });

  test('metadata becomes an object holding every key with its value, whatever the key', () => {
    fc.assert(
      fc.property(rawEvent, (raw) => {
        const { metadata } = normaliseEvent(raw);
        expect(Object.keys(metadata).sort()).toEqual(raw.eventMetadata.map((m) => m.key).sort());
        for (const { key, value } of raw.eventMetadata) expect(Object.getOwnPropertyDescriptor(metadata, key)?.value).toBe(value);
      }),
      RUNS,
    );
  });

  test('the content key ignores metadata order and object identity (a replay is a duplicate)', () => {
    fc.assert(
      fc.property(rawEvent, fc.array(fc.nat(), { minLength: 6, maxLength: 12 }), (raw, order) => {
        const perm = [...raw.eventMetadata.keys()].sort((a, b) => order[a] - order[b] || a - b);
        const replay = { ...raw, eventMetadata: perm.map((i) => ({ ...raw.eventMetadata[i] })) };
        expect(eventKey(replay)).toBe(eventKey(raw));
      }),
      RUNS,
    );
  });

  test('the content key changes when any part of the content does', () => {
    const field = fc.constantFrom('timestamp', 'origin', 'serviceWorkerRegistrationId', 'instanceId', 'eventName', 'metadataValue');
    fc.assert(
      fc.property(rawEvent, field, fc.string({ minLength: 1 }), (raw, f, s) => {
        const other: RawBackgroundServiceEvent = { ...raw, eventMetadata: raw.eventMetadata.map((m) => ({ ...m })) };
        if (f === 'timestamp') other.timestamp = raw.timestamp + 0.001;
        else if (f === 'metadataValue') {
          if (other.eventMetadata.length === 0) other.eventMetadata.push({ key: 'k', value: s });
          else other.eventMetadata[0].value += s;
        } else (other as unknown as Record<string, string>)[f] = `${(raw as unknown as Record<string, string>)[f]}${s}`;
        expect(eventKey(other)).not.toBe(eventKey(raw));
      }),
      RUNS,
    );
  });

  test('a Recording fed events then their replays keeps each event once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(rawEvent, { selector: (e) => eventKey(e), maxLength: 25 }),
        fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
        (events, order) => {
          const r = new Recording();
          for (const e of events) r.ingest(e);
          const before = r.events().map((e) => e.key);
          for (const e of [...events].reverse()) expect(r.ingest(replayOf(e, order))).toBeNull();
          expect(r.duplicatesDropped).toBe(events.length);
          expect(r.events().map((e) => e.key)).toEqual(before);
          // Timelines read without throwing, one per fetch registration at most.
          expect(r.fetches().length).toBeLessThanOrEqual(events.filter((e) => e.service === 'backgroundFetch').length);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('naming styles', () => {
  test('failure reasons: any text gives a spec name or null; both Chromium styles give the same', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom(...REASONS)),
        fc.string().filter((p) => !p.includes('::')),
        (text, prefix) => {
          expect(SPEC_REASONS).toContain(normaliseFailureReason(text));
          if (REASONS.includes(text)) {
            expect(normaliseFailureReason(`${prefix}::${text}`)).toBe(normaliseFailureReason(text));
            expect(normaliseFailureReason(`BackgroundFetchFailureReason::${text}`)).not.toBeNull();
          }
        },
      ),
      RUNS,
    );
  });

  test('completion event types: any text gives success/failure/aborted or null; long and short names agree', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('Success', 'Fail', 'Abort')), (text) => {
        expect([null, 'success', 'failure', 'aborted']).toContain(normaliseEventType(text));
        if (['Success', 'Fail', 'Abort'].includes(text)) {
          expect(normaliseEventType(`BackgroundFetch${text}Event`)).toBe(normaliseEventType(`${text}Event`));
        }
      }),
      RUNS,
    );
  });

  test('long strings do not slow the name matching down (no catastrophic backtracking)', () => {
    fc.assert(
      fc.property(fc.constantFrom('::', 'Event', 'SuccessEvent', 'a', ':'), fc.integer({ min: 1_000, max: 50_000 }), (unit, n) => {
        const text = unit.repeat(n);
        const t0 = performance.now();
        normaliseFailureReason(text);
        normaliseEventType(`${text}x`);
        expect(performance.now() - t0).toBeLessThan(1_000);
      }),
      { numRuns: 100 },
    );
  });
});
