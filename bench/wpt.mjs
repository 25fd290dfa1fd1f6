// `bgprobe wpt` over the upstream background-fetch/ directory, as a user runs it (the built CLI
// in a child process), read back from its wptreport.json: the wall time and what passed. Needs a
// web-platform-tests checkout: BGPROBE_WPT_ROOT (the README shows a sparse checkout).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './procs.mjs';

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;

export function wptAvailable() {
  const root = process.env.BGPROBE_WPT_ROOT;
  if (!root) return { ok: false, why: 'BGPROBE_WPT_ROOT is unset (a web-platform-tests checkout with background-fetch/)' };
  if (!existsSync(join(root, 'background-fetch'))) return { ok: false, why: `BGPROBE_WPT_ROOT=${root} has no background-fetch/` };
  if (!existsSync(CLI)) return { ok: false, why: 'dist/cli/main.js missing' };
  return { ok: true, root };
}

export async function benchWpt({ root, log }) {
  const out = mkdtempSync(join(tmpdir(), 'bgprobe-bench-wpt-'));
  try {
    const r = await run(process.execPath, [CLI, 'wpt', 'background-fetch/', '--wpt-root', root, '--out', join(out, 'o')], {
      timeoutMs: 600_000,
    });
    if (!existsSync(join(out, 'o/wptreport.json')))
      return { ok: false, why: `no wptreport.json (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
    const report = JSON.parse(readFileSync(join(out, 'o/wptreport.json'), 'utf8'));
    const tests = report.results;
    const subtests = tests.flatMap((t) => t.subtests.map((s) => ({ ...s, test: t.test })));
    const idl = subtests.filter((s) => s.test.includes('idlharness'));
    const other = subtests.filter((s) => !s.test.includes('idlharness'));
    log(`  ${tests.length} files, exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s`);
    return {
      ok: true,
      wallMs: r.ms,
      exitCode: r.code,
      browserVersion: report.run_info.browser_version,
      files: tests.length,
      filesOk: tests.filter((t) => t.status === 'OK').length,
      notOk: tests.filter((t) => t.status !== 'OK').map((t) => `${t.test} ${t.status}`),
      subtestsPass: other.filter((s) => s.status === 'PASS').length,
      subtests: other.length,
      idlPass: idl.filter((s) => s.status === 'PASS').length,
      idl: idl.length,
      notPass: other.filter((s) => s.status !== 'PASS').map((s) => `${s.test}: ${s.name} ${s.status}`),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
