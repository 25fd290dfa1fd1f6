/**
 * Files of the WPT checkout as wptserve serves them: `.headers` sidecars, `.sub.` substitution,
 * `?pipe=`, the generated test wrappers, and a listing for a directory. Test files are small and
 * substitution needs the whole text, so a file is read whole (unlike the fixture server's
 * resources, which stream).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { contentTypeFor, resolveStaticPath } from '../static.js';
import type { Exchange } from '../exchange.js';
import { applyPipes, parsePipes, trickleChunks, type PipedResponse } from './pipes.js';
import { substitute, type SubstitutionContext } from './substitute.js';
import { WrapperNotAvailable } from '../../errors.js';
import { renderWrapper, wrapperRoute } from './wrappers.js';

const EXTRA_TYPES: Record<string, string> = {
  '.idl': 'text/plain; charset=utf-8',
  '.xhtml': 'application/xhtml+xml',
  '.xml': 'application/xml',
  '.text': 'text/plain; charset=utf-8',
};

export function wptContentType(file: string): string {
  return EXTRA_TYPES[path.extname(file).toLowerCase()] ?? contentTypeFor(file);
}

/** `Name: value` lines of `<file>.headers` and the directory's `__dir__.headers`. */
export async function sidecarHeaders(file: string): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const candidate of [path.join(path.dirname(file), '__dir__.headers'), `${file}.headers`]) {
    const text = await readFile(candidate, 'utf8').catch(() => null); // no sidecar: the common case
    if (text === null) continue;
    for (const line of text.split(/\r?\n/)) {
      const at = line.indexOf(':');
      if (at > 0) out.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
    }
  }
  return out;
}

export interface Reply {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

const text = (status: number, body: string): Reply => ({
  status,
  headers: [['Content-Type', 'text/plain; charset=utf-8']],
  body: Buffer.from(body),
});

async function directoryListing(dir: string, urlPath: string): Promise<Reply> {
  const names = (await readdir(dir, { withFileTypes: true })).map((d) => (d.isDirectory() ? `${d.name}/` : d.name)).sort();
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const base = urlPath.endsWith('/') ? urlPath : `${urlPath}/`;
  const items = names.map((n) => `<li><a href="${esc(base + n)}">${esc(n)}</a></li>`).join('\n');
  return {
    status: 200,
    headers: [['Content-Type', 'text/html; charset=utf-8']],
    body: Buffer.from(`<!doctype html>\n<title>${esc(base)}</title>\n<ul>\n${items}\n</ul>\n`),
  };
}

/** The reply for a GET of `urlPath` under `root`, before pipes. */
export async function fileReply(root: string, urlPath: string, query: string, ctx: SubstitutionContext): Promise<Reply> {
  const route = wrapperRoute(urlPath);
  if (route) {
    const file = resolveStaticPath(root, route.source);
    const source = file === null ? null : await readFile(file, 'utf8').catch(() => null); // missing: 404 below
    if (file !== null && source !== null) {
      try {
        const { body, contentType } = renderWrapper(route, source, query ? `?${query}` : '');
        return { status: 200, headers: [['Content-Type', contentType], ...(await sidecarHeaders(file))], body: Buffer.from(body) };
      } catch (e) {
        if (e instanceof WrapperNotAvailable) return text(404, `${e.message}\n`);
        throw e;
      }
    }
  }
  const file = resolveStaticPath(root, urlPath);
  const stats = file === null ? null : await stat(file).catch(() => null); // missing: 404
  if (file === null || stats === null) return text(404, `Not found: ${urlPath}\n`);
  if (stats.isDirectory()) return directoryListing(file, urlPath);
  let body = await readFile(file);
  if (/\.sub\.[^/]*$/.test(path.basename(file))) body = Buffer.from(substitute(body.toString('utf8'), ctx));
  return { status: 200, headers: [['Content-Type', wptContentType(file)], ...(await sidecarHeaders(file))], body };
}

/** Applies `?pipe=` and sends the reply (trickled when asked). */
export async function sendReply(ex: Exchange, reply: Reply, pipe: string | null, ctx: SubstitutionContext): Promise<void> {
  let piped: PipedResponse = { status: reply.status, headers: reply.headers, trickle: null, sub: false };
  let body = reply.body;
  if (pipe !== null) {
    piped = applyPipes(parsePipes(pipe), piped);
    if (piped.sub) body = Buffer.from(substitute(body.toString('utf8'), ctx));
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of piped.headers) {
    const prev = headers[name];
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  if (piped.trickle === null) headers['Content-Length'] = String(body.length);
  ex.writeHead(piped.status, headers);
  if (ex.req.method === 'HEAD') {
    ex.res.end();
    return;
  }
  for (const { delayMs, chunk } of piped.trickle === null ? [{ delayMs: 0, chunk: body }] : trickleChunks(body, piped.trickle)) {
    if (delayMs > 0 && !(await ex.sleep(delayMs))) return;
    ex.entry.bytesSent += chunk.length;
    ex.res.write(chunk);
  }
  ex.res.end();
}
