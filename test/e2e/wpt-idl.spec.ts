/**
 * An idlharness test of the Background Fetch API under `bgprobe wpt` (whose probes wrap
 * BackgroundFetchManager.prototype.fetch and friends): every variant, window, dedicated, shared
 * and service worker, must pass every subtest, `.length` and `toString()` checks included. The
 * tree is bgprobe's own (test/wpt-tree/idl, interfaces/bgprobe-*.idl) with testharness.js,
 * idlharness.js and webidl2 from the wpt-runner package.
 */
import { expect, test } from '@playwright/test';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeWptTree } from '../helpers/wpt-tree.js';
import { bgprobe } from './audit-support.js';

interface WptReport {
  results: Array<{
    test: string;
    status: string;
    message: string | null;
    subtests: Array<{ name: string; status: string; message: string | null }>;
  }>;
}

test('idlharness passes in every variant with the probes on', async () => {
  test.setTimeout(180_000);
  const root = makeWptTree('bgprobe-wpt-idl-', { webidl2: true });
  const out = `${root}-out`;
  try {
    const run = await bgprobe(['wpt', 'idl/', '--wpt-root', root, '--out', out, '--workers', '1'], { timeoutMs: 170_000 });
    const wpt = JSON.parse(readFileSync(join(out, 'wptreport.json'), 'utf8')) as WptReport;
    expect(wpt.results.map((r) => r.test).sort()).toEqual([
      '/idl/idlharness.https.any.html',
      '/idl/idlharness.https.any.serviceworker.html',
      '/idl/idlharness.https.any.sharedworker.html',
      '/idl/idlharness.https.any.worker.html',
    ]);
    for (const r of wpt.results) {
      expect(r.status, `${r.test}: ${r.message ?? ''}`).toBe('OK');
      const failed = r.subtests.filter((s) => s.status !== 'PASS').map((s) => `${s.name}: ${s.status} ${s.message ?? ''}`);
      expect(failed, r.test).toEqual([]);
      // The checks the probes used to fail are among them.
      expect(r.subtests.map((s) => s.name)).toContain(
        'BackgroundFetchManager interface: operation fetch(DOMString, (RequestInfo or sequence<RequestInfo>), optional BackgroundFetchOptions)',
      );
    }
    expect(run.code, run.stderr).toBe(0);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});
