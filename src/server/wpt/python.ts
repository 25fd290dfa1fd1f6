/**
 * The Python handlers the background-fetch tests call, written natively; any other `.py` is a
 * 501 whose text names the handler, so the test's failure says why instead of timing out on a
 * file served as text.
 */
import type { Exchange } from '../exchange.js';

function send(ex: Exchange, status: number, headers: Record<string, string | number>, body: Buffer): void {
  ex.writeHead(status, { 'Content-Length': body.length, ...headers });
  if (ex.req.method === 'HEAD') {
    ex.res.end();
    return;
  }
  ex.entry.bytesSent += body.length;
  ex.res.end(body);
}

/** `/common/slow.py`: waits 2 s, then 200 with an empty body. */
async function slow(ex: Exchange): Promise<void> {
  if (!(await ex.sleep(2_000))) return;
  send(ex, 200, { 'Content-Type': 'text/plain' }, Buffer.alloc(0));
}

/** `background-fetch/resources/upload.py`: the request body back with its Content-Type; 500 without one. */
async function upload(ex: Exchange): Promise<void> {
  const chunks: Buffer[] = [];
  ex.req.on('data', (chunk: Buffer) => chunks.push(chunk));
  if (!(await ex.requestBodyRead())) return;
  const type = ex.req.headers['content-type'];
  if (type === undefined)
    return send(ex, 500, { 'Content-Type': 'text/plain' }, Buffer.from('upload.py: the request has no Content-Type.\n'));
  send(ex, 200, { 'Content-Type': type }, Buffer.concat(chunks));
}

const HANDLERS: Record<string, (ex: Exchange) => Promise<void>> = {
  '/common/slow.py': slow,
  '/background-fetch/resources/upload.py': upload,
};

export const NATIVE_HANDLERS: readonly string[] = Object.keys(HANDLERS);

export function unimplementedHandlerText(path: string): string {
  return `bgprobe wpt does not implement the Python handler ${path} (native handlers: ${NATIVE_HANDLERS.join(', ')}).`;
}

/** Answers a `.py` path: a native handler, or 501 naming it. */
export async function servePython(ex: Exchange, path: string): Promise<void> {
  const handler = HANDLERS[path];
  if (handler) return handler(ex);
  send(
    ex,
    501,
    { 'Content-Type': 'text/plain; charset=utf-8', 'Access-Control-Allow-Origin': '*' },
    Buffer.from(`${unimplementedHandlerText(path)}\n`),
  );
}
