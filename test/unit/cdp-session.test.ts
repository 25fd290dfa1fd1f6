import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CriCdpSession, type CriClientLike } from '../../src/cdp/session.js';
import { ProtocolError, SessionClosedError } from '../../src/errors.js';

/** A chrome-remote-interface-shaped client: commands answered by the test, events emitted by it. */
class FakeCri extends EventEmitter {
  calls: Array<{ method: string; params: unknown; sessionId: string | undefined; resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  send(method: string, params?: object, sessionId?: string): Promise<unknown> {
    return new Promise((resolve, reject) => this.calls.push({ method, params, sessionId, resolve, reject }));
  }
}

describe('CriCdpSession', () => {
  it('sends typed commands to its flattened session and delivers only its events', async () => {
    const client = new FakeCri();
    const session = new CriCdpSession(client as unknown as CriClientLike, 'S1');
    const p = session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    expect(client.calls[0]).toMatchObject({ method: 'BackgroundService.startObserving', params: { service: 'backgroundFetch' }, sessionId: 'S1' });
    client.calls[0]!.resolve({});
    await expect(p).resolves.toEqual({});
    const seen: boolean[] = [];
    session.on('BackgroundService.recordingStateChanged', (e) => seen.push(e.isRecording));
    client.emit('BackgroundService.recordingStateChanged', { isRecording: true, service: 'backgroundFetch' }, 'S1');
    client.emit('BackgroundService.recordingStateChanged', { isRecording: false, service: 'backgroundFetch' }, 'OTHER');
    expect(seen).toEqual([true]);
  });

  it('a failed command is a ProtocolError naming the method, with the caller in its stack', async () => {
    const client = new FakeCri();
    const session = new CriCdpSession(client as unknown as CriClientLike, 'S1');
    const p = session.send('BackgroundService.setRecording', { shouldRecord: true, service: 'backgroundFetch' });
    client.calls[0]!.reject(new Error("'BackgroundService.setRecording' wasn't found"));
    const error = (await p.catch((e: unknown) => e)) as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toBe("Protocol error (BackgroundService.setRecording): 'BackgroundService.setRecording' wasn't found");
    expect(error.method).toBe('BackgroundService.setRecording');
    expect(error.stack).toContain('cdp-session.test.ts');
  });

  it('the endpoint disconnecting rejects pending calls with a clear error, and later calls at once', async () => {
    const client = new FakeCri();
    const session = new CriCdpSession(client as unknown as CriClientLike, 'S1');
    const reasons: string[] = [];
    session.onClose((r) => reasons.push(r));
    const pending = session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    client.emit('disconnect');
    const error = (await pending.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(error.message).toMatch(/^Protocol error \(BackgroundService\.startObserving\): the CDP session closed \(the CDP endpoint disconnected\)/);
    expect(error.stack).toContain('cdp-session.test.ts');
    expect(reasons).toEqual(['the CDP endpoint disconnected']);
    expect(session.closed).toBe(true);
    await expect(session.send('BackgroundService.clearEvents', { service: 'backgroundFetch' })).rejects.toBeInstanceOf(SessionClosedError);
    expect(client.calls).toHaveLength(1);
  });

  it('its target detaching closes it', async () => {
    const client = new FakeCri();
    const session = new CriCdpSession(client as unknown as CriClientLike, 'S1');
    client.emit('Target.detachedFromTarget', { sessionId: 'OTHER' });
    expect(session.closed).toBe(false);
    client.emit('Target.detachedFromTarget', { sessionId: 'S1' });
    expect(session.closed).toBe(true);
  });
});
