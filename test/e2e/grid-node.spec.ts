/**
 * A Grid node that is really another host: a standalone Grid inside a network namespace of
 * the test's own, reached over a veth pair. The node's browser cannot reach the host's
 * 127.0.0.1 (its loopback is the namespace's), so the fixture origin listens on the host end
 * of the pair (`--fixture-host`), over https with a certificate the browser trusts by its
 * SPKI hash: the page is a secure context there, and a background fetch runs to success with
 * every BackgroundService event, through the Grid's se:cdp.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { ReportModel } from '../../src/report/model.js';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { GridClient } from '../../src/browsers/grid/client.js';
import { launchOnGrid } from '../../src/browsers/grid/session.js';
import { fixtureCertificate, trustFlag } from '../../src/server/certificate.js';
import { FixtureServer } from '../../src/server/index.js';
import { gridMissing, gridSessions, makeNamespace, namespaceMissing, startGrid } from '../helpers/grid.js';

test('a node in its own network namespace runs a fetch from the fixture origin on the veth address, as a secure context', async () => {
  const missing = gridMissing() ?? namespaceMissing();
  test.skip(missing !== null, missing ?? '');
  test.setTimeout(120_000);
  const ns = await makeNamespace('node');
  const servers: FixtureServer[] = [];
  try {
    const grid = await startGrid({ standalone: true, host: ns.address, netns: ns.name });
    try {
      const loopback = await FixtureServer.start();
      servers.push(loopback);
      const certificate = await fixtureCertificate(ns.hostAddress);
      const origin = await FixtureServer.start({ host: ns.hostAddress, tls: certificate });
      servers.push(origin);
      expect(origin.url).toMatch(new RegExp(`^https://${ns.hostAddress.replace(/\./g, '\\.')}:\\d+$`));
      const client = new GridClient(grid.url);
      const session = await launchOnGrid({
        client,
        capabilities: { browserName: 'chrome', 'goog:chromeOptions': { args: [trustFlag(certificate)] } },
        queueTimeout: 30_000,
      });
      try {
        expect(session.node).toBe(grid.url);
        // The browser's localhost is the namespace's: CDP goes through the Grid's se:cdp.
        expect(session.endpoint).toBe('se:cdp');
        const context = await session.browser.newContext();
        // The host's 127.0.0.1 is not the node's: the usual fixture origin is out of reach.
        const unreachable = await (await context.newPage()).goto(`${loopback.url}/podcast/`).then(
          () => 'reached',
          (e: Error) => e.message,
        );
        expect(unreachable).toContain('net::ERR_CONNECTION_REFUSED');
        const recorder = await BackgroundServiceRecorder.attach(context);
        const page = await context.newPage();
        await page.goto(`${origin.url}/podcast/?media=res&size=64k`);
        expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
        await page.waitForSelector('body[data-sw-ready="1"]');
        await page.getByRole('button', { name: 'Download episode 1', exact: true }).click();
        const fetch = await recorder.waitForFetch('episode-1', { timeout: 30_000 });
        expect(fetch.outcome).toBe('success');
        expect(recorder.events({ instanceId: 'episode-1' }).map((e) => e.name)).toEqual(
          expect.arrayContaining(['Background Fetch registered', 'Background Fetch started', 'Background Fetch completed']),
        );
        // The worker's event comes a moment after "completed" is logged.
        await expect.poll(() => recorder.fetch('episode-1')?.swEvents.map((e) => e.type) ?? []).toContain('backgroundfetchsuccess');
        // What crossed the veth: both requests, from the namespace's address.
        expect(
          origin
            .requests()
            .filter((r) => r.path.startsWith('/res/'))
            .map((r) => r.status),
        ).toEqual([200, 200]);
        await recorder.dispose();
        await context.close();
      } finally {
        await session.close();
      }
      // The Grid's /status learns of a closed session by event, a moment after the DELETE answered.
      await expect.poll(() => gridSessions(grid.url), { timeout: 10_000 }).toEqual([]);

      // The same through the CLI: `compat --grid <the namespace's Grid> --fixture-host <the host end>`.
      const dir = mkdtempSync(join(tmpdir(), 'bgp-grid-ns-report-'));
      try {
        const cli = join(import.meta.dirname, '../../dist/cli/main.js');
        const args = [
          'compat',
          '--grid',
          grid.url,
          '--fixture-host',
          ns.hostAddress,
          '--scenario',
          'fetch.success.one',
          '--scenario',
          'failure.bad-status',
          '--format',
          'json',
          '--out',
          join(dir, 'out'),
        ];
        const r = spawnSync(process.execPath, [cli, ...args], {
          encoding: 'utf8',
          timeout: 90_000,
          env: { ...process.env, CI: '1', BGPROBE_GRID_URL: '' },
        });
        expect(r.status, r.stderr).toBe(0);
        const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as ReportModel;
        expect(Object.fromEntries(report.results.map((x) => [x.scenarioId, x.verdict]))).toEqual({
          'fetch.success.one': 'conforms',
          'failure.bad-status': 'conforms',
        });
        for (const x of report.results) {
          expect(x.node).toBe(grid.url);
          expect(x.evidence.fixtureOrigin).toMatch(new RegExp(`^https://${ns.hostAddress.replace(/\./g, '\\.')}:\\d+$`));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // The Grid's /status learns of a closed session by event, a moment after the DELETE answered.
      await expect.poll(() => gridSessions(grid.url), { timeout: 10_000 }).toEqual([]);
    } finally {
      await grid.stop();
    }
  } finally {
    for (const s of servers) await s.close();
    await ns.remove();
  }
});
