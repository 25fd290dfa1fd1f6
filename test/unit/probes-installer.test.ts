/**
 * The order in which the worker probe talks to a service worker, over a fake raw connection.
 * The order is the point: evaluating in a worker between resuming it and its script loading
 * kills Chromium 150's renderer (see installer.ts), and probing at a pause in an evaluation
 * loops. The real browser paths are in test/e2e (recorder-lifecycle, probes).
 */
import { describe, expect, it, vi } from 'vitest';
import { CdpConnection, CriTransport } from '../../src/cdp/connection.js';
import { ProbeInstaller } from '../../src/probes/installer.js';
import { FakeCriClient } from '../helpers/fake-cdp.js';

const SW = 'http://127.0.0.1:1/harness/sw.js';
/** What the installer sends a worker held at its start, up to and including resuming it. */
const HELD_START = [
  'Runtime.enable',
  'Runtime.addBinding',
  'Debugger.enable',
  'Debugger.setInstrumentationBreakpoint',
  'Runtime.runIfWaitingForDebugger',
];

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

async function attachWorker(waitingForDebugger: boolean, setUp?: (client: FakeCriClient) => void): Promise<FakeCriClient> {
  const client = new FakeCriClient(true);
  setUp?.(client);
  const connection = new CdpConnection(new CriTransport(client));
  const installer = new ProbeInstaller({
    context: null,
    openBrowserLink: () => Promise.resolve({ connection, browserContextId: null, close: () => Promise.resolve() }),
  });
  await installer.start();
  client.event('Target.attachedToTarget', { sessionId: 'w1', waitingForDebugger, targetInfo: { type: 'service_worker', url: SW } });
  await settle();
  return client;
}

describe('ProbeInstaller and a service worker', () => {
  it('a worker held at its start: the breakpoint goes in before it is resumed, and nothing is evaluated until it pauses', async () => {
    const client = await attachWorker(true);
    expect(client.to('w1')).toEqual(HELD_START);
  });

  it('at the pause before a script: probe, then resume; at a pause in an evaluation: only resume', async () => {
    const client = await attachWorker(true);
    const before = client.calls.length;
    client.event('Debugger.paused', { reason: 'instrumentation', data: { scriptId: '3', url: SW } }, 'w1');
    await settle();
    expect(client.calls.slice(before).map((c) => c.method)).toEqual(['Runtime.evaluate', 'Debugger.resume']);
    const next = client.calls.length;
    client.event('Debugger.paused', { reason: 'instrumentation', data: { scriptId: '4', url: '' } }, 'w1');
    await settle();
    expect(client.calls.slice(next).map((c) => c.method)).toEqual(['Debugger.resume']);
  });

  it('a worker another client let start first (its script compiled before the breakpoint): probed once resumed', async () => {
    const client = await attachWorker(true, (c) =>
      c.before.set('Debugger.enable', [{ method: 'Debugger.scriptParsed', params: { scriptId: '3', url: SW } }]),
    );
    expect(client.to('w1')).toEqual([...HELD_START, 'Runtime.evaluate']);
  });

  it('its script reported compiled before the first answer (the observer page enabled the debugger first): still probed once resumed', async () => {
    // Under Playwright the observer page sends Debugger.enable as the attach passes through it
    // (tunnel.ts); a loaded machine compiles the script meanwhile, and the report comes ahead
    // of every answer to the installer's own commands. Missed, the worker went unprobed.
    const client = await attachWorker(true, (c) =>
      c.before.set('Runtime.enable', [{ method: 'Debugger.scriptParsed', params: { scriptId: '3', url: SW } }]),
    );
    expect(client.to('w1')).toEqual([...HELD_START, 'Runtime.evaluate']);
  });

  it('a worker that paused before its script while the breakpoint went in: probed at that pause only', async () => {
    const client = await attachWorker(true, (c) =>
      c.before.set('Debugger.setInstrumentationBreakpoint', [
        { method: 'Debugger.scriptParsed', params: { scriptId: '3', url: SW } },
        { method: 'Debugger.paused', params: { reason: 'instrumentation', data: { scriptId: '3', url: SW } } },
      ]),
    );
    expect(client.to('w1').slice(HELD_START.length - 2)).toEqual([
      'Debugger.setInstrumentationBreakpoint',
      'Runtime.evaluate',
      'Debugger.resume',
      'Runtime.runIfWaitingForDebugger',
    ]);
  });

  it("a pause that is not the breakpoint's (a `debugger;` statement) is only resumed, and does not count as the probe", async () => {
    const client = await attachWorker(true, (c) =>
      c.before.set('Debugger.enable', [
        { method: 'Debugger.scriptParsed', params: { scriptId: '3', url: SW } },
        { method: 'Debugger.paused', params: { reason: 'other', callFrames: [] } },
      ]),
    );
    expect(client.to('w1')).toEqual([
      'Runtime.enable',
      'Runtime.addBinding',
      'Debugger.enable',
      'Debugger.resume',
      'Debugger.setInstrumentationBreakpoint',
      'Runtime.runIfWaitingForDebugger',
      'Runtime.evaluate',
    ]);
  });

  it("another script compiled before the breakpoint (an evaluation with a sourceURL) is not the worker's own: no evaluation after resuming", async () => {
    const client = await attachWorker(true, (c) =>
      c.before.set('Debugger.enable', [
        { method: 'Debugger.scriptParsed', params: { scriptId: '3', url: '__playwright_evaluation_script__' } },
      ]),
    );
    expect(client.to('w1')).toEqual(HELD_START);
  });

  it('a worker already running when recording starts: probed at once, then the breakpoint', async () => {
    const client = await attachWorker(false);
    expect(client.to('w1')).toEqual([
      'Runtime.enable',
      'Runtime.addBinding',
      'Runtime.runIfWaitingForDebugger',
      'Runtime.evaluate',
      'Debugger.enable',
      'Debugger.setInstrumentationBreakpoint',
    ]);
  });
});

describe('ProbeInstaller and a page that exists before recording starts', () => {
  /** start() over a browser with one page already open (about:blank, session p1), nothing answered yet. */
  function startWithPage() {
    const client = new FakeCriClient(false);
    // The browser attaches the targets that exist before it answers setAutoAttach.
    client.before.set('Target.setAutoAttach', [
      {
        method: 'Target.attachedToTarget',
        params: { sessionId: 'p1', waitingForDebugger: false, targetInfo: { type: 'page', url: 'about:blank' } },
      },
    ]);
    const connection = new CdpConnection(new CriTransport(client));
    const installer = new ProbeInstaller({
      context: null,
      openBrowserLink: () => Promise.resolve({ connection, browserContextId: null, close: () => Promise.resolve() }),
    });
    let done = false;
    const start = installer.start().then(() => {
      done = true;
    });
    return { client, installer, start, started: () => done };
  }
  it('start() returns only once the page has its probe script: a navigation right after cannot commit without it', async () => {
    const { client, installer, start, started } = startWithPage();
    // Answer everything but the page's script registration.
    const answer = async (stop: (method: string) => boolean) => {
      for (let round = 0; round < 20; round++) {
        await settle();
        const open = client.calls.filter((c) => !(c as { done?: boolean }).done && !stop(c.method));
        for (const c of open) {
          (c as { done?: boolean }).done = true;
          c.resolve({});
        }
      }
    };
    await answer((m) => m === 'Page.addScriptToEvaluateOnNewDocument');
    expect(client.to('p1')).toEqual(['Runtime.enable', 'Runtime.addBinding', 'Page.enable', 'Page.addScriptToEvaluateOnNewDocument']);
    expect(started()).toBe(false);
    await answer(() => false);
    await start;
    expect(client.to('p1')).toEqual([
      'Runtime.enable',
      'Runtime.addBinding',
      'Page.enable',
      'Page.addScriptToEvaluateOnNewDocument',
      'Runtime.runIfWaitingForDebugger',
    ]);
    expect(installer.warnings).toEqual([]);
  });

  it('a page that never answers holds start() 10 s at most, then a warning says so', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { client, installer, start, started } = startWithPage();
      for (let round = 0; round < 20; round++) {
        await settle();
        for (const c of client.calls.filter((x) => x.method !== 'Page.addScriptToEvaluateOnNewDocument')) c.resolve({});
      }
      await vi.advanceTimersByTimeAsync(9_000);
      expect(started()).toBe(false);
      await vi.advanceTimersByTimeAsync(1_000);
      await start;
      expect(installer.warnings).toEqual(['1 target(s) were still being probed 10000 ms after recording started']);
    } finally {
      vi.useRealTimers();
    }
  });
});
