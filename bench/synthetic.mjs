// Synthetic BackgroundService events shaped like what Chromium logs (part A of the reference):
// background fetches of two requests (7 events each: registered, started, 2 x request started,
// 2 x request completed, completed) interleaved in time, events of the other services, and
// replayed copies of earlier events with their metadata in another order, as a second
// startObserving would deliver them. Deterministic (seeded) so runs compare.

const ORIGIN = 'http://127.0.0.1:8080/';

function rng(seed) {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const meta = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value: String(value) }));

function raw(timestampMs, service, eventName, instanceId, registrationId, metadata) {
  return {
    timestamp: timestampMs / 1000,
    origin: ORIGIN,
    serviceWorkerRegistrationId: registrationId,
    service,
    eventName,
    instanceId,
    eventMetadata: meta(metadata),
    storageKey: ORIGIN,
  };
}

function fetchEvents(i, t0, random) {
  const id = `episode-${i}`;
  const reg = String(1 + (i % 7));
  const urls = [`${ORIGIN}res/episode-${i}.mp3?size=1m`, `${ORIGIN}res/art-${i}.svg?size=2k`];
  const fail = i % 11 === 0;
  let t = t0;
  const step = () => (t += 1 + random() * 20);
  const out = [
    raw(t, 'backgroundFetch', 'Background Fetch registered', id, reg, { 'Total Requests': 2, 'Start Paused': 'No' }),
    raw(step(), 'backgroundFetch', 'Background Fetch started', id, reg, {}),
  ];
  urls.forEach((url, index) =>
    out.push(raw(step(), 'backgroundFetch', 'Request processing started', id, reg, { URL: url, 'Request Index': index })),
  );
  urls.forEach((url, index) =>
    out.push(
      raw(step(), 'backgroundFetch', 'Request processing completed', id, reg, {
        URL: url,
        'Request Index': index,
        'Response Status': fail && index === 1 ? 404 : 200,
        'Response Size (bytes)': index === 0 ? 1048576 : 2048,
      }),
    ),
  );
  out.push(
    raw(
      step(),
      'backgroundFetch',
      'Background Fetch completed',
      id,
      reg,
      fail ? { 'Event Type': 'BackgroundFetchFailEvent', 'Failure Reason': 'BAD_STATUS' } : { 'Event Type': 'BackgroundFetchSuccessEvent' },
    ),
  );
  return out;
}

const OTHER = [
  ['backgroundSync', 'Registered sync', () => ({})],
  ['backgroundSync', 'Dispatched sync event', () => ({ 'Last Chance': 'No' })],
  ['backgroundSync', 'Sync completed', () => ({ Status: 'succeeded' })],
  ['periodicBackgroundSync', 'Registered periodicsync', () => ({ minInterval: 43200000 })],
  ['pushMessaging', 'Push message received', () => ({})],
  ['pushMessaging', 'Push event dispatched', (i) => ({ Payload: `payload ${i}` })],
  ['pushMessaging', 'Push event completed', () => ({ Status: 'Successful' })],
  ['notifications', 'Notification displayed', (i) => ({ Title: `Episode ${i} is ready`, Body: 'Tap to listen' })],
  ['notifications', 'Notification closed', () => ({})],
];

/**
 * `total` events: `fetches` background fetches (7 events each), other services filling the
 * rest but `duplicates` replayed copies. Returns { events, unique, fetches, other, duplicates }.
 */
export function syntheticEvents({ total = 100_000, fetches = 8_000, duplicates = 10_000, seed = 42 } = {}) {
  const random = rng(seed);
  const unique = total - duplicates;
  const fetchTotal = fetches * 7;
  const other = unique - fetchTotal;
  if (other < 0) throw new Error('too many fetches for the total');
  const t0 = Date.UTC(2026, 0, 1);
  const events = [];
  // Fetches start every ~30 ms and each lasts ~100 ms, so several overlap: interleaved arrival.
  for (let i = 0; i < fetches; i++) events.push(...fetchEvents(i, t0 + i * 30, random));
  for (let i = 0; i < other; i++) {
    const [service, name, m] = OTHER[i % OTHER.length];
    events.push(raw(t0 + random() * fetches * 30, service, name, `tag-${i % 500}`, String(1 + (i % 7)), m(i)));
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  // Replays: copies (new objects, metadata reversed) of earlier events, delivered in ten
  // bursts the way an observer's startObserving re-delivers the stored events in one go.
  const out = [];
  const bursts = 10;
  const per = Math.ceil(duplicates / bursts);
  let made = 0;
  for (let b = 0; b < bursts; b++) {
    const from = Math.floor(((b + 1) * events.length) / (bursts + 1));
    out.push(...events.slice(b === 0 ? 0 : Math.floor((b * events.length) / (bursts + 1)), from));
    for (let k = 0; k < per && made < duplicates; k++, made++) {
      const src = out[Math.floor(random() * out.length)];
      out.push({ ...src, eventMetadata: [...src.eventMetadata].reverse().map((m) => ({ ...m })) });
    }
  }
  out.push(...events.slice(Math.floor((bursts * events.length) / (bursts + 1))));
  return { events: out, unique, fetches, other, duplicates };
}
