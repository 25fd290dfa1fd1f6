// A Selenium Grid (scripts/grid.sh: hub + 2 Chromium nodes, 2 slots each, on 127.0.0.1) against
// this machine's own Chromium, in one run: `bgprobe compat --grid` and the local `compat` on
// the same selection with the same slot count (--workers 4: four sessions on the Grid, four
// contexts in one local browser), the Grid's session creation and deletion times, and the
// hub's and nodes' memory (Java RSS) idle and after the run. Beside them, for what the ratio is
// made of: the CPU each run spent by process class (Java, chromedriver, Chromium, Node), and the
// same selection on four browsers started as a node starts them but without the Grid's Java
// (bench/driver-grid.mjs): four browsers against one, on the same cores.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDriverGrid } from './driver-grid.mjs';
import { cpuSampler, run } from './procs.mjs';
import { median } from './stats.mjs';

const REPO = new URL('..', import.meta.url).pathname;
const CLI = join(REPO, 'dist/cli/main.js');
const GRID = join(REPO, 'scripts/grid.sh');
const SLOTS = 4;
/** Scenarios of a few seconds each, no namespace or profile of their own: the per-session cost shows. */
const SELECTION = ['fetch.*', 'failure.bad-status', 'failure.server-error', 'abort.page', 'progress.monotonic'];

export function gridAvailable() {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return { ok: false, why: 'no java (openjdk-17-jre-headless): make grid installs it as root' };
  }
  if (!existsSync('/usr/bin/chromedriver'))
    return { ok: false, why: 'no /usr/bin/chromedriver (chromium-driver): make grid installs it as root' };
  if (!existsSync(CLI)) return { ok: false, why: 'dist/cli/main.js missing' };
  return { ok: true };
}

async function freeBase(n) {
  const free = (port) =>
    new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await free(p);
    if (ok) return base;
  }
}

const rssMiB = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return null;
  }
};

/** The Grid's Java servers by name (scripts/grid.sh's D/pids: each leads a session of its own). */
function gridPids(dir) {
  const pids = readFileSync(join(dir, 'pids'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
  return Object.fromEntries(pids.map(([name, pid]) => [name, Number(pid)]));
}

function memory(dir) {
  return Object.fromEntries(Object.entries(gridPids(dir)).map(([name, pid]) => [name, rssMiB(pid)]));
}

async function compat(args, out, sessions = []) {
  const load = loadavg()[0];
  const cpu = cpuSampler({ root: process.pid, sessions });
  const r = await run(
    process.execPath,
    [CLI, 'compat', ...SELECTION.flatMap((s) => ['--scenario', s]), '--workers', String(SLOTS), '--format', 'json', '--out', out, ...args],
    { timeoutMs: 600_000, env: { ...process.env, CI: '1', BGPROBE_GRID_URL: '' } },
  ).finally(() => (cpu.result = cpu.stop()));
  const file = join(out, 'report.json');
  if (!existsSync(file))
    throw new Error(`compat ${args.join(' ')} wrote no report (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const verdicts = Object.fromEntries(report.results.map((x) => [x.scenarioId, x.verdict]));
  return {
    wallMs: r.ms,
    exitCode: r.code,
    verdicts,
    nodes: [...new Set(report.results.map((x) => x.node).filter(Boolean))],
    results: report.results.length,
    cpu: cpu.result,
    load,
  };
}

async function sessionTimes(url, n) {
  const { GridClient } = await import(join(REPO, 'dist/browsers/grid/client.js'));
  const { launchOnGrid } = await import(join(REPO, 'dist/browsers/grid/session.js'));
  const client = new GridClient(url);
  const create = [];
  const remove = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    const session = await launchOnGrid({ client, capabilities: { browserName: 'chrome' }, queueTimeout: 60_000 });
    create.push(performance.now() - t);
    t = performance.now();
    await session.close();
    remove.push(performance.now() - t);
  }
  return { createMs: create, deleteMs: remove };
}

export async function benchGrid({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bench-grid-'));
  const gridDir = join(dir, 'grid');
  const port = await freeBase(5);
  const url = `http://127.0.0.1:${port}`;
  try {
    const t0 = performance.now();
    execFileSync(GRID, ['start', '--nodes', '2', '--max-sessions', String(SLOTS / 2), '--port', String(port), '--dir', gridDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const startMs = performance.now() - t0;
    const idle = memory(gridDir);
    log(`  Grid ready in ${(startMs / 1000).toFixed(1)} s; sessions ...`);
    const sessions = await sessionTimes(url, 5);
    log('  compat --grid ...');
    const grid = await compat(['--grid', url], join(dir, 'grid-report'), Object.values(gridPids(gridDir)));
    const after = memory(gridDir);
    // The Grid's idle JVMs would share the cores with the local run.
    execFileSync(GRID, ['stop', '--dir', gridDir], { stdio: 'ignore' });
    log('  compat (local) ...');
    const local = await compat([], join(dir, 'local-report'));
    log('  compat on four browsers without the Grid (bench/driver-grid.mjs) ...');
    const stand = await startDriverGrid({ slots: SLOTS });
    let drivers;
    try {
      drivers = await compat(['--grid', stand.url], join(dir, 'drivers-report'));
    } finally {
      await stand.close();
    }
    const same = Object.keys(local.verdicts).every((id) => local.verdicts[id] === grid.verdicts[id]);
    return {
      ok: true,
      slots: SLOTS,
      startMs,
      idle,
      after,
      sessions,
      grid,
      local,
      ratio: grid.wallMs / local.wallMs,
      drivers,
      driversRatio: drivers.wallMs / local.wallMs,
      driversSameVerdicts: Object.keys(local.verdicts).every((id) => local.verdicts[id] === drivers.verdicts[id]),
      sameVerdicts: same,
      createMedianMs: median(sessions.createMs),
      deleteMedianMs: median(sessions.deleteMs),
    };
  } finally {
    try {
      execFileSync(GRID, ['stop', '--dir', gridDir], { stdio: 'ignore' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
