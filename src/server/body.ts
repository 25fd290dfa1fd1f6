/**
 * Generated resource bodies: deterministic bytes streamed from one preallocated pattern, with
 * backpressure and optional pacing, plus the Range header arithmetic.
 *
 * Byte k of a resource is pattern[k % PERIOD], so any slice (a Range, a resumed download) can
 * be produced, and checked, without generating the bytes before it. The pattern buffer holds
 * PERIOD bytes plus one more write's worth of repetition, so every write is a zero-copy
 * subarray of it whatever its offset: a 1 GiB response allocates nothing per chunk.
 */
import type { Exchange } from './exchange.js';
import { timestamp } from './log.js';
import { KIB } from './params.js';

/** The period of the body pattern. */
export const PATTERN_PERIOD = 64 * KIB;
/**
 * The largest single write when unthrottled. Each write costs an event-loop turn (past the
 * socket's high-water mark res.write returns false and we wait for 'drain'), so the write size
 * sets the rate: measured on loopback (2 cores, curl -o /dev/null), 64 KiB writes gave about
 * 1.2 GiB/s, 0.68 of nginx's sendfile; 1 MiB writes gave 2.6-3 GiB/s. A write is a zero-copy
 * view of the pattern buffer, so the larger size costs 1 MiB per cached seed, not per response.
 */
export const MAX_WRITE = 1024 * KIB;
/** Throttled writes are rate/20 bytes (about 20 writes a second), within these bounds. */
const MIN_PACED_WRITE = KIB;
const MAX_PACED_WRITE = 64 * KIB;
const PATTERN_CACHE_SIZE = 16;

const patterns = new Map<string, Buffer>();

/** 32-bit FNV-1a of the seed's UTF-8 bytes. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function patternFor(seed: string): Buffer {
  const cached = patterns.get(seed);
  if (cached !== undefined) {
    // Refresh its place so the cache evicts the least recently used seed.
    patterns.delete(seed);
    patterns.set(seed, cached);
    return cached;
  }
  const buffer = Buffer.allocUnsafe(PATTERN_PERIOD + MAX_WRITE);
  // xorshift32: cheap, seedable, and its bytes look like compressed audio to anything that
  // might sniff or compress them (no accidental gzip wins, no text detection).
  let x = hashText(seed) || 0x9e3779b9;
  for (let i = 0; i < PATTERN_PERIOD; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buffer.writeUInt32LE(x >>> 0, i);
  }
  for (let at = PATTERN_PERIOD; at < buffer.length; at += PATTERN_PERIOD) {
    buffer.copy(buffer, at, 0, Math.min(PATTERN_PERIOD, buffer.length - at));
  }
  patterns.set(seed, buffer);
  if (patterns.size > PATTERN_CACHE_SIZE) {
    const oldest = patterns.keys().next();
    if (oldest.done !== true) patterns.delete(oldest.value);
  }
  return buffer;
}

/**
 * Bytes [start, end) of the body generated for `seed`: what /res/<name>?seed=<seed> serves
 * at those offsets (the seed defaults to the name). For checking downloads and ranges.
 */
export function expectedBody(seed: string, start: number, end: number): Buffer {
  const pattern = patternFor(seed);
  const out = Buffer.allocUnsafe(Math.max(0, end - start));
  for (let at = 0; at < out.length;) {
    const from = (start + at) % PATTERN_PERIOD;
    const n = Math.min(out.length - at, PATTERN_PERIOD - from);
    pattern.copy(out, at, from, from + n);
    at += n;
  }
  return out;
}

export type RangeResult =
  | { kind: 'none' }
  | { kind: 'unsatisfiable' }
  /** Inclusive byte positions, as in Content-Range. */
  | { kind: 'satisfiable'; start: number; end: number };

const RANGE_RE = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i;

/**
 * Interprets a Range header against a body of `size` bytes (RFC 9110 section 14). Headers
 * we do not honour (other units, several ranges, syntax errors, first > last) give 'none',
 * which means "ignore it and send the full 200", as the RFC allows.
 */
export function parseRange(header: string | null, size: number): RangeResult {
  if (header === null) return { kind: 'none' };
  const match = RANGE_RE.exec(header);
  if (match === null) return { kind: 'none' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'none' };
  if (first === '') {
    // Suffix range: the last N bytes. N = 0, or any suffix of an empty body, selects nothing.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'satisfiable', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'satisfiable', start, end };
}

export interface PumpOptions {
  /** Bytes per second, or null for as fast as the client reads. */
  rate: number | null;
  /** Wait until the last byte was handed to the socket (before cutting the connection). */
  flush: boolean;
}

/**
 * Writes `count` body bytes starting at resource offset `offset`. Resolves true when all
 * were written, false if the response closed first. Never buffers more than one write
 * beyond the socket's high-water mark: after a write returns false it waits for 'drain'.
 *
 * Pacing compares bytes sent with the elapsed time since the first byte (each write is due
 * when rate * elapsed covers it), so timer lateness is made up by the next write instead of
 * accumulating, and the observed rate stays within a few percent of `rate`.
 */
export async function pump(ex: Exchange, seed: string, offset: number, count: number, options: PumpOptions): Promise<boolean> {
  const pattern = patternFor(seed);
  const { rate } = options;
  const writeSize = rate === null ? MAX_WRITE : Math.min(MAX_PACED_WRITE, Math.max(MIN_PACED_WRITE, Math.floor(rate / 20)));
  const started = timestamp();
  let sent = 0;
  while (sent < count) {
    if (ex.closed) return false;
    const n = Math.min(writeSize, count - sent);
    if (rate !== null) {
      const wait = started + ((sent + n) / rate) * 1000 - timestamp();
      // Sub-millisecond waits are below timer resolution: send now, the next due time
      // absorbs the difference.
      if (wait >= 1 && !(await ex.sleep(Math.ceil(wait)))) return false;
    }
    const from = (offset + sent) % PATTERN_PERIOD;
    const chunk = pattern.subarray(from, from + n);
    sent += n;
    ex.entry.bytesSent += n;
    if (sent === count && options.flush) return writeFlushed(ex, chunk);
    if (!ex.res.write(chunk) && !(await ex.drained())) return false;
  }
  return true;
}

/** Writes a chunk and resolves once Node handed it to the OS (or false if the exchange closed). */
function writeFlushed(ex: Exchange, chunk: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: boolean): void => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    ex.res.write(chunk, (error) => settle(error === null || error === undefined));
    void ex.untilClosed().then(() => settle(false));
  });
}
