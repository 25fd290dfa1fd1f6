// Probe records (page progress samples) arriving while someone waits on a fetch (a pending
// waitForFetch or a polling matcher listens to 'fetch'): each record re-emits that id's
// timelines. Measured at two recording sizes to show how the per-record cost grows with the
// recording. Prints JSON.
import { syntheticEvents } from './synthetic.mjs';

const { Recording } = await import(new URL('../dist/recorder/recording.js', import.meta.url).href);
const PER_FETCH = 20;

function measure(fetches) {
  const { events } = syntheticEvents({ total: fetches * 7, fetches, duplicates: 0 });
  const r = new Recording();
  r.on('fetch', () => {});
  for (const e of events) r.ingest(e);
  const t0 = performance.now();
  for (let i = 0; i < fetches; i++) {
    const at = events.find((e) => e.instanceId === `episode-${i}`).timestamp * 1000;
    for (let k = 0; k < PER_FETCH; k++) {
      r.ingestProbe({
        kind: 'progress',
        id: `episode-${i}`,
        origin: 'http://127.0.0.1:8080',
        context: 'page',
        at: at + k,
        downloaded: k,
        downloadTotal: PER_FETCH,
        uploaded: 0,
        uploadTotal: 0,
        result: '',
        failureReason: '',
      });
    }
  }
  const ms = performance.now() - t0;
  return { fetches, records: fetches * PER_FETCH, ms, perRecordMs: ms / (fetches * PER_FETCH) };
}

const sizes = process.argv.slice(2).map(Number);
const out = (sizes.length ? sizes : [50, 100]).map(measure);
process.stdout.write(`${JSON.stringify({ scales: out })}\n`);
