/**
 * Static fixture files. The fixture origin runs on developer machines and CI next to real
 * files, so path handling is deliberately paranoid: anything that could name a file outside
 * the root (dot segments, encoded separators or dots, double encoding, backslashes, NUL,
 * symlinks pointing out) is a plain 404, never a "helpful" normalisation.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Exchange } from './exchange.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.zip': 'application/zip',
  '.pdf': 'application/pdf',
};

/** The Content-Type for a file or resource name, by extension; octet-stream when unknown. */
export function contentTypeFor(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

// Encoded '.', '/', '\', NUL and '%' (double encoding) have no business in a fixture path;
// refusing them outright is simpler to reason about than decoding and re-checking.
const FORBIDDEN_ENCODED = /%(?:2e|2f|5c|00|25)/i;
// Control characters (NUL included) after decoding; written with escapes as a RegExp source.
const CONTROL_CHARS = new RegExp('[\\u0000-\\u001f\\u007f]');

/**
 * Maps a raw request path to a file path under `root`, or null when the path is not a
 * plain, in-root path. Purely lexical: symlinks are checked by the caller with realpath.
 */
export function resolveStaticPath(root: string, rawPath: string): string | null {
  if (!rawPath.startsWith('/') || rawPath.includes('\\') || rawPath.includes('\u0000')) return null;
  if (FORBIDDEN_ENCODED.test(rawPath)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\\') || CONTROL_CHARS.test(decoded)) return null;
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.')) return null;
  const absoluteRoot = path.resolve(root);
  const full = path.join(absoluteRoot, decoded);
  const relative = path.relative(absoluteRoot, full);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return full;
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch {
    return null;
  }
}

/** The real path of `file` if it lies inside the real root, else null (symlink escapes). */
async function realInside(root: string, file: string): Promise<string | null> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    const relative = path.relative(realRoot, realFile);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
    return realFile;
  } catch {
    return null;
  }
}

function sendSmall(ex: Exchange, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(text, 'utf8');
  // The 404 text echoes the requested path: never let it be sniffed as HTML.
  ex.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  if (ex.req.method === 'HEAD') {
    ex.res.end();
    return;
  }
  ex.entry.bytesSent += body.length;
  ex.res.end(body);
}

/** Serves a file under `root`: /dir/ -> /dir/index.html, /dir -> 301 /dir/. */
export async function serveStatic(ex: Exchange, root: string, rawPath: string, rawQuery: string): Promise<void> {
  const method = ex.req.method;
  if (method !== 'GET' && method !== 'HEAD') {
    return sendSmall(ex, 405, `Method ${method ?? '?'} not allowed for static files. Valid: GET or HEAD.\n`, { Allow: 'GET, HEAD' });
  }
  const notFound = (): void => sendSmall(ex, 404, `Not found: ${rawPath}\n`);
  const candidate = resolveStaticPath(root, rawPath);
  if (candidate === null) return notFound();
  let file = candidate;
  let stats = await statOrNull(file);
  if (stats?.isDirectory() === true) {
    if (!rawPath.endsWith('/')) {
      // Relative URLs inside index.html (scripts, the service worker) resolve against the
      // directory only when the URL ends with '/'.
      const location = `${rawPath}/${rawQuery === '' ? '' : `?${rawQuery}`}`;
      return sendSmall(ex, 301, `Moved to ${location}\n`, { Location: location });
    }
    file = path.join(file, 'index.html');
    stats = await statOrNull(file);
  }
  if (stats === null || !stats.isFile()) return notFound();
  const real = await realInside(root, file);
  if (real === null) return notFound();
  if (ex.closed) return;

  const type = contentTypeFor(real);
  const headers: Record<string, string | number> = {
    'Content-Type': type,
    'Content-Length': stats.size,
    'Cache-Control': 'no-store',
  };
  // Lets a fixture register a worker script from a subfolder with scope '/'.
  if (type.startsWith('text/javascript')) headers['Service-Worker-Allowed'] = '/';
  ex.writeHead(200, headers);
  if (method === 'HEAD') {
    ex.res.end();
    return;
  }
  const stream = createReadStream(real);
  stream.on('data', (chunk: string | Buffer) => {
    ex.entry.bytesSent += chunk.length;
  });
  try {
    await pipeline(stream, ex.res);
  } catch {
    // The client went away mid-file (the log records the cut) or the file vanished after
    // stat; pipeline has already destroyed both streams, so there is nothing left to do.
  }
}
