// waitForFetch(id, { until: 'settled' }) on an app whose success handler reads every record,
// then calls updateUI: the worker's matchAll() record is in the timeline every time. Repeated,
// because what it guards against is an ordering race (the record used to be sent only once
// the probe had measured its own clones, which could be after the handler finished).
import { join } from 'node:path';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { test, expect } from './support.js';
import { REPO, serveStatic, type StaticServer } from './audit-support.js';

const ROUNDS = 12;
const PARTS = 6;

let server: StaticServer;
test.beforeAll(async () => {
  server = await serveStatic({ '/': join(REPO, 'test/apps') });
});
test.afterAll(async () => {
  await server.close();
});

test(`settled includes the handler's matchAll() record (${ROUNDS} rounds)`, async ({ ctx }) => {
  test.setTimeout(240_000);
  const recorder = await BackgroundServiceRecorder.attach(ctx);
  try {
    const missing: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // A fresh tab per fetch: a page-started fetch goes through the download limiter, which
      // lets each tab start its first one.
      const page = await ctx.newPage();
      await page.goto(`${server.url}/settled-matchall/`);
      const id = `round-${i}`;
      await page.evaluate(([x, n]) => (window as unknown as { start(id: string, n: number): Promise<boolean> }).start(x, n), [
        id,
        PARTS,
      ] as const);
      const t = await recorder.waitForFetch(id, { until: 'settled', timeout: 30_000 });
      const records = t.records.filter((r) => r.context === 'worker' && r.method === 'matchAll');
      if (records.length !== 1 || records[0].records.length !== PARTS || t.uiUpdates.length !== 1)
        missing.push(`${id}: ${records.length} matchAll record(s), ${t.uiUpdates.length} updateUI`);
      else expect(records[0].records.every((r) => r.size === 4096 && r.status === 200)).toBe(true);
      expect(t.swEvents[0].waitUntil).toEqual([{ status: 'fulfilled', error: null }]);
      await page.close();
    }
    expect(missing).toEqual([]);
  } finally {
    await recorder.dispose();
  }
});
