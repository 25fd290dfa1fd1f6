/**
 * BackgroundServiceRecorder: observe + record background services on a Playwright
 * BrowserContext or a connect()ed browser, and fold what it sees into fetch timelines.
 *
 * CDP ordering traps this class is built around:
 * - The domain lives on page targets only, and events must outlive the app's pages, so the
 *   recorder opens its own observer page in the context and never uses the app's.
 * - `startObserving` first emits `recordingStateChanged`, then REPLAYS every stored event of
 *   the storage partition, even with recording off. Replays are de-duplicated by content.
 * - Nothing is logged until `setRecording(true)`; recording lasts for days in the profile, so
 *   `dispose()` switches it off again.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { ConnectedBrowser } from '../browsers/connect.js';
import { CriCdpSession, PlaywrightCdpSession, type CdpSession } from '../cdp/session.js';
import { TimeoutError, UsageError } from '../errors.js';
import { ProbeInstaller } from '../probes/installer.js';
import type { ServedSource } from './served.js';
import { settleAll } from '../util/settle.js';
import { bestEffort, debug } from '../util/debug.js';
import type { NormalisedEvent } from './normalise.js';
import { Recording } from './recording.js';
import { parseServices, type ServiceName, type ServiceSelection } from './services.js';
import { formatTimeline } from './format.js';
import { reachedStage, timelineStart, type FetchStage, type FetchTimeline } from './timeline.js';

const log = debug('bgprobe:recorder');

export interface AttachOptions {
  /** Services to record; `'all'` for every one. Default `['backgroundFetch']`. */
  services?: ServiceSelection | readonly ServiceSelection[] | readonly string[];
  /** Install page and service-worker probes (progress, SW events, updateUI). Default true. */
  probes?: boolean;
  /** Where the observer page sits. Default about:blank. */
  observerUrl?: string;
  /** Default deadline for waits, ms. Default 30 s. */
  timeout?: number;
  /** A server whose log is joined to each request (`served`): usually the FixtureServer. */
  server?: ServedSource;
}

export interface WaitForFetchOptions {
  until?: FetchStage;
  timeout?: number;
  /** Only timelines registered at or after this time (ms epoch): skips an earlier use of the id. */
  since?: number;
}

type Target = BrowserContext | ConnectedBrowser;

function isConnectedBrowser(t: Target): t is ConnectedBrowser {
  return typeof (t as ConnectedBrowser).wsEndpoint === 'string' && 'client' in t;
}

export class BackgroundServiceRecorder extends Recording {
  private disposed = false;
  private closedReason: string | null = null;
  private cleanup: Array<() => Promise<void> | void> = [];
  private recordingState = new Map<ServiceName, boolean>();
  private probeInstaller: ProbeInstaller | null = null;

  private constructor(
    private readonly session: CdpSession,
    readonly services: readonly ServiceName[],
    readonly defaultTimeout: number,
    /** The recorder's own page (Playwright targets). */
    readonly observerPage: Page | null,
  ) {
    super();
  }

  static async attach(target: Target, options: AttachOptions = {}): Promise<BackgroundServiceRecorder> {
    if (!target || typeof target !== 'object') {
      throw new UsageError('BackgroundServiceRecorder.attach(target): target must be a Playwright BrowserContext or the result of connect().');
    }
    const services = parseServices(options.services as readonly string[] | undefined);
    const timeout = options.timeout ?? 30_000;
    let recorder: BackgroundServiceRecorder;
    if (isConnectedBrowser(target)) {
      const { targetId } = await target.client.send('Target.createTarget', { url: options.observerUrl ?? 'about:blank', background: true });
      const { sessionId } = await target.client.send('Target.attachToTarget', { targetId, flatten: true });
      const session = new CriCdpSession(target.cri, sessionId);
      recorder = new BackgroundServiceRecorder(session, services, timeout, null);
      recorder.cleanup.push(() => bestEffort(log, 'close observer target', () => target.client.send('Target.closeTarget', { targetId })));
      if (options.probes !== false) recorder.probeInstaller = ProbeInstaller.overConnection(target.cri, null);
    } else {
      if (typeof target.newCDPSession !== 'function') {
        throw new UsageError('BackgroundServiceRecorder.attach(target): target must be a Playwright BrowserContext or the result of connect().');
      }
      const page = await target.newPage();
      try {
        if (options.observerUrl) await page.goto(options.observerUrl);
        const session = new PlaywrightCdpSession(await target.newCDPSession(page));
        recorder = new BackgroundServiceRecorder(session, services, timeout, page);
      } catch (e) {
        // Nothing else owns the observer page yet: do not leave it in the user's context.
        await page.close().catch(() => undefined);
        throw e;
      }
      const session = recorder.session as PlaywrightCdpSession;
      const onClose = () => session.notifyClosed('the observer page closed');
      page.on('close', onClose);
      recorder.cleanup.push(() => void page.off('close', onClose));
      recorder.cleanup.push(() => bestEffort(log, 'close observer page', () => page.close()));
      if (options.probes !== false) {
        try {
          recorder.probeInstaller = await ProbeInstaller.overPlaywright(target, page);
        } catch (e) {
          await recorder.dispose();
          throw e;
        }
      }
    }
    recorder.session.onClose((reason) => recorder.onSessionClosed(reason));
    if (options.server) recorder.joinServer(options.server);
    try {
      // Recording and probe installation are independent round trips: side by side.
      const installer = recorder.probeInstaller;
      installer?.onRecord((r) => recorder.ingestProbe(r));
      await settleAll([recorder.start(), installer?.start()]);
    } catch (e) {
      await recorder.dispose();
      throw e;
    }
    return recorder;
  }

  /**
   * Record over a CDP session you already hold on a page target (no observer page, no probes).
   * The session's owner keeps it alive; `dispose()` still stops recording and detaches.
   */
  static async attachToSession(session: CdpSession, options: Omit<AttachOptions, 'probes' | 'observerUrl'> = {}): Promise<BackgroundServiceRecorder> {
    const services = parseServices(options.services as readonly string[] | undefined);
    const recorder = new BackgroundServiceRecorder(session, services, options.timeout ?? 30_000, null);
    session.onClose((reason) => recorder.onSessionClosed(reason));
    try {
      await recorder.start();
    } catch (e) {
      await recorder.dispose();
      throw e;
    }
    return recorder;
  }

  private async start(): Promise<void> {
    this.session.on('BackgroundService.backgroundServiceEventReceived', ({ backgroundServiceEvent }) => {
      this.ingest(backgroundServiceEvent);
    });
    this.session.on('BackgroundService.recordingStateChanged', ({ isRecording, service }) => {
      this.recordingState.set(service, isRecording);
      this.emitState();
    });
    // One service's commands in order (observe before recording, so nothing logged in between
    // is missed); the services side by side.
    // Every service settles before the first failure is thrown: dispose() must not race a
    // setRecording(true) still on its way.
    await settleAll(
      this.services.map(async (service) => {
        await this.session.send('BackgroundService.startObserving', { service });
        await this.session.send('BackgroundService.setRecording', { shouldRecord: true, service });
        await this.waitForRecordingState(service, true);
      }),
    );
  }

  private stateWaiters = new Set<() => void>();
  private emitState(): void {
    for (const w of [...this.stateWaiters]) w();
  }

  private waitForRecordingState(service: ServiceName, state: boolean, timeout = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.recordingState.get(service) === state) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new TimeoutError(`BackgroundService.setRecording(${state}) for ${service}: no recordingStateChanged within ${timeout} ms.`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        this.stateWaiters.delete(check);
      };
      this.stateWaiters.add(check);
      check();
    });
  }

  /** Why some evidence cannot be gathered (e.g. service-worker probes unavailable). */
  get warnings(): readonly string[] {
    return this.probeInstaller?.warnings ?? [];
  }

  /** Is `service` being recorded (as the browser last said)? */
  isRecording(service: ServiceName = 'backgroundFetch'): boolean {
    return this.recordingState.get(service) === true;
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  private onSessionClosed(reason: string): void {
    if (this.disposed) return;
    this.closedReason = reason;
    log('session closed: %s', reason);
    this.emitClose();
  }

  private closeListeners = new Set<(reason: string) => void>();
  /** Called when the recorder's connection goes away (observer page closed, browser gone). */
  onClose(fn: (reason: string) => void): () => void {
    // A wait that starts after the connection went away must fail now, not at its deadline.
    if (this.closedReason !== null) {
      queueMicrotask(() => fn(this.closedReason ?? 'closed'));
      return () => {};
    }
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }
  private emitClose(): void {
    for (const fn of [...this.closeListeners]) fn(this.closedReason ?? 'closed');
  }

  /**
   * Resolve with the fetch's timeline once it reaches `until` (default 'completed'); on
   * timeout, a TimeoutError showing the timeline gathered so far.
   */
  waitForFetch(id: string, options: WaitForFetchOptions = {}): Promise<FetchTimeline> {
    // Without worker probes nothing ever reports the worker's event: settled means completed.
    const until = options.until === 'settled' && !this.probeInstaller?.hasWorkerProbes ? 'completed' : (options.until ?? 'completed');
    const timeout = options.timeout ?? this.defaultTimeout;
    const pick = (): FetchTimeline | undefined => {
      const all = this.fetches().filter((t) => t.id === id && (options.since === undefined || timelineStart(t) >= options.since));
      return all[all.length - 1];
    };
    const ready = () => {
      const t = pick();
      return t && reachedStage(t, until) ? t : undefined;
    };
    const now = ready();
    if (now) return Promise.resolve(now);
    const error = new TimeoutError(`waitForFetch("${id}", { until: '${until}' })`);
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        offFetch();
        offClose();
      };
      const offFetch = this.on('fetch', (t) => {
        if (t.id !== id) return;
        const r = ready();
        if (r) {
          finish();
          resolve(r);
        }
      });
      const offClose = this.onClose((reason) => {
        finish();
        error.message = `waitForFetch("${id}", { until: '${until}' }): the recorder's connection closed (${reason}).\n${this.describeSoFar(id, pick())}`;
        reject(error);
      });
      const timer = setTimeout(() => {
        finish();
        error.message = `waitForFetch("${id}", { until: '${until}' }) timed out after ${timeout} ms.\n${this.describeSoFar(id, pick())}`;
        reject(error);
      }, timeout);
    });
  }

  private describeSoFar(id: string, t: FetchTimeline | undefined): string {
    return t ? formatTimeline(t) : this.describeMissing(id);
  }

  /** Wait for the first new event matching the predicate. */
  waitForEvent(predicate: (e: NormalisedEvent) => boolean, options: { timeout?: number; includeRecorded?: boolean } = {}): Promise<NormalisedEvent> {
    const timeout = options.timeout ?? this.defaultTimeout;
    if (options.includeRecorded) {
      const found = this.events().find(predicate);
      if (found) return Promise.resolve(found);
    }
    const error = new TimeoutError('waitForEvent');
    return new Promise((resolve, reject) => {
      const off = this.on('event', (e) => {
        if (!predicate(e)) return;
        off();
        clearTimeout(timer);
        resolve(e);
      });
      const timer = setTimeout(() => {
        off();
        const recent = this.events().slice(-10).map((e) => `  ${new Date(e.at).toISOString()} ${e.service} ${e.name} [${e.instanceId}]`);
        error.message = `waitForEvent timed out after ${timeout} ms. Last events:\n${recent.join('\n') || '  (none)'}`;
        reject(error);
      }, timeout);
    });
  }

  /** Async iterator over new events until the recorder is disposed or closed. */
  async *stream(): AsyncGenerator<NormalisedEvent> {
    const queue: NormalisedEvent[] = [];
    let wake: (() => void) | null = null;
    let ended = this.disposed || this.closed;
    const offEvent = this.on('event', (e) => {
      queue.push(e);
      wake?.();
    });
    const offClose = this.onClose(() => {
      ended = true;
      wake?.();
    });
    const offDispose = this.onDispose(() => {
      ended = true;
      wake?.();
    });
    try {
      while (true) {
        while (queue.length) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    } finally {
      offEvent();
      offClose();
      offDispose();
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<NormalisedEvent> {
    return this.stream();
  }

  private disposeListeners = new Set<() => void>();
  private onDispose(fn: () => void): () => void {
    this.disposeListeners.add(fn);
    return () => this.disposeListeners.delete(fn);
  }

  /** `BackgroundService.clearEvents`: removes the stored events of the service in the browser profile. */
  async clear(service: ServiceName = 'backgroundFetch'): Promise<void> {
    await this.session.send('BackgroundService.clearEvents', { service });
  }

  /**
   * Stop recording, stop observing, close the observer page, drop every listener.
   * `stopRecording: false` leaves recording on in the profile: Chromium logs the events of a
   * browser restart (`resuming after browser restart`) at start-up, before any recorder can
   * attach, and only stores them when recording is still on from the previous run.
   */
  async dispose(options: { stopRecording?: boolean } = {}): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const fn of [...this.disposeListeners]) fn();
    // Pending waits end now, with the reason, instead of timing out later.
    this.closedReason ??= 'the recorder was disposed';
    this.emitClose();
    if (this.probeInstaller) await this.probeInstaller.dispose();
    if (!this.session.closed) {
      for (const service of this.services) {
        if (options.stopRecording !== false) {
          await bestEffort(log, `setRecording(false) ${service}`, () => this.session.send('BackgroundService.setRecording', { shouldRecord: false, service }));
        }
        await bestEffort(log, `stopObserving ${service}`, () => this.session.send('BackgroundService.stopObserving', { service }));
      }
    }
    await this.session.detach();
    for (const c of this.cleanup.reverse()) await c();
    this.cleanup = [];
    this.closeListeners.clear();
    this.stateWaiters.clear();
    this.removeAllListeners();
  }
}

