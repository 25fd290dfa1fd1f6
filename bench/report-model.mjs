// The report the render figures are measured on: 100,000 BackgroundService events over 50
// results (2,000 each, with their fetch timelines), built by the same evidence functions compat
// uses. Shared by render-child.mjs (writing it) and html-open.mjs (opening it in Chromium).
import { syntheticEvents } from './synthetic.mjs';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

export async function benchReportModel(total = 100_000, results = 50) {
  const { Recording } = await import(dist('recorder/recording.js'));
  const { SCHEMA_VERSION, countVerdicts } = await import(dist('report/model.js'));
  const { toolVersion } = await import(dist('util/version.js'));
  const { emptyEvidence, eventRow, fetchEvidence } = await import(dist('scenarios/evidence.js'));
  const per = Math.ceil(total / results);
  const { events } = syntheticEvents({ total, fetches: Math.floor((total * 0.56) / 7), duplicates: 0 });
  const verdicts = ['conforms', 'deviates', 'conforms', 'error', 'conforms'];
  const model = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'bgprobe', version: toolVersion() },
    run: {
      startedAt: Date.now(),
      durationMs: 100_000,
      interrupted: false,
      shard: null,
      mergedFrom: [],
      selection: [],
      workers: 3,
      timeoutMs: 30_000,
    },
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
    model.scenarios.push({
      id,
      title: `Scenario ${r}`,
      group: 'fetch',
      expectation: 'The fetch succeeds.',
      link: 'https://wicg.github.io/background-fetch/',
      skipReason: null,
    });
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
  return { model, eventCount };
}
