/**
 * Installs the probe into every page and service worker of a context, including a worker
 * restarted after `ServiceWorker.stopAllWorkers` or started by the browser only to deliver
 * the completion event, and always BEFORE the app's own script runs:
 *
 * - Workers: browser-level auto-attach with waitForDebuggerOnStart; on attach, add the report
 *   binding, set an instrumentation breakpoint `beforeScriptExecution`, resume. The worker then
 *   pauses before sw.js and the probe is evaluated there (or at once, if another client had
 *   already let its script start: see attachHeldWorker). A stopped worker keeps its DevTools
 *   session, but its restart is not paused for the debugger: the same breakpoint (session state
 *   survives the restart) stops it before sw.js runs, so the probe is evaluated again there.
 * - Pages (Playwright): context.addInitScript + exposeBinding. Pages (raw connection):
 *   auto-attach pages too and use Page.addScriptToEvaluateOnNewDocument.
 *
 * Every attached target is a typed child session of one browser-level CdpConnection; its
 * listeners are subscribed in the attach event itself, before any command is sent to it.
 */
import { randomBytes } from 'node:crypto';
import type { Protocol } from 'devtools-protocol';
import type { BrowserContext } from 'playwright-core';
import type { BrowserLink, ConnectionSession } from '../cdp/connection.js';
import { settleAll } from '../util/settle.js';
import { bestEffort, debug } from '../util/debug.js';
import { probeScript } from './probe-script.js';
import type { ProbeRecord } from './types.js';

const log = debug('bgprobe:probes');

interface Disposable {
  dispose(): Promise<void>;
}

/** Where the probes go: what the recorder's adapters (src/browsers/observer.ts) provide. */
export interface ProbeTarget {
  /** Page probes go in through this context's init scripts; null: through auto-attached pages. */
  readonly context: BrowserContext | null;
  /** The browser-level link workers are auto-attached over; null when the browser has none. */
  openBrowserLink(): Promise<BrowserLink | null>;
}

/** A worker attached before its start, while attachHeldWorker sets its breakpoint. */
interface Starting {
  url: string;
  /** Its own script (`url`) compiled. */
  compiled: boolean;
  /** It was probed at a pause. */
  probed: boolean;
}

export class ProbeInstaller {
  private readonly binding = `__bgprobeReport_${randomBytes(6).toString('hex')}`;
  private readonly source: string;
  /** The same probe for a worker whose script already ran: it cannot count the app's listeners. */
  private readonly lateSource: string;
  private readonly listeners = new Set<(r: ProbeRecord) => void>();
  private link: BrowserLink | null = null;
  private readonly targets = new Map<string, ConnectionSession>();
  private readonly starting = new Map<string, Starting>();
  private readonly disposables: Disposable[] = [];
  private readonly offs: Array<() => void> = [];
  private disposed = false;
  /** Why some probes could not be installed (shown in reports, never thrown). */
  readonly warnings: string[] = [];

  constructor(private readonly target: ProbeTarget) {
    this.source = probeScript(this.binding);
    this.lateSource = probeScript(this.binding, { afterAppScript: true });
  }

  /** True once service workers are auto-attached (their events, updateUI, records). */
  get hasWorkerProbes(): boolean {
    return this.link !== null && !this.disposed;
  }

  onRecord(fn: (r: ProbeRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private deliver(payload: string): void {
    if (this.disposed) return;
    // One record, or a batch of them (progress samples are sent in batches, in order).
    let parsed: ProbeRecord | ProbeRecord[];
    try {
      parsed = JSON.parse(payload) as ProbeRecord | ProbeRecord[];
    } catch {
      log('probe payload is not JSON, dropped: %s', payload.slice(0, 200));
      return;
    }
    for (const rec of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!rec || typeof rec !== 'object') continue;
      for (const l of [...this.listeners]) l(rec);
    }
  }

  private async startPages(ctx: BrowserContext): Promise<void> {
    const exposed = await ctx.exposeBinding(this.binding, (_source, payload: string) => this.deliver(payload));
    if (exposed && typeof (exposed as Disposable).dispose === 'function') this.disposables.push(exposed);
    const script = await ctx.addInitScript({ content: this.source });
    if (script && typeof (script as Disposable).dispose === 'function') this.disposables.push(script);
    // Pages already open got no init script: install into their current document too.
    await Promise.all(ctx.pages().map((p) => bestEffort(log, 'probe existing page', () => p.evaluate(this.source))));
  }

  async start(): Promise<void> {
    // The page probes (Playwright) and the worker link are independent: side by side.
    const context = this.target.context;
    const pages = context ? this.startPages(context) : Promise.resolve();
    const link = this.target.openBrowserLink().then(
      (l) => {
        this.link = l;
      },
      (e: unknown) => {
        this.warnings.push(`service-worker probes unavailable: ${e instanceof Error ? e.message : String(e)}`);
        log(this.warnings[this.warnings.length - 1]);
      },
    );
    await settleAll([pages, link]);
    if (!this.link) {
      if (!this.warnings.length) this.warnings.push('service-worker probes unavailable: no browser-level CDP session (persistent context?)');
      return;
    }
    const root = this.link.connection.root;
    this.offs.push(root.on('Target.attachedToTarget', (ev) => this.onAttached(ev)));
    const filter = [{ type: 'service_worker' }, ...(context ? [] : [{ type: 'page' }])];
    await root.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true, filter });
  }

  private onAttached(ev: Protocol.Target.AttachedToTargetEvent): void {
    const link = this.link;
    if (!link || this.disposed) return;
    const { sessionId, targetInfo } = ev;
    const session = link.connection.session(sessionId);
    if (link.browserContextId && targetInfo.browserContextId && targetInfo.browserContextId !== link.browserContextId) {
      // Another context's worker: let it run and leave it alone.
      void this.resume(session).then(() => session.detach());
      return;
    }
    this.targets.set(sessionId, session);
    session.onClose(() => this.targets.delete(sessionId));
    session.on('Runtime.bindingCalled', ({ name, payload }) => {
      if (name === this.binding) this.deliver(payload);
    });
    log('attached %s %s (waiting=%s)', targetInfo.type, targetInfo.url, ev.waitingForDebugger);
    if (targetInfo.type === 'page') {
      void this.attachPage(session);
      return;
    }
    session.on('Debugger.scriptParsed', ({ url }) => {
      // Its own script, not any script: another client's evaluation can carry a sourceURL.
      const start = this.starting.get(sessionId);
      if (start && url === start.url) start.compiled = true;
    });
    session.on('Debugger.paused', (paused) => this.onPaused(session, paused));
    void (ev.waitingForDebugger ? this.attachHeldWorker(session, targetInfo.url) : this.attachRunningWorker(session));
  }

  private resume(session: ConnectionSession): Promise<void> {
    return bestEffort(log, 'runIfWaitingForDebugger', () => session.send('Runtime.runIfWaitingForDebugger'));
  }

  /** Only ever after the worker's script ran (a pause probes with `source` itself). */
  private evaluateProbe(session: ConnectionSession): Promise<void> {
    return bestEffort(log, 'probe worker', () => session.send('Runtime.evaluate', { expression: this.lateSource }));
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
    // Both commands are sent at once: the worker runs them in order, and waiting for the
    // evaluation's answer before resuming is what an evaluation nested in a pause can block.
    const evaluation = session.send('Runtime.evaluate', { expression: this.source });
    const resumed = session.send('Debugger.resume');
    void Promise.allSettled([evaluation, resumed]).then(([e, r]) => {
      if (e.status === 'rejected') log('probe on pause failed: %s', String(e.reason));
      if (r.status === 'rejected') log('resume failed: %s', String(r.reason));
    });
  }

  private async attachPage(session: ConnectionSession): Promise<void> {
    // runImmediately also covers the document already there; no Runtime.evaluate while the
    // target waits for the debugger (with workers that crashed the renderer, see below).
    await bestEffort(log, 'addBinding', () => session.send('Runtime.addBinding', { name: this.binding }));
    await bestEffort(log, 'Runtime.enable', () => session.send('Runtime.enable'));
    await bestEffort(log, 'Page.enable', () => session.send('Page.enable'));
    await bestEffort(log, 'addScript', () => session.send('Page.addScriptToEvaluateOnNewDocument', { source: this.source, runImmediately: true }));
    await this.resume(session);
  }

  /** Bindings reach a worker only with Runtime enabled: without it a restarted worker's reports vanish. */
  private async enableRuntime(session: ConnectionSession): Promise<void> {
    await bestEffort(log, 'addBinding', () => session.send('Runtime.addBinding', { name: this.binding }));
    await bestEffort(log, 'Runtime.enable', () => session.send('Runtime.enable'));
  }

  private async attachHeldWorker(session: ConnectionSession, url: string): Promise<void> {
    await this.enableRuntime(session);
    // The breakpoint goes in BEFORE resuming, so the worker's first start pauses before sw.js
    // like every restart, and onPaused probes it there. No evaluation between resuming and
    // that pause: until the worker has loaded its script, Chromium kills the whole renderer
    // (pages included) on a `self.location` read (CHECK(url_.IsValid()) in WorkerGlobalScope).
    const sessionId = session.sessionId!;
    const start: Starting = { url, compiled: false, probed: false };
    this.starting.set(sessionId, start);
    await this.breakBeforeEveryScript(session);
    // A service worker does not wait for every client that asked to hold it: Playwright's own
    // auto-attach resumes it at once, so its script can compile before the breakpoint is in
    // (Debugger.enable then reports the script, and no pause comes). A compiled script means
    // the worker has its URL: probe now.
    const missedThePause = start.compiled && !start.probed;
    this.starting.delete(sessionId);
    await this.resume(session);
    log('worker %s: %s', url, missedThePause ? 'already ran its script, probed now' : 'probed at its first pause');
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
    await bestEffort(log, 'instrumentation breakpoint', () => session.send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptExecution' }));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const link = this.link;
    if (link) {
      const root = link.connection.root;
      await bestEffort(log, 'stop auto-attach', () => root.send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false, flatten: true }));
      for (const session of [...this.targets.values()]) await session.detach();
      for (const off of this.offs) off();
      await bestEffort(log, 'close the browser link', () => link.close());
    }
    for (const d of this.disposables) await bestEffort(log, 'dispose init script/binding', () => d.dispose());
    this.targets.clear();
    this.listeners.clear();
  }
}
