/**
 * Browser side. The probe's way out: the `Runtime.addBinding` function bgprobe's own CDP session
 * put on the global, taken and deleted before the app's first script (so the app can neither
 * see nor call it), plus the batching of progress samples.
 *
 * Progress samples come by the hundred per fetch, and every binding call costs the browser and
 * the driver a round of work that the download competes with. So a sample after a quiet spell
 * goes at once, and the ones that follow within PROGRESS_FLUSH_MS go together at its end (each
 * keeps its own time). Any other record, the last sample of a fetch (result set) and the page
 * being hidden, frozen or unloaded send what is queued at once, in order. Not batched: workers
 * (they can be stopped at any moment and see few samples) and hidden pages (their timers are
 * throttled to a second or more).
 */
import type { ProbeRecord as WireRecord } from '../types.js';
import {
  addListener,
  cancel,
  deleteProperty,
  hasTimers,
  isWorker,
  later,
  mono,
  pageHidden,
  reflectApply,
  toJsonOwn,
  type Global,
} from './natives.js';

const PROGRESS_FLUSH_MS = 250;
const PROGRESS_BATCH_MAX = 64;

type Send = (payload: string) => void;

export class Channel {
  private sendRef: Send | null = null;
  /**
   * What waits to be sent, already serialized (so nothing the app does later can change a
   * record), joined by commas: a string, not an array, so no Array.prototype setter or method
   * of the app's is ever handed a record.
   */
  private queue = '';
  private queued = 0;
  private timer: number | null = null;
  private lastSend = -Infinity;

  constructor(
    private readonly g: Global,
    private readonly binding: string,
    private readonly seal: string,
  ) {
    this.take();
    if (!isWorker && addListener) this.flushOnHide();
  }

  /**
   * The binding, taken off the global. A worker paused before its script may not have it yet:
   * looked for again at each report until found.
   */
  private take(): void {
    if (this.sendRef) return;
    let fn: unknown;
    try {
      fn = this.g[this.binding];
      deleteProperty(this.g, this.binding);
    } catch {
      return;
    }
    if (typeof fn === 'function') this.sendRef = (payload) => reflectApply(fn as Send, undefined, [payload]);
  }

  private flushOnHide(): void {
    const flush = () => this.flush();
    try {
      reflectApply(addListener!, this.g, ['pagehide', flush, true]);
      reflectApply(addListener!, this.g, ['visibilitychange', () => pageHidden() && flush(), true]);
      const doc = this.g['document'];
      if (doc) reflectApply(addListener!, doc, ['freeze', flush, true]);
    } catch {
      // Nothing to tell inside the app: a failure to observe must never become the app's.
    }
  }

  flush(): void {
    if (this.timer !== null) {
      cancel(this.timer);
      this.timer = null;
    }
    if (!this.queued) return;
    const payload = this.queued === 1 ? `${this.seal}${this.queue}` : `${this.seal}[${this.queue}]`;
    this.queue = '';
    this.queued = 0;
    this.lastSend = mono();
    this.take();
    try {
      this.sendRef?.(payload);
    } catch {
      // As above.
    }
  }

  /** `rec` is the probe's own object, with every field its own data property (see Probe.report). */
  report(rec: WireRecord): void {
    try {
      const json = toJsonOwn(rec);
      if (json === undefined) return;
      this.queue = this.queued ? `${this.queue},${json}` : json;
      this.queued += 1;
      if (rec.kind !== 'progress' || rec.result || !hasTimers || isWorker || pageHidden() || this.queued >= PROGRESS_BATCH_MAX)
        return this.flush();
      if (this.timer !== null) return;
      const since = mono() - this.lastSend;
      if (!(since >= 0 && since < PROGRESS_FLUSH_MS)) return this.flush();
      this.timer = later(() => this.flush(), PROGRESS_FLUSH_MS - since);
    } catch {
      // As above.
    }
  }
}
