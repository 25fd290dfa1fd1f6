// `bgprobe compat`, the whole suite on the local Chromium, as a user runs it (the built CLI in
// a child process), and bgprobe's own share of each scenario read from its report.json.
//
// Per scenario, the report gives startedAt and durationMs plus evidence with times: the
// fixture server's requests, the recorder's events, the harness steps. The span from the
// first to the last of those is the scenario's own work (the browser's and its deliberate
// waits); what lies before (context, recorder attach, observer page) and after (evidence
// collection, recorder dispose, context close, server close) is set-up and teardown. That
// set-up + teardown is an upper bound on bgprobe's overhead: it still holds browser work
// (creating and closing the context), which the A/B measurement in browser.mjs takes out.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './procs.mjs';
import { median, p99 } from './stats.mjs';

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;

export async function compatAvailable() {
  if (!existsSync(CLI)) return { ok: false, why: 'dist/cli/main.js missing' };
  const help = await run(process.execPath, [CLI, 'compat', '--help'], { timeoutMs: 30_000 });
  return help.code === 0
    ? { ok: true }
    : { ok: false, why: `bgprobe compat --help exited ${help.code}: ${help.stderr.trim().split('\n')[0]}` };
}

function span(result) {
  const ev = result.evidence ?? {};
  const starts = [];
  const ends = [];
  for (const s of ev.server ?? []) {
    starts.push(s.startedAt);
    ends.push(s.completedAt ?? s.startedAt);
  }
  for (const e of ev.events ?? []) {
    starts.push(e.at);
    ends.push(e.at);
  }
  for (const s of ev.steps ?? []) ends.push(s.at);
  for (const f of ev.fetches ?? []) for (const p of f.probes ?? []) ends.push(p.at);
  const ok = (xs) => xs.filter((x) => Number.isFinite(x));
  if (ok(starts).length === 0 || ok(ends).length === 0) return null;
  return { first: Math.min(...ok(starts)), last: Math.max(...ok(ends)) };
}

export async function benchCompat({ log, workers }) {
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bench-compat-'));
  try {
    const args = [CLI, 'compat', '--out', join(dir, 'report'), '--format', 'json', ...(workers ? ['--workers', String(workers)] : [])];
    log(`  running: node ${args.slice(1).join(' ')}`);
    const r = await run(process.execPath, args, { timeoutMs: 900_000, env: { ...process.env, CI: '1' } });
    const reportPath = join(dir, 'report', 'report.json');
    if (!existsSync(reportPath))
      return {
        ok: false,
        exitCode: r.code,
        wallMs: r.ms,
        why: `no report.json (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      };
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    const perScenario = [];
    for (const res of report.results) {
      if (res.verdict === 'skipped') continue;
      const s = span(res);
      const end = res.startedAt + res.durationMs;
      perScenario.push({
        id: res.scenarioId,
        verdict: res.verdict,
        // Why, for anything but conforms: an error under load is worth reading.
        ...(res.verdict === 'conforms' ? {} : { summary: res.summary }),
        durationMs: res.durationMs,
        setupMs: s ? Math.max(0, s.first - res.startedAt) : null,
        teardownMs: s ? Math.max(0, end - s.last) : null,
        outsideMs: s ? Math.max(0, s.first - res.startedAt) + Math.max(0, end - s.last) : null,
      });
    }
    const outside = perScenario.map((p) => p.outsideMs).filter((x) => x !== null);
    return {
      ok: true,
      exitCode: r.code,
      wallMs: r.ms,
      reportDurationMs: report.run.durationMs,
      workers: report.run.workers,
      scenarios: perScenario.length,
      byVerdict: report.summary.byVerdict,
      sumOfDurationsMs: perScenario.reduce((a, p) => a + p.durationMs, 0),
      outsideMedianMs: median(outside),
      outsideP99Ms: p99(outside),
      setupMedianMs: median(perScenario.map((p) => p.setupMs)),
      teardownMedianMs: median(perScenario.map((p) => p.teardownMs)),
      slowest: [...perScenario].sort((a, b) => b.durationMs - a.durationMs).slice(0, 5),
      perScenario,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
