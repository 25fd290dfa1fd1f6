// The probe channel's trust boundary: what checking a payload costs before its records reach
// the recorder (size cap, JSON.parse, one Ajv validator per record kind, the per-fetch budget).
// Valid progress batches as the page probe sends them, and junk a hostile page could send.
// Prints JSON.
const { ProbeInstaller } = await import(new URL('../dist/probes/installer.js', import.meta.url).href);

const rec = (i) => ({
  kind: 'progress',
  id: `episode-${i % 50}`,
  origin: 'http://127.0.0.1:8080',
  context: 'page',
  at: 1 + i,
  downloaded: i,
  downloadTotal: 1e6,
  uploaded: 0,
  uploadTotal: 0,
  result: '',
  failureReason: '',
});

function time(payloads) {
  const probes = new ProbeInstaller({ openBrowserLink: () => Promise.resolve(null) });
  let kept = 0;
  probes.onRecord(() => kept++);
  const t0 = performance.now();
  for (const p of payloads) probes.deliver(p, 'page');
  return { ms: performance.now() - t0, kept, dropped: probes.stats.dropped };
}

const batches = Array.from({ length: 1000 }, (_, b) => JSON.stringify(Array.from({ length: 10 }, (_, k) => rec(b * 10 + k))));
const valid = time(batches);
const junk = time([
  ...Array.from({ length: 5000 }, (_, i) => `{"kind":"progress",${i}`),
  ...Array.from({ length: 5000 }, (_, i) => JSON.stringify({ ...rec(i), downloaded: 'x' })),
]);
process.stdout.write(
  `${JSON.stringify({ validRecords: 10_000, validMs: valid.ms, validKept: valid.kept, junkPayloads: 10_000, junkMs: junk.ms, junkDropped: junk.dropped })}\n`,
);
