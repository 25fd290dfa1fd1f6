/**
 * Handlers for the programmable routes: /res/<name> (generated bodies with faults) and
 * /upload (counts request bodies). The grammar lives in params.ts, the byte streaming in
 * body.ts; this file decides the status line and headers, which are what a Background Fetch
 * registration's outcome depends on.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { hashText, parseRange, pump } from './body.js';
import type { Exchange } from './exchange.js';
import { ResourceParamError } from '../errors.js';
import { parseResourceParams, parseUploadParams } from './params.js';
import type { ResourceSpec } from './params.js';
import { contentTypeFor } from './static.js';

const EXPOSED_HEADERS = 'Content-Length, Content-Range, Content-Type, Accept-Ranges, ETag';
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, OPTIONS';

function corsHeaders(enabled: boolean): OutgoingHttpHeaders {
  if (!enabled) return {};
  return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
}

/** Sends a complete small text (or JSON) response. */
export function sendText(
  ex: Exchange,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders = {},
  type = 'text/plain; charset=utf-8',
): void {
  const body = Buffer.from(text, 'utf8');
  const bodyless = hasNoBody(ex.req.method, status);
  ex.writeHead(status, {
    'Content-Type': type,
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    // The body may echo request text (an unknown parameter's name); never let it be sniffed as HTML.
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  if (!bodyless) ex.entry.bytesSent += body.length;
  ex.res.end(bodyless ? undefined : body);
}

/** Answers a CORS preflight: permissive when cors=1, a bare 204 (which fails it) when cors=0. */
function sendPreflight(ex: Exchange, cors: boolean): void {
  const headers: OutgoingHttpHeaders = { Allow: ALLOWED_METHODS, 'Content-Length': 0 };
  if (cors) {
    const requested = ex.req.headers['access-control-request-headers'];
    Object.assign(headers, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': ALLOWED_METHODS,
      // Echo what was asked for: '*' does not cover Authorization, and Range is only
      // safelisted for single ranges, so echoing is the permissive answer.
      'Access-Control-Allow-Headers': typeof requested === 'string' && requested !== '' ? requested : '*',
      'Access-Control-Max-Age': '600',
    });
    // Chromium's Private Network Access preflight asks before a public page may reach
    // 127.0.0.1; the fixture origin always agrees.
    if (ex.req.headers['access-control-request-private-network'] === 'true') {
      headers['Access-Control-Allow-Private-Network'] = 'true';
    }
  }
  ex.writeHead(204, headers);
  ex.res.end();
}

function sendParamError(ex: Exchange, error: ResourceParamError): void {
  // CORS on the 400 so a cross-origin page can read why its fixture URL was refused.
  sendText(ex, 400, `${error.message}\n`, corsHeaders(true));
}

function defaultEtag(name: string, size: number, seed: string): string {
  return `"${hashText(`${name}\u0000${size}\u0000${seed}`).toString(16).padStart(8, '0')}-${size.toString(16)}"`;
}

/** Strong comparison, as If-Range requires: weak tags never match. */
function sameStrongEtag(header: string, etag: string): boolean {
  return !header.startsWith('W/') && !etag.startsWith('W/') && header.trim() === etag;
}

function hasNoBody(method: string | undefined, status: number): boolean {
  return method === 'HEAD' || status < 200 || status === 204 || status === 304;
}

/** /res/<name>?... ; `rawPath` is the still-encoded path, reused for redirect Locations. */
export async function serveResource(ex: Exchange, name: string, rawPath: string, search: URLSearchParams): Promise<void> {
  let spec: ResourceSpec;
  try {
    spec = parseResourceParams(search);
  } catch (error) {
    if (error instanceof ResourceParamError) return sendParamError(ex, error);
    throw error;
  }
  if (name === '') {
    return sendParamError(
      ex,
      new ResourceParamError('name', 'Missing resource name. Valid: /res/<name>?<params>, e.g. /res/episode-5.mp3?size=64m.'),
    );
  }
  if (ex.req.method === 'OPTIONS') return sendPreflight(ex, spec.cors);
  if (!(await ex.sleep(spec.delay))) return;

  if (spec.redirect > 0) return sendRedirect(ex, spec, rawPath, search);

  const seed = spec.seed ?? name;
  const etag = spec.etag ?? defaultEtag(name, spec.size, seed);
  const headers: OutgoingHttpHeaders = {
    'Content-Type': spec.type ?? contentTypeFor(name),
    'Cache-Control': 'no-store',
    ETag: etag,
    'Accept-Ranges': spec.range ? 'bytes' : 'none',
    ...corsHeaders(spec.cors),
  };

  let status = spec.status;
  let offset = 0;
  let bodyLength = spec.size;
  const rangeHeader = ex.entry.headers.range;
  const ifRange = ex.entry.headers.ifRange;
  const rangeApplies =
    spec.range &&
    status === 200 &&
    (ex.req.method === 'GET' || ex.req.method === 'HEAD') &&
    (ifRange === null || sameStrongEtag(ifRange, etag));
  if (rangeApplies) {
    const range = parseRange(rangeHeader, spec.size);
    if (range.kind === 'unsatisfiable') {
      ex.writeHead(416, { ...headers, 'Content-Range': `bytes */${spec.size}`, 'Content-Length': 0 });
      ex.res.end();
      return;
    }
    if (range.kind === 'satisfiable') {
      status = 206;
      offset = range.start;
      bodyLength = range.end - range.start + 1;
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${spec.size}`;
    }
  }

  if (hasNoBody(ex.req.method, status)) return sendHeadersOnly(ex, status, headers, spec.length !== 'absent' ? bodyLength : null);

  setLengthHeaders(headers, spec.length, bodyLength);
  ex.writeHead(status, headers);
  // Throttled, stalled and dropped responses get their headers out now, so the client sees
  // the first byte delay the URL asked for (delay), not one pacing interval more.
  if (spec.rate !== null || spec.stall || spec.drop !== null) ex.res.flushHeaders();
  await sendBody(ex, spec, seed, offset, bodyLength);
}

/** HEAD, 1xx, 204 and 304: headers, no body; `headLength` is the Content-Length a HEAD declares. */
function sendHeadersOnly(ex: Exchange, status: number, headers: OutgoingHttpHeaders, headLength: number | null): void {
  if (ex.req.method === 'HEAD' && headLength !== null) headers['Content-Length'] = headLength;
  // A final 1xx is not HTTP: the client takes it as interim and waits for a final response
  // that never comes. Closing the connection turns that into a clean network error instead
  // of leaving the next response on a kept-alive socket to be misread.
  if (status < 200) headers.Connection = 'close';
  ex.writeHead(status, headers);
  ex.res.end();
}

/** A 302 to the same URL with one redirect fewer. */
function sendRedirect(ex: Exchange, spec: ResourceSpec, rawPath: string, search: URLSearchParams): void {
  const next = new URLSearchParams(search);
  if (spec.redirect === 1) next.delete('redirect');
  else next.set('redirect', String(spec.redirect - 1));
  const query = next.toString();
  // Path-absolute, so the chain stays on whatever host name the client used.
  const location = query === '' ? rawPath : `${rawPath}?${query}`;
  ex.writeHead(302, { Location: location, 'Content-Length': 0, 'Cache-Control': 'no-store', ...corsHeaders(spec.cors) });
  ex.res.end();
}

/** Content-Length as the URL's `length` asked: exact, absent, or lying short or long. */
function setLengthHeaders(headers: OutgoingHttpHeaders, length: ResourceSpec['length'], bodyLength: number): void {
  switch (length) {
    case 'exact':
      headers['Content-Length'] = bodyLength;
      break;
    case 'absent':
      break;
    case 'short':
      // The surplus bytes after the declared length would otherwise be parsed as the next
      // response on a kept-alive connection; closing keeps the failure local to this one.
      headers['Content-Length'] = Math.floor(bodyLength / 2);
      headers.Connection = 'close';
      break;
    case 'long':
      headers['Content-Length'] = Math.max(1, bodyLength * 2);
      break;
  }
}

/** The body after the headers: whole, stalled, dropped part-way, or cut after it (length=long). */
async function sendBody(ex: Exchange, spec: ResourceSpec, seed: string, offset: number, bodyLength: number): Promise<void> {
  if (spec.stall) {
    const stallAt = Math.min(spec.stallAfter, bodyLength);
    if (stallAt > 0) await pump(ex, seed, offset, stallAt, { rate: spec.rate, flush: false });
    await ex.untilClosed();
    return;
  }
  if (spec.drop !== null) {
    const dropAt = Math.min(spec.drop, bodyLength);
    if (!(await pump(ex, seed, offset, dropAt, { rate: spec.rate, flush: true }))) return;
    ex.cutConnection();
    return;
  }
  const long = spec.length === 'long';
  if (!(await pump(ex, seed, offset, bodyLength, { rate: spec.rate, flush: long }))) return;
  if (long) ex.cutConnection();
  else ex.res.end();
}

/** /upload: counts the request body (never buffers it) and answers {"received": N}. */
export async function serveUpload(ex: Exchange, search: URLSearchParams): Promise<void> {
  let spec;
  try {
    spec = parseUploadParams(search);
  } catch (error) {
    if (error instanceof ResourceParamError) return sendParamError(ex, error);
    throw error;
  }
  const method = ex.req.method;
  if (method === 'OPTIONS') return sendPreflight(ex, spec.cors);
  if (method !== 'POST' && method !== 'PUT') {
    return sendText(ex, 405, `Method ${method ?? '?'} not allowed on /upload. Valid: POST or PUT with a body.\n`, {
      Allow: 'POST, PUT, OPTIONS',
      ...corsHeaders(spec.cors),
    });
  }
  if (!(await ex.requestBodyRead())) return;
  if (!(await ex.sleep(spec.delay))) return;
  const body = `${JSON.stringify({ received: ex.entry.bytesReceived })}\n`;
  sendText(ex, spec.status, body, corsHeaders(spec.cors), 'application/json');
}
