// Report rendering at scale, in a process of its own: the report of report-model.mjs (100,000
// BackgroundService events over 50 results), rendered to HTML (and JSON beside it) by
// src/report's own writeReport(). Prints JSON with times, sizes and memory.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchReportModel } from './report-model.mjs';

const { writeReport } = await import(new URL('../dist/report/write.js', import.meta.url).href);

const total = Number(process.argv[2] ?? 100_000);
const results = Number(process.argv[3] ?? 50);
const { model, eventCount } = await benchReportModel(total, results);

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
