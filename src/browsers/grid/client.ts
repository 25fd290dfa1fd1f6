/**
 * The Selenium Grid's HTTP API, the part bgprobe needs: `/status` (nodes, their slots and
 * stereotypes, the sessions in them), `POST /session`, `DELETE /session/<id>`. Measured on Grid
 * 4.20 and 4.48 (shared/reference/background-services.md, section F):
 * - `POST /session` refuses plain `application/json`: the body must be sent as
 *   `application/json; charset=utf-8`.
 * - A request no slot can take now waits in the Grid's queue, with no answer until a slot
 *   frees or the hub's own --session-request-timeout (5 minutes by default) ends it. bgprobe
 *   stops waiting at its own deadline but keeps the request open: if a session is handed out
 *   after all, it is deleted at once instead of idling on a node until the node's
 *   session-timeout.
 * Every call has a deadline; a Grid that does not answer is one clear line, never a hang.
 */
import { BgprobeError, UsageError } from '../../errors.js';
import { bestEffort, debug } from '../../util/debug.js';

const log = debug('bgprobe:grid');

/** How long /status and DELETE may take. */
const REQUEST_MS = 10_000;

export interface GridSessionSummary {
  sessionId: string;
  /** The node's URI, e.g. http://10.0.0.5:5555. */
  uri: string;
  capabilities: Record<string, unknown>;
}

export interface GridSlotStatus {
  stereotype: Record<string, unknown>;
  session: GridSessionSummary | null;
}

export interface GridNode {
  id: string;
  uri: string;
  /** UP, DOWN, DRAINING. */
  availability: string;
  slots: GridSlotStatus[];
}

export interface GridStatus {
  ready: boolean;
  message: string;
  nodes: GridNode[];
}

/** A session the Grid handed out. */
export interface GridSessionInfo {
  sessionId: string;
  capabilities: Record<string, unknown>;
  /** `se:cdp`: the Grid's WebSocket proxy to the browser's DevTools endpoint. */
  seCdp: string;
  browserVersion: string;
}

/** The Grid answered, but not with a session (no matching slot, the driver failed, the queue timed out). */
export class GridSessionError extends BgprobeError {
  override name = 'GridSessionError';
  constructor(
    message: string,
    /** The request waited in the queue until bgprobe's deadline (not worth asking again at once). */
    readonly queued = false,
  ) {
    super(message);
  }
}

/** A Grid URL as given (`--grid`, BGPROBE_GRID_URL): http(s), no trailing slash, no credentials; bad input is a UsageError. */
export function parseGridUrl(raw: string): string {
  return gridEndpoint(raw).url;
}

/**
 * The Grid's URL without credentials (what messages and the report show) and, for a cloud
 * Grid given as https://user:key@host/wd/hub, the Basic authorization its requests carry
 * (fetch refuses a URL with credentials in it).
 */
export function gridEndpoint(raw: string): { url: string; authorization: string | null } {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new UsageError(
      `Invalid --grid URL "${raw.replace(/\/\/[^@/]*@/, '//')}": expected http://host:port of a Selenium Grid (e.g. http://127.0.0.1:4444).`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `Invalid --grid URL "${url.protocol}//${url.host}": a Selenium Grid is reached over http(s), e.g. http://127.0.0.1:4444.`,
    );
  }
  const authorization = url.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    : null;
  // A Grid behind a path prefix (--sub-path) keeps it; /wd/hub is the old Grid 3 suffix, still served.
  return { url: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, authorization };
}

/** A field of the Grid's JSON as text (the Grid is another program: its fields are checked, not trusted). */
export const gridText = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : v === undefined || v === null
      ? ''
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);

/** Basic authorizations of the Grids given with credentials, by their URL without them. */
const authorizations = new Map<string, string>();

const message = (e: unknown) => (e instanceof Error ? (e.cause instanceof Error ? e.cause.message : '') || e.message : String(e));

export class GridClient {
  /** Without credentials: what messages and the report show. */
  readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(url: string) {
    const endpoint = gridEndpoint(url);
    this.url = endpoint.url;
    // Credentials are given once (--grid https://user:key@...) and kept here, never in a spec or a report.
    const authorization = endpoint.authorization ?? authorizations.get(endpoint.url) ?? null;
    if (authorization) authorizations.set(endpoint.url, authorization);
    this.headers = authorization ? { Authorization: authorization } : {};
  }

  /** What a request to this Grid carries besides its body (the exit guard's DELETE needs it too). */
  get requestHeaders(): Record<string, string> {
    return { ...this.headers };
  }

  /** GET /status. A Grid that cannot be reached or does not speak Grid is a UsageError: the URL is the user's input. */
  async status(timeout = REQUEST_MS): Promise<GridStatus> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/status`, { headers: this.headers, signal: AbortSignal.timeout(timeout) });
    } catch (e) {
      const why = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${timeout} ms` : message(e);
      throw new UsageError(
        `Cannot reach a Selenium Grid at ${this.url} (${why}). Start one with \`make grid\` or pass --grid http://host:4444.`,
      );
    }
    const body = await res.text();
    const value = parseValue(body);
    if (!res.ok || !value || !Array.isArray(value['nodes'])) {
      throw new UsageError(
        `${this.url} is not a Selenium Grid 4: GET /status answered ${res.status} ${JSON.stringify(body.slice(0, 120))}.`,
      );
    }
    return {
      ready: value['ready'] === true,
      message: gridText(value['message']),
      nodes: (value['nodes'] as Array<Record<string, unknown>>).map(toNode),
    };
  }

  /**
   * POST /session with W3C `alwaysMatch` capabilities. Waits at most `timeout` ms (a full Grid
   * queues the request); after that, a session that still comes is deleted on arrival.
   */
  async newSession(capabilities: Record<string, unknown>, options: { timeout: number }): Promise<GridSessionInfo> {
    const request = this.post('/session', { capabilities: { alwaysMatch: capabilities } });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), options.timeout)));
    const first = await Promise.race([request, late]).finally(() => clearTimeout(timer));
    if (first === 'late') {
      void request.then(
        (r) => {
          const id = sessionOf(r)?.sessionId;
          if (id) return bestEffort(log, `delete the session ${id} that came after bgprobe stopped waiting`, () => this.deleteSession(id));
        },
        () => undefined,
      );
      throw new GridSessionError(
        `The Grid at ${this.url} handed out no session within ${options.timeout / 1000} s: every matching slot stayed busy (the request waited in its queue).`,
        true,
      );
    }
    const session = sessionOf(first);
    if (!session) throw new GridSessionError(`The Grid at ${this.url} did not start a session: ${gridError(first)}`);
    return session;
  }

  /** DELETE /session/<id>: quits the browser and frees the slot. A session already gone is not an error. */
  async deleteSession(sessionId: string): Promise<void> {
    const res = await fetch(`${this.url}/session/${encodeURIComponent(sessionId)}`, {
      method: 'DELETE',
      headers: this.headers,
      signal: AbortSignal.timeout(REQUEST_MS),
    });
    await res.text();
  }

  /**
   * Whether the session still answers a WebDriver command (one chromedriver answers without
   * the browser). It is also activity: a session driven only over se:cdp looks idle to its node.
   * False when the Grid says the session is gone or its node cannot be reached; the Grid's own
   * silence (no answer within the deadline) is an error, not a verdict.
   */
  async alive(sessionId: string, timeout = REQUEST_MS): Promise<boolean> {
    const res = await fetch(`${this.url}/session/${encodeURIComponent(sessionId)}/timeouts`, {
      headers: this.headers,
      signal: AbortSignal.timeout(timeout),
    });
    await res.text();
    return res.ok;
  }

  /** The node a session runs on (its URI), from /status; null when the Grid no longer lists it. */
  async nodeOf(sessionId: string): Promise<GridSessionSummary | null> {
    const status = await this.status();
    for (const node of status.nodes) for (const slot of node.slots) if (slot.session?.sessionId === sessionId) return slot.session;
    return null;
  }

  private async post(path: string, body: unknown): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { ...this.headers, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.text() };
  }
}

function parseValue(body: string): Record<string, unknown> | null {
  try {
    const v = (JSON.parse(body) as { value?: unknown }).value;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sessionOf(r: { status: number; body: string }): GridSessionInfo | null {
  const v = parseValue(r.body);
  if (r.status !== 200 || !v || typeof v['sessionId'] !== 'string') return null;
  const capabilities = (v['capabilities'] ?? {}) as Record<string, unknown>;
  const seCdp = capabilities['se:cdp'];
  if (typeof seCdp !== 'string') return null;
  return {
    sessionId: v['sessionId'],
    capabilities,
    seCdp,
    browserVersion: gridText(capabilities['browserVersion'] ?? capabilities['se:cdpVersion']),
  };
}

/** The Grid's own words for a refused session, on one line. */
function gridError(r: { status: number; body: string }): string {
  const v = parseValue(r.body);
  if (v && typeof v['sessionId'] === 'string')
    return 'the session has no se:cdp (CDP is off on the node: --enable-cdp false), which bgprobe needs to record.';
  const text = typeof v?.['message'] === 'string' ? v['message'] : r.body;
  return `${r.status} ${text.split('\n')[0]?.slice(0, 300) ?? ''}`;
}

function toNode(n: Record<string, unknown>): GridNode {
  const slots = Array.isArray(n['slots']) ? (n['slots'] as Array<Record<string, unknown>>) : [];
  return {
    id: gridText(n['id']),
    uri: gridText(n['uri']),
    availability: gridText(n['availability']),
    slots: slots.map((s) => {
      const session = s['session'] as Record<string, unknown> | null;
      return {
        stereotype: (s['stereotype'] ?? {}) as Record<string, unknown>,
        session: session
          ? {
              sessionId: gridText(session['sessionId']),
              uri: gridText(session['uri']),
              capabilities: (session['capabilities'] ?? {}) as Record<string, unknown>,
            }
          : null,
      };
    }),
  };
}
