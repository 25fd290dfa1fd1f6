/**
 * BackgroundServiceRecorder: the domain object over one CdpSession on a page target. It only
 * subscribes (BackgroundService events, recording state, the session's close, probe records)
 * and folds what it sees into fetch timelines; src/browsers/observer.ts opens its page in a
 * Playwright context or a connect()ed browser, and the ProbeInstaller wires the probes.
 *
 * CDP ordering traps this class is built around:
 * - The domain lives on page targets only, and events must outlive the app's pages, so the
 *   recorder opens its own observer page in the context and never uses the app's.
 * - `startObserving` first emits `recordingStateChanged`, then REPLAYS every stored event of
 *   the storage partition, even with recording off. Replays are de-duplicated by content.
 * - Nothing is logged until `setRecording(true)`; recording lasts for days in the profile, so
 *   `dispose()` switches it off again.
 */
import { EventEmitter } from 'node:events';
import type { Page } from 'playwright-core';
import { observe, type ObservedTarget, type Observer } from '../browsers/observer.js';
import type { CdpSession } from '../cdp/session.js';
import { TimeoutError } from '../errors.js';
import { ProbeInstaller, type ProbeStats } from '../probes/installer.js';
import { waitWithin } from '../util/deadline.js';
import { bestEffort, debug } from '../util/debug.js';
import { listen } from '../util/events.js';
import { settleAll } from '../util/settle.js';
import { formatTimeline } from './format.js';
import type { NormalisedEvent } from './normalise.js';
import { Recording } from './recording.js';
import type { ServedSource } from './served.js';
import { parseServices, type ServiceName, type ServiceSelection } from './services.js';
import { fetchReached, latestTimeline, type FetchStage, type FetchTimeline } from './timeline.js';

const log = debug('bgprobe:recorder');

/** The default deadline of every wait, ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** How long the browser has to confirm `setRecording` with `recordingStateChanged`, ms. */
const RECORDING_STATE_TIMEOUT_MS = 5_000;

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

/** What the recorder made for itself (attach), and disposes with itself; none over a given session. */
interface Owned {
  observer: Observer | null;
  probes: ProbeInstaller | null;
}

/** The recorder's own signals, apart from the public events. */
type Signals = { state: []; close: [reason: string] };

export class BackgroundServiceRecorder extends Recording {
  private readonly offs: Array<() => void> = [];
  private readonly signals = new EventEmitter<Signals>();
  private readonly recordingState = new Map<ServiceName, boolean>();
  private closedReason: string | null = null;
  private disposed = false;

  private constructor(
    private readonly session: CdpSession,
    readonly services: readonly ServiceName[],
    readonly defaultTimeout: number,
    private readonly owned: Owned,
  ) {
    super();
    // Every wait listens for the close, and any number of waits may run at once.
    this.signals.setMaxListeners(0);
    this.offs.push(
      session.on('BackgroundService.backgroundServiceEventReceived', ({ backgroundServiceEvent }) => this.ingest(backgroundServiceEvent)),
      session.on('BackgroundService.recordingStateChanged', ({ isRecording, service }) => {
        this.recordingState.set(service, isRecording);
        this.signals.emit('state');
      }),
      session.onClose((reason) => this.onSessionClosed(reason)),
    );
    if (owned.probes) this.offs.push(owned.probes.onRecord((r) => this.ingestProbe(r)));
  }

  static async attach(target: ObservedTarget, options: AttachOptions = {}): Promise<BackgroundServiceRecorder> {
    const services = parseServices(options.services);
    const observer = await observe(target, options.observerUrl);
    const probes = options.probes === false ? null : new ProbeInstaller(observer);
    const recorder = new BackgroundServiceRecorder(observer.session, services, options.timeout ?? DEFAULT_TIMEOUT_MS, { observer, probes });
    if (options.server) recorder.joinServer(options.server);
    await recorder.start();
    return recorder;
  }

  /**
   * Record over a CDP session you already hold on a page target (no observer page, no probes).
   * The session's owner keeps it alive; `dispose()` still stops recording and detaches.
   */
  static async attachToSession(
    session: CdpSession,
    options: Omit<AttachOptions, 'probes' | 'observerUrl'> = {},
  ): Promise<BackgroundServiceRecorder> {
    const services = parseServices(options.services);
    const recorder = new BackgroundServiceRecorder(session, services, options.timeout ?? DEFAULT_TIMEOUT_MS, {
      observer: null,
      probes: null,
    });
    if (options.server) recorder.joinServer(options.server);
    await recorder.start();
    return recorder;
  }

  private async start(): Promise<void> {
    try {
      // Recording and probe installation are independent round trips: side by side.
      await settleAll([this.startRecording(), this.owned.probes?.start() ?? Promise.resolve()]);
    } catch (e) {
      await this.dispose();
      throw e;
    }
  }

  private async startRecording(): Promise<void> {
    // One service's commands in order (observe before recording, so nothing logged in between
    // is missed); the services side by side. Every service settles before the first failure is
    // thrown: dispose() must not race a setRecording(true) still on its way.
    await settleAll(
      this.services.map(async (service) => {
        await this.session.send('BackgroundService.startObserving', { service });
        await this.session.send('BackgroundService.setRecording', { shouldRecord: true, service });
        await this.recordingStateIs(service, true);
      }),
    );
  }

  private recordingStateIs(service: ServiceName, state: boolean, timeout = RECORDING_STATE_TIMEOUT_MS): Promise<void> {
    const error = () =>
      new TimeoutError(`BackgroundService.setRecording(${state}) for ${service}: no recordingStateChanged within ${timeout} ms.`);
    return waitWithin<void>(timeout, error, (resolve) => {
      const check = () => {
        if (this.recordingState.get(service) === state) resolve();
      };
      check();
      return listen<Signals, 'state'>(this.signals, 'state', check);
    });
  }

  /** The recorder's own page (Playwright targets). */
  get observerPage(): Page | null {
    return this.owned.observer?.page ?? null;
  }

  /** Why some evidence cannot be gathered or was refused (probes unavailable, probe records dropped). */
  get warnings(): readonly string[] {
    return this.owned.probes?.warnings ?? [];
  }

  /**
   * What the recorder took in: `duplicatesDropped` (replayed CDP events), and `probes`, what
   * arrived over the probe channels (records kept, records dropped and why; null without probes).
   */
  get stats(): { duplicatesDropped: number; probes: Readonly<ProbeStats> | null } {
    return { duplicatesDropped: this.duplicatesDropped, probes: this.owned.probes?.stats ?? null };
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
    this.signals.emit('close', reason);
  }

  /** Called when the recorder's connection goes away (observer page closed, browser gone, disposed). */
  onClose(fn: (reason: string) => void): () => void {
    // A wait that starts after the connection went away must fail now, not at its deadline.
    const reason = this.closedReason;
    if (reason !== null) {
      queueMicrotask(() => fn(reason));
      return () => {};
    }
    return listen<Signals, 'close'>(this.signals, 'close', fn);
  }

  /**
   * Resolve with the fetch's timeline once it reaches `until` (default 'completed'); on
   * timeout, a TimeoutError showing the timeline gathered so far.
   */
  waitForFetch(id: string, options: WaitForFetchOptions = {}): Promise<FetchTimeline> {
    const until = options.until ?? 'completed';
    const timeout = options.timeout ?? this.defaultTimeout;
    const evidence = { workerProbes: this.owned.probes?.hasWorkerProbes ?? false };
    const latest = () => latestTimeline(this.fetches(), id, options.since);
    const label = `waitForFetch("${id}", { until: '${until}' })`;
    // Created here, not when the wait ends: its stack names the caller.
    const error = new TimeoutError(label);
    const fail = (why: string) => {
      const t = latest();
      error.message = `${label}${why}.\n${t ? formatTimeline(t) : this.describeMissing(id)}`;
      return error;
    };
    return waitWithin(
      timeout,
      () => fail(` timed out after ${timeout} ms`),
      (resolve, reject) => {
        const check = () => {
          const t = latest();
          if (t && fetchReached(t, until, evidence)) resolve(t);
        };
        check();
        const offFetch = this.subscribe('fetch', (t) => {
          if (t.id === id) check();
        });
        const offClose = this.onClose((reason) => reject(fail(`: the recorder's connection closed (${reason})`)));
        return () => {
          offFetch();
          offClose();
        };
      },
    );
  }

  /** Wait for the first new event matching the predicate. */
  waitForEvent(
    predicate: (e: NormalisedEvent) => boolean,
    options: { timeout?: number; includeRecorded?: boolean } = {},
  ): Promise<NormalisedEvent> {
    const timeout = options.timeout ?? this.defaultTimeout;
    if (options.includeRecorded) {
      const found = this.events().find(predicate);
      if (found) return Promise.resolve(found);
    }
    const error = new TimeoutError('waitForEvent');
    const fail = (why: string) => {
      const recent = this.events()
        .slice(-10)
        .map((e) => `  ${new Date(e.at).toISOString()} ${e.service} ${e.name} [${e.instanceId}]`);
      error.message = `waitForEvent${why}. Last events:\n${recent.join('\n') || '  (none)'}`;
      return error;
    };
    return waitWithin(
      timeout,
      () => fail(` timed out after ${timeout} ms`),
      (resolve, reject) => {
        const offEvent = this.subscribe('event', (e) => {
          if (predicate(e)) resolve(e);
        });
        const offClose = this.onClose((reason) => reject(fail(`: the recorder's connection closed (${reason})`)));
        return () => {
          offEvent();
          offClose();
        };
      },
    );
  }

  /** Async iterator over new events until the recorder is disposed or closed. */
  async *stream(): AsyncGenerator<NormalisedEvent> {
    const queue: NormalisedEvent[] = [];
    let wake: (() => void) | null = null;
    let ended = this.closed;
    const offs = [
      this.subscribe('event', (e) => {
        queue.push(e);
        wake?.();
      }),
      this.onClose(() => {
        ended = true;
        wake?.();
      }),
    ];
    try {
      while (true) {
        while (queue.length) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    } finally {
      for (const off of offs) off();
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<NormalisedEvent> {
    return this.stream();
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
    // Pending waits end now, with the reason, instead of timing out later.
    this.closedReason ??= 'the recorder was disposed';
    this.signals.emit('close', this.closedReason);
    await this.owned.probes?.dispose();
    if (!this.session.closed) await this.stopServices(options.stopRecording !== false);
    await this.session.detach();
    await this.owned.observer?.close();
    for (const off of this.offs.splice(0)) off();
    this.signals.removeAllListeners();
    this.removeAllListeners();
  }

  /** Best effort: the page or the browser may be going away as the recorder is disposed. */
  private async stopServices(stopRecording: boolean): Promise<void> {
    for (const service of this.services) {
      if (stopRecording) {
        await bestEffort(log, `setRecording(false) ${service}`, () =>
          this.session.send('BackgroundService.setRecording', { shouldRecord: false, service }),
        );
      }
      await bestEffort(log, `stopObserving ${service}`, () => this.session.send('BackgroundService.stopObserving', { service }));
    }
  }
}
