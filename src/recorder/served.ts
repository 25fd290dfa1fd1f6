/**
 * The evidence join (DESIGN's "evidence"): a fetch timeline (recorder + probes) plus what the fixture server saw
 * for each of its requests. Chromium's download service fetches in the browser process, so
 * these requests never show up in Playwright's request events: the server log is the only
 * view of what crossed the wire (bytes actually sent, a cut connection, a Range header).
 */
import type { ServedRequest } from '../server/index.js';
import { timelineStart, type FetchTimeline, type ServedView } from './timeline.js';

/** Anything with a request log: the FixtureServer, or a user's own server adapter. */
export interface ServedSource {
  requests(): readonly ServedRequest[];
}

/** The server's view of one request, as timelines and reports show it. */
export function servedView(s: ServedRequest): ServedView {
  return {
    method: s.method,
    url: s.url,
    status: s.status,
    bytesSent: s.bytesSent,
    bytesReceived: s.bytesReceived,
    cut: s.cut,
    range: s.headers.range,
    startedAt: s.startedAt,
    completedAt: s.completedAt,
  };
}

/** Requests are matched by absolute URL, within the fetch's time window. */
export function joinServed(timeline: FetchTimeline, served: readonly ServedRequest[], skewMs = 2_000): FetchTimeline {
  const from = timelineStart(timeline) - skewMs;
  const to = (timeline.completedAt ?? Infinity) + skewMs;
  const requests = timeline.requests.map((r) => {
    const views = served.filter((s) => s.url === r.url && s.startedAt >= from && s.startedAt <= to).map(servedView);
    return { ...r, served: views };
  });
  return { ...timeline, requests };
}
