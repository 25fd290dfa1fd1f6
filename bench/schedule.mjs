// The scheduler's figures (#25), each measured with its floor in the same run: `bgprobe compat`
// on four lanes and on the Chromium lane against the longest single scenario of that run's own
// report, `--shard 1/2` and `2/2` against each other (split by the Chromium run's times), and
// `bgprobe wpt background-fetch/` against its slowest file, with the per-file breakdown each
// wpt result's `Time:` note gives. The built CLI in a child process, as a user runs it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './procs.mjs';

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;

/** The four lanes of `make compat` (scripts/compat.sh): every installed engine, WebKitGTK again with Background Fetch on. */
const FOUR_LANES = [
  '--browser',
  'all',
  '--browser',
  'webkit',
  '--browser-args=',
  '--browser-args=--features=+BackgroundFetchAPI',
  '--label=',
  '--label=webkit+BackgroundFetchAPI',
];

function summarise(report, wallMs) {
  const ran = report.results.filter((r) => r.verdict !== 'skipped');
  const longest = ran.reduce((a, b) => (b.durationMs > (a?.durationMs ?? -1) ? b : a), null);
  const byVerdict = {};
  for (const r of ran) byVerdict[r.verdict] = (byVerdict[r.verdict] ?? 0) + 1;
  return {
    wallMs,
    runMs: report.run.durationMs,
    workers: report.run.workers,
    results: ran.length,
    sumMs: ran.reduce((a, r) => a + r.durationMs, 0),
    longest: longest ? { id: longest.scenarioId, browser: longest.browser, ms: longest.durationMs } : null,
    ratio: longest ? report.run.durationMs / longest.durationMs : null,
    byVerdict,
    browsers: report.browsers.map((b) => `${b.label} ${b.version ?? '?'}`),
    verdicts: Object.fromEntries(ran.map((r) => [`${r.scenarioId} [${r.browser}]`, r.verdict])),
    // What an `error` said: a run with one keeps its reports (benchSchedule), this says where to look.
    errors: ran
      .filter((r) => r.verdict === 'error')
      .map((r) => `${r.scenarioId} [${r.browser}]: ${String(r.summary).split('\n')[0].slice(0, 300)}`),
  };
}

async function compatRun(dir, name, args, log) {
  const out = join(dir, name);
  const load = loadavg()[0];
  log(`  ${name}: node dist/cli/main.js compat ${args.join(' ')}`);
  const r = await run(process.execPath, [CLI, 'compat', ...args, '--out', out, '--format', 'json'], {
    timeoutMs: 600_000,
    env: { ...process.env, CI: '1' },
  });
  const file = join(out, 'report.json');
  if (!existsSync(file)) throw new Error(`${name}: no report.json (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  log(`    exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s`);
  return { ...summarise(JSON.parse(readFileSync(file, 'utf8')), r.ms), exitCode: r.code, loadAtStart: load, report: file };
}

/** Rows `lanes` (four lanes), `lane` (Chromium alone) and `shards` (1/2, 2/2 by the lane run's times). */
export async function benchSchedule({ log, only }) {
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bench-schedule-'));
  const out = { cpus: cpus().length };
  let keep = false;
  try {
    if (only.includes('lanes')) out.lanes = await compatRun(dir, 'lanes', FOUR_LANES, log);
    if (only.includes('lane') || only.includes('shards')) out.lane = await compatRun(dir, 'lane', [], log);
    if (only.includes('shards')) {
      // Each shard on its own (as two CI machines would), split by the lane run's times.
      const shards = [];
      for (const i of [1, 2]) shards.push(await compatRun(dir, `shard-${i}`, ['--shard', `${i}/2`, '--durations', out.lane.report], log));
      const walls = shards.map((s) => s.runMs);
      const sums = shards.map((s) => s.sumMs);
      const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
      out.shards = {
        shards: shards.map(({ verdicts, ...s }) => s),
        wallImbalance: Math.max(...walls) / mean(walls),
        sumImbalance: Math.max(...sums) / mean(sums),
        // Merged shard verdicts against the unsharded run's.
        differ: Object.entries(Object.assign({}, ...shards.map((s) => s.verdicts)))
          .filter(([k, v]) => out.lane.verdicts[k] !== v)
          .map(([k, v]) => `${k}: ${out.lane.verdicts[k]} -> ${v}`),
      };
    }
    for (const k of ['lanes', 'lane']) if (out[k]) delete out[k].report;
    // A run with an `error` keeps every report of the section, for its evidence and browser log.
    const errors = [out.lanes, out.lane, ...(out.shards?.shards ?? [])].flatMap((r) => r?.errors ?? []);
    if (errors.length) {
      keep = true;
      out.keptReports = dir;
      log(`  ${errors.length} error result(s), reports kept in ${dir}: ${errors.join(' | ')}`);
    }
    return out;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** `bgprobe wpt background-fetch/`: the directory's time, the slowest file (its floor) and each file's `Time:` note. */
export async function benchWptFiles({ root, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bench-wptfiles-'));
  try {
    const load = loadavg()[0];
    const r = await run(
      process.execPath,
      [CLI, 'wpt', 'background-fetch/', '--wpt-root', root, '--out', join(dir, 'o'), '--format', 'json'],
      { timeoutMs: 600_000 },
    );
    const file = join(dir, 'o/report.json');
    if (!existsSync(file)) return { ok: false, why: `no report.json (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
    const report = JSON.parse(readFileSync(file, 'utf8'));
    const wpt = JSON.parse(readFileSync(join(dir, 'o/wptreport.json'), 'utf8'));
    const files = report.results
      .map((x) => ({
        test: x.scenarioId,
        ms: x.durationMs,
        startMs: x.startedAt - report.run.startedAt,
        time: x.evidence.notes.find((n) => n.startsWith('Time:')) ?? null,
      }))
      .sort((a, b) => b.ms - a.ms);
    log(`  ${files.length} files, exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s`);
    return {
      ok: true,
      exitCode: r.code,
      wallMs: r.ms,
      runMs: report.run.durationMs,
      workers: report.run.workers,
      loadAtStart: load,
      slowest: files[0] ?? null,
      harnessOk: wpt.results.filter((t) => t.status === 'OK').length,
      files,
      statuses: Object.fromEntries(
        wpt.results.map((t) => [
          t.test,
          `${t.status} ${t.subtests
            .map((s) => `${s.name}=${s.status}`)
            .sort()
            .join('|')}`,
        ]),
      ),
      slowestLine: r.stderr.split('\n').find((l) => l.startsWith('Slowest file:')) ?? null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
