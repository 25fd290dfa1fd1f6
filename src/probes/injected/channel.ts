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
  now,
  pageHidden,
  reflectApply,
  stringify,
  type Global,
} from './natives.js';

const PROGRESS_FLUSH_MS = 250;
const PROGRESS_BATCH_MAX = 64;

type Send = (payload: string) => void;

export class Channel {
  private sendRef: Send | null = null;
  private queue: WireRecord[] = [];
  private timer: number | null = null;
  private lastSend = -Infinity;

  constructor(
    private readonly g: Global,
    private readonly binding: string,
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
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.lastSend = mono();
    this.take();
    try {
      this.sendRef?.(stringify(batch.length === 1 ? batch[0] : batch));
    } catch {
      // As above.
    }
  }

  report(rec: WireRecord): void {
    try {
      if (!rec.at) rec.at = now();
      this.queue[this.queue.length] = rec;
      if (rec.kind !== 'progress' || rec.result || !hasTimers || isWorker || pageHidden() || this.queue.length >= PROGRESS_BATCH_MAX)
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
