/**
 * Installs the probe into every page and service worker of a context, including a worker
 * restarted after `ServiceWorker.stopAllWorkers` or started by the browser only to deliver
 * the completion event, and always BEFORE the app's own script runs:
 *
 * - Workers: browser-level auto-attach with waitForDebuggerOnStart; on attach, add the report
 *   binding, set an instrumentation breakpoint `beforeScriptExecution`, resume. The worker then
 *   pauses before sw.js and the probe is evaluated there (or at once, if another client had
 *   already let its script start: see onAttached). A stopped worker keeps its DevTools
 *   session, but its restart is not paused for the debugger: the same breakpoint (session state
 *   survives the restart) stops it before sw.js runs, so the probe is evaluated again there.
 * - Pages (Playwright): context.addInitScript + exposeBinding. Pages (raw connection):
 *   auto-attach pages too and use Page.addScriptToEvaluateOnNewDocument.
 */
import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { PlaywrightCdpSession } from '../cdp/session.js';
import type { CriClientLike } from '../cdp/session.js';
import { settleAll } from '../util/settle.js';
import { bestEffort, debug } from '../util/debug.js';
import { CriChannel, TunnelChannel, type RawChannel } from './channel.js';
import { probeScript } from './probe-script.js';
import type { ProbeRecord } from './types.js';

const log = debug('bgprobe:probes');

interface Disposable {
  dispose(): Promise<void>;
}

export class ProbeInstaller {
  private readonly binding = `__bgprobeReport_${randomBytes(6).toString('hex')}`;
  private readonly source: string;
  /** The same probe for a worker whose script already ran: it cannot count the app's listeners. */
  private readonly lateSource: string;
  private listeners = new Set<(r: ProbeRecord) => void>();
  private channel: RawChannel | null = null;
  private sessions = new Set<string>();
  /**
   * Workers attached before their start, only while onAttached sets their breakpoint: has one
   * compiled its script (`url`) yet, been probed at a pause yet.
   */
  private starting = new Map<string, { url: string; compiled: boolean; probed: boolean }>();
  private disposables: Disposable[] = [];
  private readonly cleanups: Array<() => Promise<void>> = [];
  private offs: Array<() => void> = [];
  private disposed = false;
  /** Why some probes could not be installed (shown in reports, never thrown). */
  readonly warnings: string[] = [];

  private constructor(
    private readonly openChannel: () => Promise<RawChannel | null>,
    private readonly pagesVia: 'playwright' | 'raw',
    private readonly context: BrowserContext | null,
    private readonly browserContextId: string | null,
  ) {
    this.source = probeScript(this.binding);
    this.lateSource = probeScript(this.binding, { afterAppScript: true });
  }

  static async overPlaywright(context: BrowserContext, observerPage: Page): Promise<ProbeInstaller> {
    const pageSession = new PlaywrightCdpSession(await context.newCDPSession(observerPage));
    const { targetInfo } = await pageSession.send('Target.getTargetInfo');
    const browser = context.browser();
    let installer: ProbeInstaller;
    const open = async (): Promise<RawChannel | null> => {
      if (!browser) {
        await pageSession.detach();
        return null;
      }
      const browserSession = await browser.newBrowserCDPSession();
      // Kept until dispose: the exposed channel is not promised to outlive the session that made it.
      installer.cleanups.push(() => browserSession.detach());
      return TunnelChannel.open(observerPage, pageSession, async (targetId, bindingName) => {
        await browserSession.send('Target.exposeDevToolsProtocol', { targetId, bindingName });
      });
    };
    installer = new ProbeInstaller(open, 'playwright', context, targetInfo.browserContextId ?? null);
    return installer;
  }

  static overConnection(client: CriClientLike, browserContextId: string | null): ProbeInstaller {
    return new ProbeInstaller(async () => new CriChannel(client), 'raw', null, browserContextId);
  }

  /** True once service workers are auto-attached (their events, updateUI, records). */
  get hasWorkerProbes(): boolean {
    return this.channel !== null && !this.disposed;
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
      return;
    }
    for (const rec of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!rec || typeof rec !== 'object') continue;
      for (const l of [...this.listeners]) l(rec);
    }
  }

  private async startPages(ctx: BrowserContext): Promise<void> {
    const exposed = await ctx.exposeBinding(this.binding, (_source, payload: string) => this.deliver(payload));
    if (exposed && typeof (exposed as Disposable).dispose === 'function') this.disposables.push(exposed as Disposable);
    const script = await ctx.addInitScript({ content: this.source });
    if (script && typeof (script as Disposable).dispose === 'function') this.disposables.push(script as Disposable);
    // Pages already open got no init script: install into their current document too.
    await Promise.all(ctx.pages().map((p) => bestEffort(log, 'probe existing page', () => p.evaluate(this.source))));
  }

  async start(): Promise<void> {
    // The page probes (Playwright) and the worker channel are independent: side by side.
    const pages = this.pagesVia === 'playwright' && this.context ? this.startPages(this.context) : Promise.resolve();
    const channel = this.openChannel().then(
      (ch) => {
        this.channel = ch;
      },
      (e: unknown) => {
        this.warnings.push(`service-worker probes unavailable: ${e instanceof Error ? e.message : String(e)}`);
        log(this.warnings[this.warnings.length - 1]);
      },
    );
    await settleAll([pages, channel]);
    if (!this.channel) {
      if (!this.warnings.length) this.warnings.push('service-worker probes unavailable: no browser-level CDP session (persistent context?)');
      return;
    }
    const ch = this.channel;
    this.offs.push(ch.onEvent((method, params, sessionId) => this.onEvent(method, params, sessionId)));
    const filter = [{ type: 'service_worker' }, ...(this.pagesVia === 'raw' ? [{ type: 'page' }] : [])];
    await ch.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true, filter });
  }

  private onEvent(method: string, params: Record<string, unknown>, sessionId: string | undefined): void {
    const ch = this.channel;
    if (!ch || this.disposed) return;
    if (method === 'Target.attachedToTarget') {
      void this.onAttached(ch, params as never);
    } else if (method === 'Target.detachedFromTarget') {
      this.sessions.delete(params['sessionId'] as string);
    } else if (method === 'Debugger.scriptParsed' && sessionId) {
      // Its own script, not any script: another client's evaluation can carry a sourceURL.
      const start = this.starting.get(sessionId);
      if (start && params['url'] === start.url) start.compiled = true;
    } else if (method === 'Runtime.bindingCalled' && sessionId && this.sessions.has(sessionId)) {
      if (params['name'] === this.binding) this.deliver(params['payload'] as string);
    } else if (method === 'Debugger.paused' && sessionId && this.sessions.has(sessionId)) {
      log('paused %s in %s', params['reason'], JSON.stringify(params['data']));
      const script = (params['data'] as { url?: string } | undefined)?.url;
      if (!script) {
        // A script without a URL: an evaluation, ours included (the breakpoint stops those too),
        // or not our breakpoint at all (a `debugger;` statement). Only resume: probing at an
        // evaluation would be one more evaluation to stop at, again and again (measured: a
        // worker being stopped mid-pause turned that into an endless loop).
        void ch.send('Debugger.resume', {}, sessionId).catch((e: unknown) => log('resume failed: %s', String(e)));
        return;
      }
      // The worker is about to run one of its scripts (sw.js on a start or restart, or an
      // importScripts): probe first, then go on.
      const start = this.starting.get(sessionId);
      if (start) start.probed = true;
      // Both commands are sent at once: the worker runs them in order, and waiting for the
      // evaluation's answer before resuming is what an evaluation nested in a pause can block.
      const evaluation = ch.send('Runtime.evaluate', { expression: this.source }, sessionId);
      const resumed = ch.send('Debugger.resume', {}, sessionId);
      void Promise.allSettled([evaluation, resumed]).then(([e, r]) => {
        if (e.status === 'rejected') log('probe on pause failed: %s', String(e.reason));
        if (r.status === 'rejected') log('resume failed: %s', String(r.reason));
      });
    }
  }

  private async onAttached(
    ch: RawChannel,
    ev: { sessionId: string; waitingForDebugger: boolean; targetInfo: { type: string; url: string; browserContextId?: string } },
  ): Promise<void> {
    const { sessionId, targetInfo } = ev;
    const resume = () => bestEffort(log, 'runIfWaitingForDebugger', () => ch.send('Runtime.runIfWaitingForDebugger', {}, sessionId));
    if (this.browserContextId && targetInfo.browserContextId && targetInfo.browserContextId !== this.browserContextId) {
      // Another context's worker: let it run and leave it alone.
      await resume();
      await bestEffort(log, 'detach foreign', () => ch.send('Target.detachFromTarget', { sessionId }));
      return;
    }
    this.sessions.add(sessionId);
    log('attached %s %s (waiting=%s)', targetInfo.type, targetInfo.url, ev.waitingForDebugger);
    await bestEffort(log, 'addBinding', () => ch.send('Runtime.addBinding', { name: this.binding }, sessionId));
    if (targetInfo.type === 'page') {
      // runImmediately also covers the document already there; no Runtime.evaluate while the
      // target waits for the debugger (with workers that crashed the renderer, see below).
      await bestEffort(log, 'Runtime.enable', () => ch.send('Runtime.enable', {}, sessionId));
      await bestEffort(log, 'Page.enable', () => ch.send('Page.enable', {}, sessionId));
      await bestEffort(log, 'addScript', () => ch.send('Page.addScriptToEvaluateOnNewDocument', { source: this.source, runImmediately: true }, sessionId));
      await resume();
      return;
    }
    // Without Runtime enabled, a restarted worker gets no binding (measured): its reports vanish.
    await bestEffort(log, 'Runtime.enable', () => ch.send('Runtime.enable', {}, sessionId));
    if (ev.waitingForDebugger) {
      // The breakpoint goes in BEFORE resuming, so the worker's first start pauses before sw.js
      // like every restart, and onEvent's Debugger.paused probes it there. No evaluation between
      // resuming and that pause: until the worker has loaded its script, Chromium 150 kills the
      // whole renderer (pages included) on a `self.location` read (CHECK(url_.IsValid()) in
      // WorkerGlobalScope, SIGTRAP, nothing logged; found in the minidumps of the e2e suite's
      // "Target crashed", reproduced every time with a script body that arrives late).
      const start = { url: targetInfo.url, compiled: false, probed: false };
      this.starting.set(sessionId, start);
      await this.breakBeforeEveryScript(ch, sessionId);
      // Measured: a service worker does not wait for every client that asked to hold it.
      // Playwright's own auto-attach resumes it at once, and over the slower Playwright tunnel
      // its script can compile before the breakpoint is in (Debugger.enable then reports the
      // script, and no pause comes). A compiled script means the worker has its URL: probe now.
      const missedThePause = start.compiled && !start.probed;
      this.starting.delete(sessionId);
      await resume();
      log('worker %s: %s', targetInfo.url, missedThePause ? 'already ran its script, probed now' : 'probed at its first pause');
      if (missedThePause) await bestEffort(log, 'probe worker', () => ch.send('Runtime.evaluate', { expression: this.lateSource }, sessionId));
      return;
    }
    // Attached to a worker that already runs (it started before recording did): probe it now,
    // then break before every restart. In this order, the breakpoint does not pause our own
    // evaluation (as it does the one above, which the pause handler then only resumes).
    await resume();
    await bestEffort(log, 'probe worker', () => ch.send('Runtime.evaluate', { expression: this.lateSource }, sessionId));
    await this.breakBeforeEveryScript(ch, sessionId);
  }

  /**
   * From here on the worker stops before every script it runs: sw.js on each (re)start,
   * stopAllWorkers and a start just to deliver the completion event included, and each
   * importScripts (the probe is then a no-op). Session state survives the restarts.
   */
  private async breakBeforeEveryScript(ch: RawChannel, sessionId: string): Promise<void> {
    await bestEffort(log, 'Debugger.enable', () => ch.send('Debugger.enable', {}, sessionId));
    await bestEffort(log, 'instrumentation breakpoint', () =>
      ch.send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptExecution' }, sessionId),
    );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const ch = this.channel;
    if (ch) {
      await bestEffort(log, 'stop auto-attach', () => ch.send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false, flatten: true }));
      for (const sessionId of this.sessions) {
        await bestEffort(log, 'detach worker', () => ch.send('Target.detachFromTarget', { sessionId }));
      }
      await ch.close();
    }
    for (const off of this.offs) off();
    for (const d of this.disposables) await bestEffort(log, 'dispose init script/binding', () => d.dispose());
    for (const c of this.cleanups) await bestEffort(log, 'detach browser session', c);
    this.sessions.clear();
    this.listeners.clear();
  }
}
