/**
 * The recorder's data: de-duplicated, normalised events of every service plus the fetch
 * timelines and probe records. Live recorders and imported DevTools files share it.
 */
import type { FetchCallRecord, ProbeRecord } from '../probes/types.js';
import { EventEmitter } from 'node:events';
import { listen } from '../util/events.js';
import { normaliseEvent, type NormalisedEvent, type RawBackgroundServiceEvent } from './normalise.js';
import type { ServiceName } from './services.js';
import { parseDevToolsJson, toDevToolsJsonText } from './devtools-json.js';
import { TimelineStore, type FetchTimeline } from './timeline.js';
import { joinServed, type ServedSource } from './served.js';

export interface EventFilter {
  service?: ServiceName | readonly ServiceName[];
  name?: string | RegExp;
  instanceId?: string;
  origin?: string;
  since?: number;
}

export type RecordingEvents = {
  /** A new (not replay-duplicated) event, normalised. */
  event: [NormalisedEvent];
  /** A background fetch's timeline changed (CDP event or probe record). */
  fetch: [FetchTimeline];
  probe: [ProbeRecord];
};

export class Recording extends EventEmitter<RecordingEvents> {
  protected readonly seen = new Set<string>();
  protected readonly list: NormalisedEvent[] = [];
  protected readonly store = new TimelineStore();
  /** How many replayed copies were dropped. */
  duplicatesDropped = 0;
  /** A server log to join each request with what crossed the wire (the FixtureServer). */
  protected served: ServedSource | null = null;

  /** Join every timeline's requests with this server's log from now on. */
  joinServer(source: ServedSource | null): void {
    this.served = source;
  }

  protected withServed(t: FetchTimeline): FetchTimeline {
    return this.served ? joinServed(t, this.served.requests()) : t;
  }

  /** Ingest one raw event; returns the normalised event, or null when it was a duplicate. */
  ingest(raw: RawBackgroundServiceEvent): NormalisedEvent | null {
    const e = normaliseEvent(raw);
    if (this.seen.has(e.key)) {
      this.duplicatesDropped++;
      return null;
    }
    this.seen.add(e.key);
    this.list.push(e);
    this.publish('event', e);
    if (e.service === 'backgroundFetch') {
      const key = this.store.add(e);
      // Building a timeline snapshot costs: only when someone listens (waitForFetch, matchers).
      if (this.listenerCount('fetch') > 0) {
        const t = this.store.get(key);
        if (t) this.publish('fetch', this.withServed(t));
      }
    }
    return e;
  }

  ingestProbe(record: ProbeRecord): void {
    this.store.addProbe(record);
    this.publish('probe', record);
    if (this.listenerCount('fetch') > 0) {
      for (const t of this.store.byId(record.id)) this.publish('fetch', this.withServed(t));
    }
  }

  /** on(), returning the function that unsubscribes: an owner keeps every handle it takes. */
  protected subscribe<K extends keyof RecordingEvents>(event: K, listener: (...args: RecordingEvents[K]) => void): () => void {
    return listen<RecordingEvents, K>(this, event, listener);
  }

  /**
   * emit(), except that a listener that throws neither stops the others nor unwinds the
   * ingest path (the CDP event dispatch): its error surfaces as an uncaught exception, as a
   * throw in a timer callback would.
   */
  private publish<K extends keyof RecordingEvents>(event: K, ...args: RecordingEvents[K]): void {
    for (const listener of this.rawListeners(event) as Array<(...a: RecordingEvents[K]) => void>) {
      try {
        listener.apply(this, args);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  events(filter: EventFilter = {}): NormalisedEvent[] {
    const services = filter.service === undefined ? null : new Set(typeof filter.service === 'string' ? [filter.service] : filter.service);
    return this.list
      .filter(
        (e) =>
          (!services || services.has(e.service)) &&
          (filter.name === undefined || (typeof filter.name === 'string' ? e.name === filter.name : filter.name.test(e.name))) &&
          (filter.instanceId === undefined || e.instanceId === filter.instanceId) &&
          (filter.origin === undefined || e.origin.replace(/\/$/, '') === filter.origin.replace(/\/$/, '')) &&
          (filter.since === undefined || e.at >= filter.since),
      )
      .sort((a, b) => a.at - b.at);
  }

  /** Every background fetch timeline, in the order first seen. */
  fetches(): FetchTimeline[] {
    return this.store.all().map((t) => this.withServed(t));
  }

  /** The latest timeline of a developer id (undefined if none yet). */
  fetch(id: string): FetchTimeline | undefined {
    const all = this.store.byId(id);
    const last = all[all.length - 1];
    return last && this.withServed(last);
  }

  /** Why there is no timeline for `id`: what timeout errors and matchers print instead of one. */
  describeMissing(id: string): string {
    const call = [...this.probeRecords()].reverse().find((p): p is FetchCallRecord => p.kind === 'fetch-call' && p.id === id);
    if (call && !call.ok)
      return `fetch("${id}") was called in the ${call.context} and rejected: ${call.error?.name}: ${call.error?.message}`;
    const ids = [...new Set(this.fetches().map((t) => t.id))];
    return (
      `Nothing was recorded for "${id}": no "Background Fetch registered" event. Did fetch() reject, or did the app use another id?` +
      (ids.length ? `\nRecorded ids: ${ids.map((i) => JSON.stringify(i)).join(', ')}` : '\nNo background fetch was recorded.')
    );
  }

  probeRecords(): readonly ProbeRecord[] {
    return this.store.probeRecords();
  }

  /** What DevTools' "Save events" writes for this service: the raw events, 2-space JSON. */
  toDevToolsJson(service: ServiceName = 'backgroundFetch'): string {
    return toDevToolsJsonText(this.events({ service }).map((e) => e.raw));
  }

  /** Read a DevTools export (or `bgprobe record --out`) back; throws InputFormatError when malformed. */
  static fromDevToolsJson(text: string, source?: string): Recording {
    const events = parseDevToolsJson(text, source);
    const r = new Recording();
    for (const e of events) r.ingest(e);
    return r;
  }
}
