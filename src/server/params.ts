/**
 * The programmable-resource grammar: query parameters of /res/<name> and /upload, parsed
 * strictly. A typo in a fixture URL would otherwise silently give a default 1 KiB 200 and a
 * scenario that "passes" while testing nothing, so every malformed or unknown parameter is a
 * 400 whose message names the parameter and its valid form.
 */

import { didYouMean } from '../util/did-you-mean.js';
import { ResourceParamError } from '../errors.js';

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;
/** Upper bound for any byte count (size, rate, drop, stallAfter). */
export const MAX_BYTES = 64 * GIB;
const MAX_DELAY_MS = 600_000;
const MAX_REDIRECTS = 100;

export type LengthMode = 'exact' | 'absent' | 'short' | 'long';

export interface ResourceSpec {
  size: number;
  /** Bytes per second; null means unthrottled. */
  rate: number | null;
  delay: number;
  status: number;
  length: LengthMode;
  /** Body bytes to send before dropping the connection; null means no drop. */
  drop: number | null;
  stall: boolean;
  stallAfter: number;
  redirect: number;
  range: boolean;
  /** The quoted entity tag; null means derived from name, size and seed. */
  etag: string | null;
  cors: boolean;
  /** null means guessed from the resource name. */
  type: string | null;
  /** null means the resource name. */
  seed: string | null;
}

export interface UploadSpec {
  status: number;
  delay: number;
  cors: boolean;
}

export const RESOURCE_GRAMMAR = `\
/res/<name>[?param=value&...]  a generated resource. <name> is free text: it is logged and its
                               extension picks the Content-Type. All parameters are optional.
  size=<bytes>        body length (default 1k). <bytes> is an integer with an optional k, m or g
                      suffix (KiB, MiB, GiB; a decimal is allowed with a suffix: 1.5m), at most 64g
  rate=<bytes>        throttle the body to <bytes> per second (default unthrottled)
  delay=<ms>          wait before sending the response headers (default 0, at most 600000);
                      applies to every hop of a redirect chain
  status=<code>       response status 100..599 (default 200); HEAD, 1xx, 204 and 304 carry no body
  length=exact|absent|short|long
                      exact (default): Content-Length is the body length
                      absent: no Content-Length, chunked transfer encoding
                      short: Content-Length is half the body length but the whole body is written,
                        then the connection is closed: clients keep the first half and treat the
                        response as complete (Node's http client may also report a parse error
                        for the surplus bytes; with bodies larger than the socket buffers the
                        client usually closes first, logged as cut by the client)
                      long: Content-Length is twice the body length (at least 1); the body is
                        written, then the connection is closed: clients see a truncated body
                        (Chromium: ERR_CONTENT_LENGTH_MISMATCH); logged as cut by the server
  drop=<bytes>        write this many body bytes (at most size), then close the connection
                      (logged as cut by the server)
  stall=0|1           1: send the headers and stallAfter body bytes, then nothing more until the
                      server closes (default 0)
  stallAfter=<bytes>  with stall=1: body bytes sent before stalling (default 0, at most size)
  redirect=<n>        answer 302 n times (0..100), each to the same URL with redirect=n-1
  range=0|1           1 (default): honour Range (bytes=a-b, a-, -n) with 206 + Content-Range,
                      416 when unsatisfiable, If-Range compared with the ETag (mismatch: full 200);
                      multi-range requests get the full 200. 0: Range ignored, full 200
  etag=<text>         the ETag (default derived from name, size and seed); quotes are added
  cors=0|1            1 (default): Access-Control-Allow-Origin: * with exposed headers and
                      preflights answered; 0: no CORS headers
  type=<mime>         Content-Type (default guessed from <name>, else application/octet-stream)
  seed=<text>         seeds the body bytes (default <name>): byte k of a resource is the same
                      on every request, so ranges and resumed downloads can be checked
/upload[?status=&delay=&cors=]  POST or PUT: reads and counts the request body, answers
                      {"received": N} as JSON (delay runs after the body is read)
Any other path is a static file under the fixtures root (/dir/ serves /dir/index.html).
A malformed, repeated or unknown parameter gets a 400 whose text names the parameter.`;

interface ParamRule<T> {
  /** The valid form, quoted in error messages. */
  valid: string;
  /** Returns the value, or a description of what is wrong with it. */
  parse(raw: string): { value: T } | { problem: string };
}

const BYTES_RE = /^(\d+)(?:\.(\d+))?([kmg])?$/i;
const SUFFIX: Record<string, number> = { k: KIB, m: MIB, g: GIB };

/** Parses "1024", "64k", "1.5m", "2G" into bytes, or returns null. */
export function parseByteCount(raw: string): number | null {
  const match = BYTES_RE.exec(raw.trim());
  if (match === null) return null;
  const [, whole = '', fraction, suffix] = match;
  // A fraction of a byte means nothing: decimals only make sense with a unit.
  if (fraction !== undefined && suffix === undefined) return null;
  const unit = suffix === undefined ? 1 : (SUFFIX[suffix.toLowerCase()] ?? 1);
  const value = Math.floor(Number(`${whole}.${fraction ?? '0'}`) * unit);
  return Number.isSafeInteger(value) ? value : null;
}

function bytesRule(min: number, what: string): ParamRule<number> {
  return {
    valid: `${what}, as an integer with an optional k, m or g suffix (KiB, MiB, GiB), ${min} to 64g, e.g. 64k or 1.5m`,
    parse(raw) {
      const value = parseByteCount(raw);
      if (value === null) return { problem: `"${raw}" is not a byte count` };
      if (value < min) return { problem: `${value} is below the minimum ${min}` };
      if (value > MAX_BYTES) return { problem: `${value} is more than 64 GiB (${MAX_BYTES})` };
      return { value };
    },
  };
}

function integerRule(min: number, max: number, valid: string): ParamRule<number> {
  return {
    valid,
    parse(raw) {
      if (!/^\d+$/.test(raw)) return { problem: `"${raw}" is not a non-negative integer` };
      const value = Number(raw);
      if (value < min || value > max) return { problem: `${raw} is outside ${min}..${max}` };
      return { value };
    },
  };
}

function flagRule(valid: string): ParamRule<boolean> {
  return {
    valid,
    parse(raw) {
      if (raw === '1') return { value: true };
      if (raw === '0') return { value: false };
      return { problem: `"${raw}" is not 0 or 1` };
    },
  };
}

const statusRule: ParamRule<number> = {
  valid: 'a 3-digit HTTP status 100..599, e.g. status=404',
  parse(raw) {
    if (!/^[1-5]\d\d$/.test(raw)) return { problem: `"${raw}" is not a status code 100..599` };
    return { value: Number(raw) };
  },
};

const delayRule = integerRule(0, MAX_DELAY_MS, `milliseconds before the response headers, 0..${MAX_DELAY_MS}, e.g. delay=300`);
const corsRule = flagRule('1 (Access-Control-Allow-Origin: *, the default) or 0 (no CORS headers)');

const LENGTH_MODES: readonly LengthMode[] = ['exact', 'absent', 'short', 'long'];
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MIME_RE = new RegExp(`^${TOKEN}/${TOKEN}(?:\\s*;\\s*${TOKEN}=(?:${TOKEN}|"[^"\\\\\\x00-\\x1f\\x7f]*"))*$`);
const ETAG_TEXT_RE = /^[\x21\x23-\x7e]{1,128}$/;
const ETAG_QUOTED_RE = /^(?:W\/)?"[\x21\x23-\x7e]{0,128}"$/;

const RESOURCE_RULES = {
  size: bytesRule(0, 'the body length'),
  rate: bytesRule(1, 'bytes per second'),
  delay: delayRule,
  status: statusRule,
  length: {
    valid: 'exact (the default), absent (chunked), short (declares half) or long (declares double)',
    parse(raw: string) {
      const mode = LENGTH_MODES.find((m) => m === raw);
      return mode === undefined ? { problem: `"${raw}" is not a length mode` } : { value: mode };
    },
  } satisfies ParamRule<LengthMode>,
  drop: bytesRule(0, 'body bytes to send before closing the connection, at most size'),
  stall: flagRule('1 (stop sending after stallAfter bytes) or 0 (the default)'),
  stallAfter: bytesRule(0, 'body bytes sent before stalling, at most size, needs stall=1'),
  redirect: integerRule(0, MAX_REDIRECTS, `the number of 302 hops before the resource, 0..${MAX_REDIRECTS}`),
  range: flagRule('1 (honour Range, the default) or 0 (ignore Range)'),
  etag: {
    valid: 'up to 128 visible ASCII characters without quotes or spaces, or a quoted entity tag like "v1" or W/"v1"',
    parse(raw: string) {
      if (ETAG_QUOTED_RE.test(raw)) return { value: raw };
      if (ETAG_TEXT_RE.test(raw)) return { value: `"${raw}"` };
      return { problem: `"${raw}" is not a valid entity tag` };
    },
  } satisfies ParamRule<string>,
  cors: corsRule,
  type: {
    valid: 'a media type like audio/mpeg or text/plain;charset=utf-8',
    parse(raw: string) {
      return MIME_RE.test(raw) ? { value: raw } : { problem: `"${raw}" is not a media type` };
    },
  } satisfies ParamRule<string>,
  seed: {
    valid: '1 to 256 characters of text',
    parse(raw: string) {
      return raw.length >= 1 && raw.length <= 256 ? { value: raw } : { problem: `a seed of ${raw.length} characters` };
    },
  } satisfies ParamRule<string>,
};

const UPLOAD_RULES = { status: statusRule, delay: delayRule, cors: corsRule };

type Rules = Record<string, ParamRule<unknown>>;
type Parsed<R extends Rules> = { [K in keyof R]?: R[K] extends ParamRule<infer T> ? T : never };

function suggest(unknown: string, known: readonly string[]): string | null {
  return didYouMean(unknown, known) ?? null;
}

function parseWith<R extends Rules>(search: URLSearchParams, rules: R, where: string): Parsed<R> {
  const known = Object.keys(rules);
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [name, raw] of search) {
    const rule = Object.hasOwn(rules, name) ? rules[name] : undefined;
    if (rule === undefined) {
      const guess = suggest(name, known);
      const hint = guess === null ? '' : ` Did you mean "${guess}"?`;
      throw new ResourceParamError(name, `Unknown ${where} parameter "${name}".${hint} Valid parameters: ${known.join(', ')}.`);
    }
    if (seen.has(name)) {
      throw new ResourceParamError(name, `Parameter "${name}" is given more than once; give it once. Valid: ${rule.valid}.`);
    }
    seen.add(name);
    const result = rule.parse(raw);
    if ('problem' in result) {
      throw new ResourceParamError(name, `Bad parameter "${name}": ${result.problem}. Valid: ${rule.valid}.`);
    }
    out[name] = result.value;
  }
  return out as Parsed<R>;
}

/** Parses the query of /res/<name>. Throws ResourceParamError naming the bad parameter. */
export function parseResourceParams(search: URLSearchParams): ResourceSpec {
  const p = parseWith(search, RESOURCE_RULES, 'resource');
  const spec: ResourceSpec = {
    size: p.size ?? KIB,
    rate: p.rate ?? null,
    delay: p.delay ?? 0,
    status: p.status ?? 200,
    length: p.length ?? 'exact',
    drop: p.drop ?? null,
    stall: p.stall ?? false,
    stallAfter: p.stallAfter ?? 0,
    redirect: p.redirect ?? 0,
    range: p.range ?? true,
    etag: p.etag ?? null,
    cors: p.cors ?? true,
    type: p.type ?? null,
    seed: p.seed ?? null,
  };
  // Cross-parameter rules: each error names the parameter that has to change.
  if (spec.drop !== null && spec.drop > spec.size) {
    throw new ResourceParamError(
      'drop',
      `Bad parameter "drop": ${spec.drop} is more than size (${spec.size}). Valid: ${RESOURCE_RULES.drop.valid}.`,
    );
  }
  if (spec.drop !== null && spec.stall) {
    throw new ResourceParamError('stall', 'Bad parameter "stall": stall=1 cannot be combined with drop. Valid: use one of them.');
  }
  if (p.stallAfter !== undefined && !spec.stall) {
    throw new ResourceParamError('stallAfter', 'Bad parameter "stallAfter": it needs stall=1. Valid: stall=1&stallAfter=<bytes>.');
  }
  if (spec.stallAfter > spec.size) {
    throw new ResourceParamError(
      'stallAfter',
      `Bad parameter "stallAfter": ${spec.stallAfter} is more than size (${spec.size}). Valid: ${RESOURCE_RULES.stallAfter.valid}.`,
    );
  }
  return spec;
}

/** Parses the query of /upload (status, delay, cors). */
export function parseUploadParams(search: URLSearchParams): UploadSpec {
  const p = parseWith(search, UPLOAD_RULES, 'upload');
  return { status: p.status ?? 200, delay: p.delay ?? 0, cors: p.cors ?? true };
}
