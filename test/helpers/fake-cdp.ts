/**
 * A fake CDP transport for the recorder's unit tests: it answers BackgroundService commands
 * the way Chromium does (recordingStateChanged on startObserving and setRecording, a replay of
 * stored events on startObserving) and lets a test push events.
 */
import { EventEmitter } from 'node:events';
import type { Protocol } from 'devtools-protocol';
import type { CdpSession, EventName, Events, Method, Params, Result } from '../../src/cdp/session.js';

type RawEvent = Protocol.BackgroundService.BackgroundServiceEvent;

export class FakeCdpSession implements CdpSession {
  closed = false;
  sent: Array<{ method: string; params: unknown }> = [];
  /** Events the "profile" has stored: replayed on every startObserving. */
  stored: RawEvent[] = [];
  recording = new Map<string, boolean>();
  private listeners = new Map<string, Set<(p: unknown) => void>>();
  private closeListeners = new Set<(r: string) => void>();

  send<M extends Method>(method: M, ...params: Params<M>): Promise<Result<M>> {
    const p = (params[0] ?? {}) as Record<string, unknown>;
    this.sent.push({ method, params: p });
    if (this.closed) return Promise.reject(new Error(`Protocol error (${method}): session closed`));
    const service = p['service'] as Protocol.BackgroundService.ServiceName;
    // Chromium answers first, then emits: mimic that ordering with a microtask.
    queueMicrotask(() => {
      if (method === 'BackgroundService.startObserving') {
        this.emit('BackgroundService.recordingStateChanged', { isRecording: this.recording.get(service) ?? false, service });
        for (const e of this.stored.filter((x) => x.service === service))
          this.emit('BackgroundService.backgroundServiceEventReceived', { backgroundServiceEvent: e });
      } else if (method === 'BackgroundService.setRecording') {
        this.recording.set(service, p['shouldRecord'] as boolean);
        this.emit('BackgroundService.recordingStateChanged', { isRecording: p['shouldRecord'] as boolean, service });
      } else if (method === 'BackgroundService.clearEvents') {
        this.stored = this.stored.filter((x) => x.service !== service);
      }
    });
    return Promise.resolve({} as Result<M>);
  }

  /** The browser logs an event: stored, and delivered live. */
  log(e: RawEvent): void {
    this.stored.push(e);
    if (this.recording.get(e.service)) this.emit('BackgroundService.backgroundServiceEventReceived', { backgroundServiceEvent: e });
  }

  emit(event: string, payload: unknown): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) l(payload);
  }

  on<E extends EventName>(event: E, listener: (...payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const fn = listener as unknown as (p: unknown) => void;
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Event and close listeners still subscribed. */
  listenerCount(): number {
    return [...this.listeners.values()].reduce((n, set) => n + set.size, 0) + this.closeListeners.size;
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(reason = 'target closed'): void {
    this.closed = true;
    for (const l of [...this.closeListeners]) l(reason);
  }

  detach(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

let ts = 1_795_000_000;
/** Build a raw backgroundFetch event; metadata given as pairs so tests control the order. */
export function fetchEvent(
  eventName: string,
  instanceId: string,
  metadata: Array<[string, string]> = [],
  overrides: Partial<RawEvent> = {},
): RawEvent {
  ts += 0.01;
  return {
    timestamp: ts,
    origin: 'http://127.0.0.1:8080/',
    serviceWorkerRegistrationId: '7',
    service: 'backgroundFetch',
    eventName,
    instanceId,
    eventMetadata: metadata.map(([key, value]) => ({ key, value })),
    storageKey: 'http://127.0.0.1:8080/',
    ...overrides,
  };
}

/** The seven events Chromium logs for a successful two-request fetch (measured order). */
export function successSequence(id: string, opts: { eventType?: string } = {}): RawEvent[] {
  return [
    fetchEvent('Background Fetch registered', id, [
      ['Total Requests', '2'],
      ['Start Paused', 'No'],
    ]),
    fetchEvent('Background Fetch started', id),
    fetchEvent('Request processing started', id, [
      ['URL', 'http://127.0.0.1:8080/a'],
      ['Request Index', '0'],
    ]),
    fetchEvent('Request processing started', id, [
      ['URL', 'http://127.0.0.1:8080/b'],
      ['Request Index', '1'],
    ]),
    fetchEvent('Request processing completed', id, [
      ['URL', 'http://127.0.0.1:8080/a'],
      ['Request Index', '0'],
      ['Response Status', '200'],
      ['Response Size (bytes)', '1000'],
    ]),
    fetchEvent('Request processing completed', id, [
      ['URL', 'http://127.0.0.1:8080/b'],
      ['Request Index', '1'],
      ['Response Status', '200'],
      ['Response Size (bytes)', '20'],
    ]),
    fetchEvent('Background Fetch completed', id, [['Event Type', opts.eventType ?? 'BackgroundFetchSuccessEvent']]),
  ];
}

/**
 * A chrome-remote-interface-shaped client: records every command, lets the test answer it
 * (or answers at once with `autoAnswer`), and emits events under both names the real client
 * uses: `Domain.event` with the sessionId as second argument, and `Domain.event.<sessionId>`.
 */
export class FakeCriClient extends EventEmitter {
  readonly calls: Array<{
    method: string;
    params: unknown;
    sessionId: string | undefined;
    resolve: (v: unknown) => void;
    reject: (e: Error) => void;
  }> = [];
  /** Events the "browser" sends before it answers a command (method -> events, on the command's session). */
  readonly before = new Map<string, Array<{ method: string; params: Record<string, unknown> }>>();

  constructor(private readonly autoAnswer = false) {
    super();
  }

  send(method: string, params?: object, sessionId?: string): Promise<unknown> {
    let call!: (typeof this.calls)[number];
    const answer = new Promise((resolve, reject) => this.calls.push((call = { method, params, sessionId, resolve, reject })));
    for (const e of this.before.get(method) ?? []) this.event(e.method, e.params, sessionId);
    if (this.autoAnswer) call.resolve({});
    return answer;
  }

  /** An event as chrome-remote-interface delivers it. */
  event(method: string, params: Record<string, unknown>, sessionId?: string): void {
    this.emit('event', { method, params, sessionId });
    this.emit(method, params, sessionId);
    this.emit(`${method}.${sessionId}`, params, sessionId);
  }

  /** The commands sent to one session, in order. */
  to(sessionId: string | undefined): string[] {
    return this.calls.filter((c) => c.sessionId === sessionId).map((c) => c.method);
  }
}
