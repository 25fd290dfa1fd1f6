/**
 * The fixture server's request log: one entry per request, created when the request starts
 * and completed when its response ends (finished, cut by us, or abandoned by the client).
 *
 * The log is what lets a test join "what the browser says it fetched" with "what actually
 * crossed the wire", so entries record the wire facts (body bytes written, whether the body
 * was cut and by whom) rather than what the handler intended to send.
 */

/** The request headers that matter for Background Fetch evidence; null when absent. */
export interface ServedRequestHeaders {
  range: string | null;
  ifRange: string | null;
  contentType: string | null;
  userAgent: string | null;
  origin: string | null;
}

export interface ServedRequest {
  /** Increasing from 1 for the server's lifetime (not reset by clearLog). */
  id: number;
  method: string;
  /** Absolute: http://127.0.0.1:PORT/path?query */
  url: string;
  /** The raw (still percent-encoded) path, without the query. */
  path: string;
  headers: ServedRequestHeaders;
  /** The status sent; 0 while (or if) no response headers were sent. */
  status: number;
  /** Response body bytes handed to the socket (headers excluded). */
  bytesSent: number;
  /** Request body bytes read. */
  bytesReceived: number;
  /** ms since the epoch, with sub-millisecond fraction. */
  startedAt: number;
  /** ms since the epoch when the response ended; null while in flight. */
  completedAt: number | null;
  /** The server deliberately dropped the connection, or the client went away before the body ended. */
  cut: boolean;
  cutBy: 'server' | 'client' | null;
  /** The request carried a Range header (whether or not it was honoured). */
  rangeRequested: boolean;
  /** The decoded resource name for /res/<name>, else null. */
  resource: string | null;
}

export type RequestListener = (request: ServedRequest) => void;

export interface RequestFilter {
  /** A string matches the path exactly; a RegExp is tested against it. */
  path?: string | RegExp;
}

/** Date.now() with sub-millisecond resolution, monotonic within the process. */
export function timestamp(): number {
  return performance.timeOrigin + performance.now();
}

/** A copy that callers may keep or mutate without touching the live entry. */
export function snapshot(entry: ServedRequest): ServedRequest {
  return { ...entry, headers: { ...entry.headers } };
}

function matches(entry: ServedRequest, filter: RequestFilter | undefined): boolean {
  const path = filter?.path;
  if (path === undefined) return true;
  if (typeof path === 'string') return entry.path === path;
  // A global or sticky RegExp keeps lastIndex between calls; reset it so every entry is
  // tested from the start.
  path.lastIndex = 0;
  return path.test(entry.path);
}

export class RequestLog {
  // A Map keeps insertion (= start) order and drops its oldest key in O(1), which a plain
  // array with shift() would not at 10,000 entries.
  readonly #entries = new Map<number, ServedRequest>();
  readonly #listeners = new Set<RequestListener>();
  readonly #capacity: number;
  #nextId = 1;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Creates and records a live entry; the caller mutates it while the response runs. */
  begin(init: Omit<ServedRequest, 'id' | 'status' | 'bytesSent' | 'bytesReceived' | 'completedAt' | 'cut' | 'cutBy'>): ServedRequest {
    const entry: ServedRequest = {
      ...init,
      id: this.#nextId++,
      status: 0,
      bytesSent: 0,
      bytesReceived: 0,
      completedAt: null,
      cut: false,
      cutBy: null,
    };
    this.#entries.set(entry.id, entry);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    return entry;
  }

  /** Marks the entry completed and tells the listeners (each gets its own copy). */
  end(entry: ServedRequest, cutBy: 'server' | 'client' | null): void {
    if (entry.completedAt !== null) return;
    entry.completedAt = timestamp();
    entry.cut = cutBy !== null;
    entry.cutBy = cutBy;
    for (const listener of [...this.#listeners]) {
      try {
        listener(snapshot(entry));
      } catch (error) {
        // A throwing listener must not take the server (or the other listeners) down, but
        // silently swallowing it would hide test bugs: surface it as a process warning.
        const message = error instanceof Error ? error.message : String(error);
        process.emitWarning(`FixtureServer onRequest listener threw: ${message}`, 'FixtureServerWarning');
      }
    }
  }

  list(filter?: RequestFilter): ServedRequest[] {
    const out: ServedRequest[] = [];
    for (const entry of this.#entries.values()) {
      if (matches(entry, filter)) out.push(snapshot(entry));
    }
    return out;
  }

  subscribe(listener: RequestListener): () => void {
    // Wrap so that subscribing the same function twice gives two independent subscriptions.
    const wrapper: RequestListener = (request) => listener(request);
    this.#listeners.add(wrapper);
    return () => {
      this.#listeners.delete(wrapper);
    };
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** One line per request, for timeout messages: "#3 GET /res/a.mp3 -> 200, 1024 B (cut by client)". */
export function describeRequest(entry: ServedRequest): string {
  const state = entry.completedAt === null ? 'in flight' : entry.cut ? `cut by ${entry.cutBy ?? 'unknown'}` : 'complete';
  return `#${entry.id} ${entry.method} ${entry.path} -> ${entry.status}, ${entry.bytesSent} B (${state})`;
}
