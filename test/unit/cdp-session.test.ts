/**
 * The CDP layer over fake transports: one browser-level connection handing out typed child
 * sessions by session id, one callback registry (errors created at send time, so their stack
 * names the caller), and chrome-remote-interface's per-session event names.
 */
import { describe, expect, it } from 'vitest';
import { CallbackRegistry } from '../../src/cdp/callbacks.js';
import { CdpConnection, CriTransport, EventRouter, type CdpAnswer, type CdpCommand, type CdpTransport } from '../../src/cdp/connection.js';
import { ProtocolError, SessionClosedError } from '../../src/errors.js';
import { FakeCriClient } from '../helpers/fake-cdp.js';

function criConnection() {
  const client = new FakeCriClient();
  return { client, connection: new CdpConnection(new CriTransport(client)) };
}

/** A message-level transport, as the page tunnel is: the test reads the wire and answers on it. */
class WireTransport implements CdpTransport {
  onanswer: ((answer: CdpAnswer) => void) | null = null;
  onclose: ((reason: string) => void) | null = null;
  readonly wire: CdpCommand[] = [];
  readonly events = new EventRouter();
  send(command: CdpCommand): void {
    this.wire.push(command);
  }
  subscribe(event: string, sessionId: string | undefined, listener: (params: unknown) => void): () => void {
    return this.events.subscribe(event, sessionId, listener);
  }
  close(): Promise<void> {
    this.events.clear();
    return Promise.resolve();
  }
}

describe('CallbackRegistry', () => {
  it('creates the error when the command is sent: the message names the method, the stack the caller', async () => {
    const registry = new CallbackRegistry();
    let sentId = 0;
    const p = registry.create('BackgroundService.setRecording', (id) => (sentId = id));
    registry.reject(sentId, "'BackgroundService.setRecording' wasn't found");
    const error = (await p.catch((e: unknown) => e)) as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toBe("Protocol error (BackgroundService.setRecording): 'BackgroundService.setRecording' wasn't found");
    expect(error.originalMessage).toBe("'BackgroundService.setRecording' wasn't found");
    expect(error.stack).toContain('cdp-session.test.ts');
  });

  it('rejects every pending command when its session goes away, and ignores answers that come later', async () => {
    const registry = new CallbackRegistry();
    const ids: number[] = [];
    const a = registry.create('Target.setAutoAttach', (id) => ids.push(id)).catch((e: unknown) => e);
    const b = registry.create('Runtime.evaluate', (id) => ids.push(id)).catch((e: unknown) => e);
    expect(registry.pending).toBe(2);
    registry.rejectAll('the observer page closed');
    registry.resolve(ids[0], {});
    const [ea, eb] = (await Promise.all([a, b])) as SessionClosedError[];
    expect(ea).toBeInstanceOf(SessionClosedError);
    expect(ea.message).toMatch(/^Protocol error \(Target\.setAutoAttach\): the CDP session closed \(the observer page closed\)/);
    expect(eb.method).toBe('Runtime.evaluate');
    expect(eb.stack).toContain('cdp-session.test.ts');
    expect(registry.pending).toBe(0);
  });

  it('a command the transport cannot send fails like a refused one', async () => {
    const registry = new CallbackRegistry();
    const p = registry.create('Page.enable', () => {
      throw new Error('Target page, context or browser has been closed');
    });
    await expect(p).rejects.toThrow('Protocol error (Page.enable): Target page, context or browser has been closed');
  });
});

describe('CdpConnection over chrome-remote-interface', () => {
  it('sends typed commands to the browser target and to child sessions by session id', async () => {
    const { client, connection } = criConnection();
    const child = connection.session('S1');
    expect(connection.session('S1')).toBe(child);
    const p = child.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    const q = connection.root.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    expect(client.calls.map((c) => [c.method, c.sessionId])).toEqual([
      ['BackgroundService.startObserving', 'S1'],
      ['Target.setAutoAttach', undefined],
    ]);
    expect(client.calls[0].params).toEqual({ service: 'backgroundFetch' });
    client.calls[0].resolve({});
    client.calls[1].resolve({});
    await expect(Promise.all([p, q])).resolves.toEqual([{}, {}]);
  });

  it('subscribes a child to its own event names (`method.sessionId`), never to every event', () => {
    const { client, connection } = criConnection();
    const seen: string[] = [];
    connection.session('S1').on('BackgroundService.recordingStateChanged', (e) => seen.push(`S1 ${e.isRecording}`));
    connection.session('S2').on('BackgroundService.recordingStateChanged', (e) => seen.push(`S2 ${e.isRecording}`));
    connection.root.on('Target.attachedToTarget', (e) => seen.push(`root ${e.sessionId}`));
    expect(client.listenerCount('event')).toBe(0);
    expect(client.listenerCount('BackgroundService.recordingStateChanged.S1')).toBe(1);
    client.event('BackgroundService.recordingStateChanged', { isRecording: true, service: 'backgroundFetch' }, 'S1');
    client.event('BackgroundService.recordingStateChanged', { isRecording: false, service: 'backgroundFetch' }, 'S2');
    client.event('Target.attachedToTarget', { sessionId: 'W1', waitingForDebugger: true, targetInfo: {} });
    // A nested session's attach (from a page's own auto-attach) is not the browser target's.
    client.event('Target.attachedToTarget', { sessionId: 'W2', waitingForDebugger: true, targetInfo: {} }, 'S1');
    expect(seen).toEqual(['S1 true', 'S2 false', 'root W1']);
  });

  it('a refused command is a ProtocolError naming the method, with the caller in its stack', async () => {
    const { client, connection } = criConnection();
    const p = connection.session('S1').send('BackgroundService.setRecording', { shouldRecord: true, service: 'backgroundFetch' });
    client.calls[0].reject(new Error("'BackgroundService.setRecording' wasn't found"));
    const error = (await p.catch((e: unknown) => e)) as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toBe("Protocol error (BackgroundService.setRecording): 'BackgroundService.setRecording' wasn't found");
    expect(error.stack).toContain('cdp-session.test.ts');
  });

  it('the endpoint disconnecting closes every session: pending calls fail with the reason, later calls at once', async () => {
    const { client, connection } = criConnection();
    const child = connection.session('S1');
    const reasons: string[] = [];
    child.onClose((r) => reasons.push(`S1: ${r}`));
    connection.root.onClose((r) => reasons.push(`root: ${r}`));
    const pending = child.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    client.emit('disconnect');
    const error = (await pending.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(error.message).toMatch(
      /^Protocol error \(BackgroundService\.startObserving\): the CDP session closed \(the CDP endpoint disconnected\)/,
    );
    expect(error.stack).toContain('cdp-session.test.ts');
    expect(reasons).toEqual(['S1: the CDP endpoint disconnected', 'root: the CDP endpoint disconnected']);
    expect(connection.closed).toBe(true);
    await expect(child.send('BackgroundService.clearEvents', { service: 'backgroundFetch' })).rejects.toBeInstanceOf(SessionClosedError);
    await expect(connection.session('S9').send('Runtime.enable')).rejects.toBeInstanceOf(SessionClosedError);
    expect(client.calls).toHaveLength(1);
  });

  it("its target detaching closes only that child, and drops the child's listeners", () => {
    const { client, connection } = criConnection();
    const s1 = connection.session('S1');
    const s2 = connection.session('S2');
    s1.on('Debugger.paused', () => undefined);
    client.event('Target.detachedFromTarget', { sessionId: 'S1' });
    expect(s1.closed).toBe(true);
    expect(s2.closed).toBe(false);
    expect(client.listenerCount('Debugger.paused.S1')).toBe(0);
    // A new attach under the same id is a new session.
    expect(connection.session('S1')).not.toBe(s1);
  });

  it('a child detaches through the browser target; closing the connection leaves no listener on the client', async () => {
    const { client, connection } = criConnection();
    const child = connection.session('S1');
    child.on('Runtime.bindingCalled', () => undefined);
    const detached = child.detach();
    expect(client.calls.map((c) => [c.method, c.sessionId, c.params])).toEqual([
      ['Target.detachFromTarget', undefined, { sessionId: 'S1' }],
    ]);
    client.calls[0].resolve({});
    await detached;
    expect(child.closed).toBe(true);
    await connection.close();
    expect(client.eventNames()).toEqual([]);
  });
});

describe('CdpConnection over a message-level transport (the page tunnel)', () => {
  it('numbers commands once for all its sessions and routes each answer to its session', async () => {
    const transport = new WireTransport();
    const connection = new CdpConnection(transport);
    const a = connection.session('W1').send('Runtime.evaluate', { expression: '1' });
    const b = connection.root.send('Target.getTargets');
    const [wa, wb] = transport.wire;
    expect(wa).toEqual({ id: wa.id, method: 'Runtime.evaluate', params: { expression: '1' }, sessionId: 'W1' });
    expect(wb.sessionId).toBeUndefined();
    expect(wa.id).not.toBe(wb.id);
    transport.onanswer!({ id: wb.id, result: { targetInfos: [] } });
    transport.onanswer!({ id: wa.id, sessionId: 'W1', error: { message: 'Execution context was destroyed.' } });
    await expect(b).resolves.toEqual({ targetInfos: [] });
    await expect(a).rejects.toThrow('Protocol error (Runtime.evaluate): Execution context was destroyed.');
  });

  it('delivers events by session id', () => {
    const transport = new WireTransport();
    const connection = new CdpConnection(transport);
    const seen: string[] = [];
    connection.session('W1').on('Runtime.bindingCalled', (e) => seen.push(`W1 ${e.payload}`));
    connection.root.on('Runtime.bindingCalled', (e) => seen.push(`root ${e.payload}`));
    transport.events.emit('Runtime.bindingCalled', 'W1', { name: 'b', payload: 'one', executionContextId: 1 });
    transport.events.emit('Runtime.bindingCalled', 'W2', { name: 'b', payload: 'two', executionContextId: 1 });
    transport.events.emit('Runtime.bindingCalled', undefined, { name: 'b', payload: 'three', executionContextId: 1 });
    expect(seen).toEqual(['W1 one', 'root three']);
  });
});
