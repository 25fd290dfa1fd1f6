// Report rendering at scale, in a process of its own: a report model holding 100,000
// BackgroundService events (50 results x 2,000 events, with their fetch timelines, built by
// the same evidence functions compat uses), rendered to HTML (and JSON beside it) by
// src/report's own writeReport(). Prints JSON with times, sizes and memory.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticEvents } from './synthetic.mjs';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { Recording } = await import(dist('recorder/recording.js'));
const { writeReport } = await import(dist('report/write.js'));
const { SCHEMA_VERSION, TOOL_VERSION, countVerdicts } = await import(dist('report/model.js'));
const { emptyEvidence, eventRow, fetchEvidence } = await import(dist('scenarios/evidence.js'));

const total = Number(process.argv[2] ?? 100_000);
const results = Number(process.argv[3] ?? 50);
const per = Math.ceil(total / results);
const { events } = syntheticEvents({ total, fetches: Math.floor((total * 0.56) / 7), duplicates: 0 });
const verdicts = ['conforms', 'deviates', 'conforms', 'error', 'conforms'];

const model = {
  schemaVersion: SCHEMA_VERSION,
  tool: { name: 'bgprobe', version: TOOL_VERSION },
  run: { startedAt: Date.now(), durationMs: 100_000, interrupted: false, shard: null, mergedFrom: [], selection: [], workers: 3, timeoutMs: 30_000 },
  browsers: [{ label: 'chromium', kind: 'default', target: null, args: [], version: '150.0.0.0', launchError: null }],
  scenarios: [],
  results: [],
  summary: null,
  comparison: null,
};
let eventCount = 0;
for (let r = 0; r < results; r++) {
  const slice = events.slice(r * per, (r + 1) * per);
  const rec = new Recording();
  for (const e of slice) rec.ingest(e);
  const evidence = emptyEvidence();
  evidence.fixtureOrigin = 'http://127.0.0.1:8080';
  evidence.events = rec.events().map(eventRow);
  evidence.fetches = rec.fetches().map(fetchEvidence);
  eventCount += evidence.events.length;
  const id = `bench.scenario-${String(r).padStart(2, '0')}`;
  model.scenarios.push({ id, title: `Scenario ${r}`, group: 'fetch', expectation: 'The fetch succeeds.', link: 'https://wicg.github.io/background-fetch/', skipReason: null });
  model.results.push({
    scenarioId: id,
    browser: 'chromium',
    verdict: verdicts[r % verdicts.length],
    summary: 'synthetic',
    startedAt: model.run.startedAt + r * 1000,
    durationMs: 1000,
    observation: { outcome: 'success' },
    evidence,
    error: null,
  });
}
model.summary = countVerdicts(model.results);

// Timed as `compat` writes a report: writeReport() into a directory (the HTML goes to its file
// a scenario at a time). Peak memory is the kernel's high-water mark (maxRSS), so a peak inside a
// render counts, not only what is left at its end; HTML goes first, so its growth is its own.
globalThis.gc?.();
const before = process.memoryUsage().rss;
const peakMB = () => (process.resourceUsage().maxRSS * 1024 - before) / 1048576;
const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bench-render-'));
const out = { events: eventCount, results };
try {
  for (const format of ['html', 'json']) {
    const times = [];
    let size = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const written = writeReport(join(dir, 'report'), model, [format]);
      times.push(performance.now() - t0);
      size = statSync(written[format]).size;
    }
    times.sort((a, b) => a - b);
    out[format] = { medianMs: times[1], bytes: size, peakRssGrowthMB: peakMB() };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(out)}\n`);
