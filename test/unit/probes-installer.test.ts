/**
 * The order in which the worker probe talks to a service worker, over a fake raw connection.
 * The order is the point: evaluating in a worker between resuming it and its script loading
 * kills Chromium 150's renderer (see installer.ts), and probing at a pause in an evaluation
 * loops. The real browser paths are in test/e2e (recorder-lifecycle, probes).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProbeInstaller } from '../../src/probes/installer.js';

const SW = 'http://127.0.0.1:1/harness/sw.js';
/** What the installer sends a worker held at its start, up to and including resuming it. */
const HELD_START = ['Runtime.addBinding', 'Runtime.enable', 'Debugger.enable', 'Debugger.setInstrumentationBreakpoint', 'Runtime.runIfWaitingForDebugger'];

class FakeClient {
  private readonly events = new EventEmitter();
  readonly calls: Array<{ method: string; sessionId?: string }> = [];
  /** Events the "browser" sends before it answers a command (method -> events). */
  readonly before = new Map<string, Array<{ method: string; params: Record<string, unknown> }>>();

  async send(method: string, _params?: object, sessionId?: string): Promise<unknown> {
    this.calls.push({ method, sessionId });
    for (const e of this.before.get(method) ?? []) this.event(e.method, e.params, sessionId);
    return {};
  }

  on(event: string, listener: (params: unknown, sessionId?: string) => void): void {
    this.events.on(event, listener);
  }

  removeListener(event: string, listener: (...args: never[]) => void): void {
    this.events.removeListener(event, listener as (...args: unknown[]) => void);
  }

  event(method: string, params: Record<string, unknown>, sessionId?: string): void {
    this.events.emit('event', { method, params, sessionId });
  }

  /** The commands sent to one worker session, in order. */
  to(sessionId: string): string[] {
    return this.calls.filter((c) => c.sessionId === sessionId).map((c) => c.method);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

async function attachWorker(waitingForDebugger: boolean, setUp?: (client: FakeClient) => void): Promise<FakeClient> {
  const client = new FakeClient();
  setUp?.(client);
  const installer = ProbeInstaller.overConnection(client, null);
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
    const client = await attachWorker(true, (c) => c.before.set('Debugger.enable', [{ method: 'Debugger.scriptParsed', params: { scriptId: '3', url: SW } }]));
    expect(client.to('w1')).toEqual([...HELD_START, 'Runtime.evaluate']);
  });

  it('a worker that paused before its script while the breakpoint went in: probed at that pause only', async () => {
    const client = await attachWorker(true, (c) =>
      c.before.set('Debugger.setInstrumentationBreakpoint', [
        { method: 'Debugger.scriptParsed', params: { scriptId: '3', url: SW } },
        { method: 'Debugger.paused', params: { reason: 'instrumentation', data: { scriptId: '3', url: SW } } },
      ]),
    );
    expect(client.to('w1').slice(HELD_START.length - 2)).toEqual(['Debugger.setInstrumentationBreakpoint', 'Runtime.evaluate', 'Debugger.resume', 'Runtime.runIfWaitingForDebugger']);
  });

  it("a pause that is not the breakpoint's (a `debugger;` statement) is only resumed, and does not count as the probe", async () => {
    const client = await attachWorker(true, (c) =>
      c.before.set('Debugger.enable', [
        { method: 'Debugger.scriptParsed', params: { scriptId: '3', url: SW } },
        { method: 'Debugger.paused', params: { reason: 'other', callFrames: [] } },
      ]),
    );
    expect(client.to('w1')).toEqual(['Runtime.addBinding', 'Runtime.enable', 'Debugger.enable', 'Debugger.resume', 'Debugger.setInstrumentationBreakpoint', 'Runtime.runIfWaitingForDebugger', 'Runtime.evaluate']);
  });

  it("another script compiled before the breakpoint (an evaluation with a sourceURL) is not the worker's own: no evaluation after resuming", async () => {
    const client = await attachWorker(true, (c) => c.before.set('Debugger.enable', [{ method: 'Debugger.scriptParsed', params: { scriptId: '3', url: '__playwright_evaluation_script__' } }]));
    expect(client.to('w1')).toEqual(HELD_START);
  });

  it('a worker already running when recording starts: probed at once, then the breakpoint', async () => {
    const client = await attachWorker(false);
    expect(client.to('w1')).toEqual([
      'Runtime.addBinding',
      'Runtime.enable',
      'Runtime.runIfWaitingForDebugger',
      'Runtime.evaluate',
      'Debugger.enable',
      'Debugger.setInstrumentationBreakpoint',
    ]);
  });
});
