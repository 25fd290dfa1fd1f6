/**
 * Installs the probe into every page and service worker of a context, including a worker
 * restarted after `ServiceWorker.stopAllWorkers` or started by the browser only to deliver
 * the completion event, and always BEFORE the app's own script runs. Everything goes through
 * bgprobe's own browser-level CDP link (never Playwright's `exposeBinding` or init scripts, whose
 * globals a page can see):
 *
 * - Workers: browser-level auto-attach with waitForDebuggerOnStart; on attach, add the report
 *   binding, set an instrumentation breakpoint `beforeScriptExecution`, resume. The worker then
 *   pauses before sw.js and the probe is evaluated there. Over Playwright's connection the
 *   worker does not wait for bgprobe (Playwright resumes it at once), so those first commands are
 *   sent by the observer page as the attach message passes through it (tunnel.ts), ahead of the
 *   script's loading. A stopped worker keeps its DevTools session, and its restart stops at the
 *   same breakpoint (session state survives the restart): probed again there.
 * - Pages: auto-attached the same way; the binding and the probe go in with
 *   Page.addScriptToEvaluateOnNewDocument before the page is resumed (its navigation waits for
 *   every client that holds it, bgprobe's session included).
 *
 * The probe takes the binding off the global before any app script runs. What it sends is
 * labelled by the session it came over (a page's or a worker's), never by what it says of
 * itself, and checked by validate.ts before anything reads it.
 *
 * Every attached target is a typed child session of one browser-level CdpConnection; its
 * listeners are subscribed in the attach event itself, before any command is sent to it.
 */
import { randomBytes } from 'node:crypto';
import type { Protocol } from 'devtools-protocol';
import type { BrowserContext } from 'playwright-core';
import type { BrowserLink, ConnectionSession } from '../cdp/connection.js';
import { bestEffort, debug } from '../util/debug.js';
import { withDeadline } from '../util/deadline.js';
import { probeSource } from './source.js';
import type { ProbeRecord } from './types.js';
import { checkPayload, type DropReason } from './validate.js';

const log = debug('bgprobe:probes');

/** Where the probes go: what the recorder's adapters (src/browsers/observer.ts) provide. */
export interface ProbeTarget {
  /** The Playwright context, when there is one. */
  readonly context?: BrowserContext | null;
  /** The browser-level link pages and workers are auto-attached over; null when the browser has none. */
  openBrowserLink(): Promise<BrowserLink | null>;
  /** The observer's own page target: never probed. */
  ownTargetId?(): Promise<string | null>;
}

/** How long start() waits for the targets that already exist to be probed. */
const ATTACH_WAIT_MS = 10_000;

/** Records kept per fetch id and channel kind (page or worker): past it, dropped and counted. */
export const MAX_RECORDS_PER_FETCH = 5_000;
/** Records kept in all, per channel kind. */
export const MAX_RECORDS_TOTAL = 100_000;
/** Payload characters kept in all, per channel kind (about bytes). */
export const MAX_CHARS_TOTAL = 64 * 1024 * 1024;

/** What arrived over the probe channels, and what was dropped and why. */
export interface ProbeStats {
  /** Payloads received (each is one record or a batch). */
  payloads: number;
  /** Records kept. */
  accepted: number;
  /** Records (or whole payloads, when unreadable) dropped. */
  dropped: number;
  /** Dropped, by reason. */
  droppedBy: Partial<Record<DropReason, number>>;
  /** The last few reasons with their detail (at most 10, each at most 200 characters). */
  recentDrops: string[];
}

interface Budget {
  perFetch: Map<string, number>;
  records: number;
  chars: number;
}

/** A worker attached before its start, while attachHeldWorker sets its breakpoint. */
interface Starting {
  url: string;
  /** Its own script (`url`) compiled. */
  compiled: boolean;
  /** It was probed at a pause. */
  probed: boolean;
}

const seal = (): string => randomBytes(16).toString('hex');

export class ProbeInstaller {
  /** Random per installer: the probe takes it off the global before the app can see it. */
  private readonly binding = `b${randomBytes(8).toString('hex')}`;
  /**
   * Random per installer and per source: what the probe's payloads start with (see
   * ProbeConfig.seal). A late-probed worker runs after the app's script, which may hold the
   * built-ins the probe then takes, so its seal is the app's to read: it opens the worker
   * channel only, never a page's (where the binding is reachable in blank iframes).
   */
  private readonly seals = { page: seal(), worker: seal(), late: seal() };
  /** The probe of a worker paused before its script. */
  private readonly source: string;
  private readonly pageSource: string;
  /** The same probe for a worker whose script already ran (or is part-way through): it reads the listeners added so far from the browser. */
  private readonly lateSource: string;
  private readonly listeners = new Set<(r: ProbeRecord) => void>();
  private link: BrowserLink | null = null;
  private readonly targets = new Map<string, ConnectionSession>();
  private readonly starting = new Map<string, Starting>();
  /** Each attached worker's own script (its target URL), by session: a pause there is before the app's code. */
  private readonly mainScript = new Map<string, string>();
  private readonly offs: Array<() => void> = [];
  /** Attachments not done yet (a page's script not yet registered, a running worker not yet probed). */
  private readonly attaching = new Set<Promise<void>>();
  private disposed = false;
  private ownTarget: string | null = null;
  /** Why some probes could not be installed (shown in reports, never thrown). */
  private readonly installWarnings: string[] = [];
  readonly stats: ProbeStats = { payloads: 0, accepted: 0, dropped: 0, droppedBy: {}, recentDrops: [] };
  private readonly budgets = { page: newBudget(), worker: newBudget() };

  constructor(private readonly target: ProbeTarget) {
    const key = randomBytes(8).toString('hex');
    const { page, worker, late } = this.seals;
    this.pageSource = probeSource({ binding: this.binding, key, seal: page, afterAppScript: false });
    this.source = probeSource({ binding: this.binding, key, seal: worker, afterAppScript: false });
    this.lateSource = probeSource({ binding: this.binding, key, seal: late, afterAppScript: true });
  }

  /** Why some evidence is missing or was refused: probes not installed, records dropped. */
  get warnings(): string[] {
    const { dropped, droppedBy } = this.stats;
    if (!dropped) return [...this.installWarnings];
    const why = Object.entries(droppedBy)
      .map(([reason, n]) => `${n} ${reason}`)
      .join(', ');
    return [...this.installWarnings, `${dropped} probe record(s) dropped at the channel (${why}): see recorder.stats.probes`];
  }

  /** True once service workers are auto-attached (their events, updateUI, records). */
  get hasWorkerProbes(): boolean {
    return this.link !== null && !this.disposed;
  }

  onRecord(fn: (r: ProbeRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * What a binding call brought: the probe's payload only if it starts with a seal of the kind
   * of channel it came on. A page calling the binding where the probe never took it (see
   * ProbeConfig.seal) does not know the page seal; a worker's seals open no page channel.
   */
  receive(raw: unknown, context: 'page' | 'worker'): void {
    if (this.disposed) return;
    const seals = context === 'page' ? [this.seals.page] : [this.seals.worker, this.seals.late];
    const sealed = typeof raw === 'string' ? seals.find((s) => raw.startsWith(s)) : undefined;
    if (typeof raw !== 'string' || sealed === undefined) {
      this.stats.payloads += 1;
      this.countDrop('not from the probe', `${context} channel`);
      return;
    }
    this.deliver(raw.slice(sealed.length), context);
  }

  /**
   * One payload (without its seal) from a page's (`context` 'page') or a worker's binding: checked, bounded, and
   * only then handed on. Nothing here throws, whatever the payload.
   */
  deliver(payload: unknown, context: 'page' | 'worker'): void {
    if (this.disposed) return;
    this.stats.payloads += 1;
    const verdict = checkPayload(payload, context);
    for (const d of verdict.dropped) this.countDrop(d.reason, d.detail);
    const budget = this.budgets[context];
    const chars = typeof payload === 'string' && verdict.records.length ? Math.ceil(payload.length / verdict.records.length) : 0;
    for (const rec of verdict.records) {
      const perFetch = budget.perFetch.get(rec.id) ?? 0;
      if (budget.records >= MAX_RECORDS_TOTAL || budget.chars + chars > MAX_CHARS_TOTAL) {
        this.countDrop('total cap reached');
        continue;
      }
      if (perFetch >= MAX_RECORDS_PER_FETCH) {
        this.countDrop('per-fetch cap reached', rec.id.slice(0, 100));
        continue;
      }
      budget.perFetch.set(rec.id, perFetch + 1);
      budget.records += 1;
      budget.chars += chars;
      this.stats.accepted += 1;
      for (const l of [...this.listeners]) l(rec);
    }
  }

  private countDrop(reason: DropReason, detail?: string): void {
    this.stats.dropped += 1;
    this.stats.droppedBy[reason] = (this.stats.droppedBy[reason] ?? 0) + 1;
    const recent = this.stats.recentDrops;
    recent.push((detail === undefined ? reason : `${reason}: ${detail}`).slice(0, 200));
    if (recent.length > 10) recent.shift();
  }

  async start(): Promise<void> {
    const [link, own] = await Promise.all([
      this.target.openBrowserLink().catch((e: unknown) => {
        this.installWarnings.push(`probes unavailable: ${e instanceof Error ? e.message : String(e)}`);
        log(this.installWarnings[this.installWarnings.length - 1]);
        return null;
      }),
      this.target.ownTargetId?.().catch(() => null) ?? Promise.resolve(null),
    ]);
    this.link = link;
    this.ownTarget = own;
    if (!this.link) {
      if (!this.installWarnings.length) this.installWarnings.push('probes unavailable: no browser-level CDP session (persistent context?)');
      return;
    }
    const connection = this.link.connection;
    const root = connection.root;
    this.offs.push(root.on('Target.attachedToTarget', (ev) => this.onAttached(ev)));
    // Sent by the observer page itself as a held worker is attached (see the file comment).
    // Runtime first: a binding reaches a worker's global only with Runtime enabled.
    await connection.transport.sendOnAttach?.('service_worker', [
      { method: 'Runtime.enable', params: {} },
      { method: 'Runtime.addBinding', params: { name: this.binding } },
      { method: 'Debugger.enable', params: {} },
      { method: 'Debugger.setInstrumentationBreakpoint', params: { instrumentation: 'beforeScriptExecution' } },
    ]);
    await root.send('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: true,
      flatten: true,
      filter: [{ type: 'service_worker' }, { type: 'page' }],
    });
    // The targets that already exist were attached (not held) before that answer. A page among
    // them is not held either: until its probe script is registered, a navigation the caller
    // starts as soon as this returns (a fixture test's `page.goto`) can commit a document with
    // the binding and without the probe, and the app then finds the binding on its own window.
    // So start() returns once they are probed; a page or worker created later is held until
    // its probe is in (see the file comment).
    await this.settled(ATTACH_WAIT_MS);
  }

  /** The attachments in progress done, or `ms` passed (then said in the warnings). */
  private async settled(ms: number): Promise<void> {
    if (!this.attaching.size) return;
    // The attachments never reject (every step is best effort): only the deadline can.
    await withDeadline(Promise.all([...this.attaching]), ms, 'probing the existing targets').catch(() =>
      this.installWarnings.push(`${this.attaching.size} target(s) were still being probed ${ms} ms after recording started`),
    );
  }

  private track(attachment: Promise<void>): void {
    this.attaching.add(attachment);
    void attachment.finally(() => this.attaching.delete(attachment));
  }

  private onAttached(ev: Protocol.Target.AttachedToTargetEvent): void {
    const link = this.link;
    if (!link || this.disposed) return;
    const { sessionId, targetInfo } = ev;
    const session = link.connection.session(sessionId);
    const foreign = link.browserContextId && targetInfo.browserContextId && targetInfo.browserContextId !== link.browserContextId;
    if (foreign || targetInfo.targetId === this.ownTarget) {
      // Another context's target, or the observer page: let it run and leave it alone.
      void this.resume(session).then(() => session.detach());
      return;
    }
    this.targets.set(sessionId, session);
    session.onClose(() => this.targets.delete(sessionId));
    // Labelled by the session's target, whatever the record says.
    const channel = targetInfo.type === 'page' ? 'page' : 'worker';
    session.on('Runtime.bindingCalled', ({ name, payload }) => {
      if (name === this.binding) this.receive(payload, channel);
    });
    log('attached %s %s (waiting=%s)', targetInfo.type, targetInfo.url, ev.waitingForDebugger);
    if (targetInfo.type === 'page') {
      this.track(this.attachPage(session));
      return;
    }
    // Registered before any command: under Playwright the observer page has already sent the
    // worker Debugger.enable (tunnel.ts), which reports its script as soon as it is compiled,
    // possibly before the first answer to this session comes back. Missed, that report left
    // a worker whose script outran the breakpoint with no probe at all (no worker-start, no
    // events): the intermittent of #21 under load.
    if (ev.waitingForDebugger) this.starting.set(sessionId, { url: targetInfo.url, compiled: false, probed: false });
    this.mainScript.set(sessionId, targetInfo.url);
    session.onClose(() => this.mainScript.delete(sessionId));
    session.on('Debugger.scriptParsed', ({ url }) => {
      // Its own script, not any script: another client's evaluation can carry a sourceURL.
      const start = this.starting.get(sessionId);
      if (start && url === start.url) start.compiled = true;
    });
    session.on('Debugger.paused', (paused) => this.onPaused(session, paused));
    this.track(ev.waitingForDebugger ? this.attachHeldWorker(session, targetInfo.url) : this.attachRunningWorker(session));
  }

  private resume(session: ConnectionSession): Promise<void> {
    return bestEffort(log, 'runIfWaitingForDebugger', () => session.send('Runtime.runIfWaitingForDebugger'));
  }

  /** Only ever after the worker's script ran (a pause probes with `source` itself). */
  private evaluateProbe(session: ConnectionSession): Promise<void> {
    // The Command Line API in scope for this evaluation only: the probe reads the listeners the
    // script already added with getEventListeners (nothing of it stays on the global).
    return bestEffort(log, 'probe worker', () =>
      session.send('Runtime.evaluate', { expression: this.lateSource, includeCommandLineAPI: true }),
    );
  }

  private onPaused(session: ConnectionSession, paused: Protocol.Debugger.PausedEvent): void {
    if (this.disposed) return;
    log('paused %s in %s', paused.reason, JSON.stringify(paused.data));
    const script = (paused.data as { url?: string } | undefined)?.url;
    if (!script) {
      // A script without a URL: an evaluation, ours included (the breakpoint stops those too),
      // or not our breakpoint at all (a `debugger;` statement). Only resume: probing at an
      // evaluation is one more evaluation to stop at, again and again.
      void bestEffort(log, 'resume', () => session.send('Debugger.resume'));
      return;
    }
    // The worker is about to run one of its scripts (sw.js on a start or restart, or an
    // importScripts): probe first, then go on.
    const start = session.sessionId ? this.starting.get(session.sessionId) : undefined;
    if (start) start.probed = true;
    // Before sw.js itself, the probe is in before any of the app's code. Before an importScripts
    // the probe is already in (the evaluation is a no-op), unless this start's sw.js outran the
    // breakpoint: then sw.js is part-way through, and the probe is the late one, which reads the
    // listeners added so far from the browser (evaluateProbe).
    const main = session.sessionId ? this.mainScript.get(session.sessionId) : undefined;
    const before = main === undefined || script === main;
    // Both commands are sent at once: the worker runs them in order, and waiting for the
    // evaluation's answer before resuming is what an evaluation nested in a pause can block.
    const evaluation = session.send(
      'Runtime.evaluate',
      before ? { expression: this.source } : { expression: this.lateSource, includeCommandLineAPI: true },
    );
    const resumed = session.send('Debugger.resume');
    void Promise.allSettled([evaluation, resumed]).then(([e, r]) => {
      if (e.status === 'rejected') log('probe on pause failed: %s', String(e.reason));
      if (r.status === 'rejected') log('resume failed: %s', String(r.reason));
    });
  }

  private async attachPage(session: ConnectionSession): Promise<void> {
    // runImmediately also covers the document already there; no Runtime.evaluate while the
    // target waits for the debugger (with workers that crashed the renderer, see below).
    await bestEffort(log, 'Runtime.enable', () => session.send('Runtime.enable'));
    await bestEffort(log, 'addBinding', () => session.send('Runtime.addBinding', { name: this.binding }));
    await bestEffort(log, 'Page.enable', () => session.send('Page.enable'));
    await bestEffort(log, 'addScript', () =>
      session.send('Page.addScriptToEvaluateOnNewDocument', { source: this.pageSource, runImmediately: true }),
    );
    await this.resume(session);
  }

  /** Bindings reach a worker only with Runtime enabled: without it a restarted worker's reports vanish. */
  private async enableRuntime(session: ConnectionSession): Promise<void> {
    await bestEffort(log, 'Runtime.enable', () => session.send('Runtime.enable'));
    await bestEffort(log, 'addBinding', () => session.send('Runtime.addBinding', { name: this.binding }));
  }

  private async attachHeldWorker(session: ConnectionSession, url: string): Promise<void> {
    await this.enableRuntime(session);
    // The breakpoint goes in BEFORE resuming, so the worker's first start pauses before sw.js
    // like every restart, and onPaused probes it there. No evaluation between resuming and
    // that pause: until the worker has loaded its script, Chromium kills the whole renderer
    // (pages included) on a `self.location` read (CHECK(url_.IsValid()) in WorkerGlobalScope).
    const sessionId = session.sessionId!;
    const start = this.starting.get(sessionId) ?? { url, compiled: false, probed: false };
    this.starting.set(sessionId, start);
    // Compiled and not paused by now: reported over the observer page's Debugger.enable before
    // Runtime was enabled. Unless a pause follows, the case that went unprobed when 'starting'
    // was set only here.
    const compiledFirst = start.compiled && !start.probed;
    await this.breakBeforeEveryScript(session);
    // A service worker does not wait for every client that asked to hold it: Playwright's own
    // auto-attach resumes it at once, so its script can compile before the breakpoint is in
    // (Debugger.enable then reports the script, and no pause comes). A compiled script means
    // the worker has its URL: probe now.
    const missedThePause = start.compiled && !start.probed;
    this.starting.delete(sessionId);
    await this.resume(session);
    log(
      'worker %s: %s',
      url,
      missedThePause
        ? `already ran its script, probed now${compiledFirst ? ' (compiled before Runtime was enabled)' : ''}`
        : 'probed at its first pause',
    );
    if (missedThePause) await this.evaluateProbe(session);
  }

  /**
   * A worker that already runs (it started before recording did): probe it now, then break
   * before every restart. In this order, the breakpoint does not pause our own evaluation (as
   * it does a held worker's, which onPaused then only resumes).
   */
  private async attachRunningWorker(session: ConnectionSession): Promise<void> {
    await this.enableRuntime(session);
    await this.resume(session);
    await this.evaluateProbe(session);
    await this.breakBeforeEveryScript(session);
  }

  /**
   * From here on the worker stops before every script it runs: sw.js on each (re)start,
   * stopAllWorkers and a start just to deliver the completion event included, and each
   * importScripts (the probe is then a no-op). Session state survives the restarts.
   */
  private async breakBeforeEveryScript(session: ConnectionSession): Promise<void> {
    await bestEffort(log, 'Debugger.enable', () => session.send('Debugger.enable'));
    await bestEffort(log, 'instrumentation breakpoint', () =>
      session.send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptExecution' }),
    );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const link = this.link;
    if (link) {
      const root = link.connection.root;
      await bestEffort(log, 'stop auto-attach', () =>
        root.send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false, flatten: true }),
      );
      for (const session of [...this.targets.values()]) await session.detach();
      for (const off of this.offs) off();
      await bestEffort(log, 'close the browser link', () => link.close());
    }
    this.targets.clear();
    this.listeners.clear();
  }
}

function newBudget(): Budget {
  return { perFetch: new Map(), records: 0, chars: 0 };
}
