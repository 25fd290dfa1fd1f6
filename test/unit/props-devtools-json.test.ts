// Property-based drills for the DevTools "Save events" reader: a user's file may be anything
// (truncated by a full disk, another tool's JSON, hand-edited). The reader returns events or
// throws InputFormatError saying where; it never throws anything else, never returns half a
// file, and what bgprobe writes it reads back unchanged.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InputFormatError } from '../../src/errors.js';
import { parseDevToolsJson, toDevToolsJsonText } from '../../src/recorder/devtools-json.js';
import { Recording } from '../../src/recorder/recording.js';
import { SERVICE_NAMES } from '../../src/recorder/services.js';
import type { RawBackgroundServiceEvent } from '../../src/recorder/normalise.js';

const RUNS = { numRuns: 1_000 };

/** Well-typed events: what Chromium (or bgprobe record) writes, with arbitrary strings. */
const rawEvent: fc.Arbitrary<RawBackgroundServiceEvent> = fc
  .record(
    {
      timestamp: fc.double({ min: 0, max: 4_102_444_800, noNaN: true }),
      origin: fc.string(),
      serviceWorkerRegistrationId: fc.string(),
      service: fc.constantFrom(...SERVICE_NAMES),
      eventName: fc.oneof(
        fc.constantFrom('Background Fetch registered', 'Background Fetch completed', 'Request processing completed'),
        fc.string(),
      ),
      instanceId: fc.string(),
      eventMetadata: fc.uniqueArray(fc.record({ key: fc.string(), value: fc.string() }), { selector: (m) => m.key, maxLength: 6 }),
      storageKey: fc.string(),
    },
    { requiredKeys: ['timestamp', 'origin', 'serviceWorkerRegistrationId', 'service', 'eventName', 'instanceId', 'eventMetadata'] },
  )
  // storageKey absent (pre-2022 builds: the protocol type says required, old files lack it).
  .map(({ storageKey, ...rest }): RawBackgroundServiceEvent =>
    storageKey === undefined ? (rest as RawBackgroundServiceEvent) : { ...rest, storageKey },
  );

function read(text: string): { events: RawBackgroundServiceEvent[] } | { error: InputFormatError } {
  try {
    return { events: parseDevToolsJson(text, 'file.json') };
  } catch (e) {
    if (e instanceof InputFormatError) return { error: e };
    throw e;
  }
}

describe('parseDevToolsJson on arbitrary input', () => {
  test('arbitrary text: events or an InputFormatError naming the file', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const r = read(text);
          if ('error' in r) expect(r.error.message.startsWith('file.json')).toBe(true);
          else expect(Array.isArray(r.events)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  test('what bgprobe writes reads back as the same events', () => {
    fc.assert(
      fc.property(fc.array(rawEvent, { maxLength: 20 }), (events) => {
        const r = read(toDevToolsJsonText(events));
        expect(r).toEqual({ events });
      }),
      RUNS,
    );
  });

  test('a truncated export is an InputFormatError with a position, never a partial list', () => {
    fc.assert(
      fc.property(
        fc.array(rawEvent, { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (events, cut) => {
          const text = toDevToolsJsonText(events);
          const r = read(text.slice(0, Math.floor(cut * text.length)));
          expect('error' in r).toBe(true);
          if ('error' in r) expect(r.error.message).toMatch(/not valid JSON( at line \d+, column \d+| \(the file is empty\))?/);
        },
      ),
      RUNS,
    );
  });

  test('one field of one event given a wrong type: an InputFormatError naming that event, nothing returned', () => {
    const fields = [
      'timestamp',
      'origin',
      'serviceWorkerRegistrationId',
      'service',
      'eventName',
      'instanceId',
      'eventMetadata',
      'storageKey',
    ] as const;
    const wrong = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.boolean(),
      fc.constant([]),
      fc.object(),
      fc.string().filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s)),
      fc.constant(Number.MAX_VALUE),
    );
    fc.assert(
      fc.property(
        fc.array(rawEvent, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom(...fields),
        wrong,
        (events, pick, field, value) => {
          const i = pick % events.length;
          const broken = events.map((e) => ({ ...e })) as Array<Record<string, unknown>>;
          broken[i][field] = value;
          const r = read(JSON.stringify(broken));
          // Some "wrong" values are right for some fields (a string for origin); only the
          // ill-typed ones must be refused, and when refused the message names event [i].
          const stillValid =
            (typeof value === 'string' &&
              ['origin', 'serviceWorkerRegistrationId', 'eventName', 'instanceId', 'storageKey'].includes(field)) ||
            (typeof value === 'number' && field === 'timestamp') ||
            (Array.isArray(value) && field === 'eventMetadata');
          if (stillValid) return;
          expect('error' in r, `${field} = ${JSON.stringify(value)}`).toBe(true);
          if ('error' in r) expect(r.error.message).toContain(`event [${i}]`);
        },
      ),
      RUNS,
    );
  });

  test('every event the reader accepts can be ingested, listed and written again', () => {
    // Loosely typed objects, as another tool might write them: whatever the reader lets
    // through, the rest of bgprobe must handle without throwing.
    const loose = fc.record({
      timestamp: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
      origin: fc.string(),
      serviceWorkerRegistrationId: fc.string(),
      service: fc.constantFrom(...SERVICE_NAMES),
      eventName: fc.string(),
      instanceId: fc.string(),
      eventMetadata: fc.array(
        fc.record({
          key: fc.oneof(
            fc.string(),
            fc.constantFrom('__proto__', 'constructor', 'Request Index', 'Response Size (bytes)', 'Failure Reason', 'Event Type'),
          ),
          value: fc.string(),
        }),
        { maxLength: 6 },
      ),
      extra: fc.jsonValue(),
    });
    fc.assert(
      fc.property(fc.array(loose, { maxLength: 10 }), (events) => {
        const r = read(JSON.stringify(events));
        if ('error' in r) return;
        const rec = new Recording();
        for (const e of r.events) rec.ingest(e);
        rec.fetches();
        rec.events();
        for (const s of SERVICE_NAMES) expect(read(rec.toDevToolsJson(s))).not.toHaveProperty('error');
      }),
      RUNS,
    );
  });
});
