// settle(): a fetch that did not complete in time is `still pending`; a recorder whose
// connection closed mid-wait (a browser crash) is not a pending fetch, and is thrown for the
// runner to classify (a lost browser is re-run), never judged.
import { describe, expect, it } from 'vitest';
import type { BrowserUnderTest } from '../../src/browsers/types.js';
import { TimeoutError } from '../../src/errors.js';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import type { HarnessSession } from '../../src/scenarios/context.js';
import { ScenarioContext } from '../../src/scenarios/context.js';
import { settle } from '../../src/scenarios/defs/common.js';
import type { FixtureServer } from '../../src/server/index.js';
import { FakeCdpSession } from '../helpers/fake-cdp.js';

const server = { url: 'http://127.0.0.1:1', requests: () => [] } as unknown as FixtureServer;
const browser = { label: 'chromium', kind: 'default', target: null, args: [], browser: {}, version: '156' } as unknown as BrowserUnderTest;

async function session(): Promise<{ ctx: ScenarioContext; s: HarnessSession; cdp: FakeCdpSession }> {
  const cdp = new FakeCdpSession();
  const recorder = await BackgroundServiceRecorder.attachToSession(cdp);
  const s = { recorder, page: { isClosed: () => true } } as unknown as HarnessSession;
  return { ctx: new ScenarioContext(browser, server, Date.now() + 30_000), s, cdp };
}

describe('settle', () => {
  it('a fetch that does not complete within the wait is still pending', async () => {
    const { ctx, s } = await session();
    expect(await settle(ctx, s, 'slow', 50)).toBeNull();
    expect(ctx.timing?.outcome).toBe('still pending');
  });

  it("the recorder's connection closing mid-wait is thrown, not judged as a pending fetch", async () => {
    const { ctx, s, cdp } = await session();
    const waiting = settle(ctx, s, 'cut', 5_000);
    setTimeout(() => cdp.close('the observer page closed'), 20);
    const error = await waiting.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/connection closed \(the observer page closed\)/);
    expect(ctx.timing).toBeNull();
  });
});
