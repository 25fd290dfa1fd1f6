// Recorder ingest, in a process of its own so its memory figures are its own: 100,000
// synthetic raw events through Recording.ingest (normalise + de-duplicate + fold into fetch
// timelines), then the timelines built once more the way a caller reads them. Prints JSON.
// Run with --expose-gc so the before/after heap figures are live objects, not garbage.
import { syntheticEvents } from './synthetic.mjs';

const { Recording } = await import(new URL('../dist/recorder/recording.js', import.meta.url).href);

const total = Number(process.argv[2] ?? 100_000);
const fetches = Number(process.argv[3] ?? 8_000);
const duplicates = Number(process.argv[4] ?? 10_000);
const { events, unique } = syntheticEvents({ total, fetches, duplicates });

const gc = globalThis.gc ?? (() => {});
gc();
gc();
const before = process.memoryUsage();
let peakRss = before.rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

const recording = new Recording();
let subscriberCalls = 0;
recording.on('event', () => subscriberCalls++);
const t0 = performance.now();
// The ingest runs in slices so the RSS sampler gets a turn; the clock only counts ingest.
let ingestMs = 0;
for (let i = 0; i < events.length; i += 5_000) {
  const s = performance.now();
  for (let j = i; j < Math.min(i + 5_000, events.length); j++) recording.ingest(events[j]);
  ingestMs += performance.now() - s;
  await new Promise((r) => setImmediate(r));
}
const t1 = performance.now();
const timelines = recording.fetches();
const fetchesMs = performance.now() - t1;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
gc();
gc();
const after = process.memoryUsage();

const result = {
  events: events.length,
  unique,
  kept: recording.events().length,
  duplicatesDropped: recording.duplicatesDropped,
  subscriberCalls,
  timelines: timelines.length,
  ingestMs,
  wallMs: t1 - t0,
  fetchesMs,
  rssGrowthMB: (after.rss - before.rss) / 1048576,
  peakRssGrowthMB: (peakRss - before.rss) / 1048576,
  heapGrowthMB: (after.heapUsed - before.heapUsed) / 1048576,
};
// Keep the recording reachable until after the measurement.
if (recording.events().length < 0) console.log(recording);
process.stdout.write(`${JSON.stringify(result)}\n`);
