// What bgprobe adds to a Playwright test run, in a process of its own, for tests that each record
// one 1,000-event background fetch (a fetch of 499 requests: registered, started, a start and a
// completion per request, completed) with 200 page-side progress samples:
// - the worker's side per test: the JSON, the text and the HTML timeline the test attaches
//   (attach: 'on'), each built and packed as the fixture attaches it, timed (the median of 7
//   runs, the first one's template compilation aside) and sized;
// - the reporter's side per test: bgprobe/reporter's onTestEnd for every test plus its onEnd
//   (the whole report written: HTML, JSON checked against the schema, Markdown) over N tests;
// - attach: 'off': what the fixture runs at the end of such a test (the mode check, then return).
// Prints JSON with medians.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { Recording } = await dist('recorder/recording.js');
const { attachMode, cappedText, encodeData, keepsTimelines, packedHtml, reporterWantsData, timelineHtml, timelinesText } =
  await dist('playwright/attach.js');
const { BgprobeReporter } = await dist('playwright/reporter.js');

const tests = Number(process.argv[2] ?? 50);
const ORIGIN = 'http://127.0.0.1:8080/';
const REQUESTS = 499;

function recording(id, t0) {
  const r = new Recording();
  let t = t0;
  const ev = (eventName, metadata = {}) => ({
    timestamp: (t += 3) / 1000,
    origin: ORIGIN,
    serviceWorkerRegistrationId: '1',
    service: 'backgroundFetch',
    eventName,
    instanceId: id,
    eventMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value: String(value) })),
    storageKey: ORIGIN,
  });
  r.ingest(ev('Background Fetch registered', { 'Total Requests': REQUESTS, 'Start Paused': 'No' }));
  r.ingest(ev('Background Fetch started'));
  for (let i = 0; i < REQUESTS; i++) {
    const URL = `${ORIGIN}res/chunk-${i}.bin?size=64k`;
    r.ingest(ev('Request processing started', { URL, 'Request Index': i }));
    r.ingest(ev('Request processing completed', { URL, 'Request Index': i, 'Response Status': 200, 'Response Size (bytes)': 65536 }));
  }
  for (let i = 1; i <= 200; i++) {
    r.ingestProbe({
      kind: 'progress',
      id,
      origin: ORIGIN,
      context: 'page',
      at: t0 + i * 15,
      downloaded: Math.round((i / 200) * REQUESTS * 65536),
      downloadTotal: REQUESTS * 65536,
      uploaded: 0,
      uploadTotal: 0,
      result: '',
      failureReason: '',
    });
  }
  r.ingest(ev('Background Fetch completed', { 'Event Type': 'BackgroundFetchSuccessEvent' }));
  return r;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const t0 = Date.now() - 60_000;
const rec = recording('episode-1', t0);
const events = rec.events().length;
const info = (i) => ({
  titlePath: ['tests/big.spec.ts', `a 1000-event fetch #${i}`],
  title: `a 1000-event fetch #${i}`,
  file: '/project/tests/big.spec.ts',
  line: 10 + i,
  column: 1,
  project: { name: 'chromium' },
  status: 'passed',
  expectedStatus: 'passed',
  retry: 0,
  duration: 1000,
  errors: [],
  config: { reporter: [['html', {}]] },
});

// The worker's side: what the fixture builds for one test, as attach: 'on' attaches it.
const worker = { jsonMs: [], textMs: [], htmlMs: [] };
let sizes = null;
let attached = null;
for (let i = 0; i < 7; i++) {
  let a = performance.now();
  const data = {
    version: 1,
    fixtureOrigin: 'http://127.0.0.1:8080',
    timelines: rec.fetches(),
    otherEvents: [],
    steps: [],
    browserVersion: 'chromium',
  };
  attached = encodeData(data);
  worker.jsonMs.push(performance.now() - a);
  a = performance.now();
  const text = cappedText(timelinesText(data.timelines, data.otherEvents));
  worker.textMs.push(performance.now() - a);
  a = performance.now();
  const html = packedHtml(timelineHtml(info(i), data, t0));
  worker.htmlMs.push(performance.now() - a);
  sizes = {
    json: attached.body.length,
    jsonName: attached.name,
    jsonRaw: Buffer.byteLength(JSON.stringify(data)),
    text: Buffer.byteLength(text),
    html: Buffer.byteLength(html),
    total: attached.body.length + Buffer.byteLength(text) + Buffer.byteLength(html),
  };
}

// attach: 'off' at the end of a test: the decisions the fixture takes before returning.
const offRuns = 100_000;
let a = performance.now();
let kept = 0;
for (let i = 0; i < offRuns; i++) {
  const mode = attachMode({ attach: 'off' });
  if (mode !== 'off' && (keepsTimelines(mode, info(0)) || reporterWantsData(info(0).config))) kept++;
}
const offNs = ((performance.now() - a) / offRuns) * 1e6;

// The reporter's side: N tests, each with the JSON above attached, then onEnd writes the report.
const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bench-reporter-'));
let reporterMs;
try {
  const reporter = new BgprobeReporter({ configDir: dir, outputFolder: 'out' });
  const config = { rootDir: '/project', shard: null, workers: 1, projects: [{ timeout: 30_000, retries: 0 }] };
  const start = performance.now();
  reporter.onConfigure(config);
  reporter.onBegin({});
  for (let i = 0; i < tests; i++) {
    const t = info(i);
    const testCase = {
      id: `t${i}`,
      title: t.title,
      titlePath: () => ['', 'chromium', 'tests/big.spec.ts', t.title],
      location: { file: '/project/tests/big.spec.ts', line: t.line, column: 1 },
      parent: { project: () => ({ name: 'chromium' }) },
      expectedStatus: 'passed',
    };
    reporter.onTestEnd(testCase, {
      retry: 0,
      status: 'passed',
      startTime: new Date(t0),
      duration: 1000,
      error: undefined,
      attachments: [{ name: attached.name, contentType: attached.contentType, body: attached.body }],
    });
  }
  await reporter.onEnd({ status: 'passed', startTime: new Date(t0), duration: 60_000 });
  reporterMs = performance.now() - start;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const out = {
  events,
  tests,
  worker: { jsonMs: median(worker.jsonMs), textMs: median(worker.textMs), htmlMs: median(worker.htmlMs), bytes: sizes },
  reporter: { totalMs: reporterMs, perTestMs: reporterMs / tests },
  off: { nsPerTest: offNs, kept },
};
process.stdout.write(`${JSON.stringify(out)}\n`);
