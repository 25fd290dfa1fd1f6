// Property-based drills for the fixture server's input handling: whatever a URL says, the
// resource grammar answers with a spec that keeps its own invariants or a ResourceParamError
// naming the parameter (a 400), the Range arithmetic stays inside the body, and no path names
// a file outside the fixtures root. Never a crash (a 500), never a hang.
import { connect } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ResourceParamError } from '../../src/errors.js';
import { FixtureServer, parseByteCount, parseRange, parseResourceParams, parseUploadParams } from '../../src/server/index.js';
import { MAX_BYTES } from '../../src/server/params.js';
import { resolveStaticPath } from '../../src/server/static.js';
import { RESOURCE_PARAMS } from '../helpers/resource-params.js';

const RUNS = { numRuns: 2_000 };
/** A regular expression gone quadratic shows up as seconds; a loaded CI box as tens of ms. */
const SLOW_MS = 1_000;

// Values that look almost right are where a parser breaks: digits with suffixes, signs,
// exponents, unicode digits, huge numbers, and plain noise.
const nearValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    '0',
    '1',
    '-1',
    '+1',
    '1e3',
    '0x10',
    '1.5',
    '1.5m',
    '.5m',
    '1.m',
    '64g',
    '65g',
    '999999999999999999999',
    '١٢',
    ' 1 ',
    '1k ',
    'exact',
    'absent',
    'short',
    'long',
    'W/"x"',
    '"x"',
    'a/b',
    'text/plain;charset=utf-8',
    'NaN',
    'Infinity',
  ),
  fc.tuple(fc.nat({ max: 2 ** 53 }), fc.constantFrom('', 'k', 'm', 'g', 'K', 'M', 'G', 'x', '.5k', '.0001g')).map(([n, s]) => `${n}${s}`),
  fc.double().map(String),
);

const param = fc.tuple(fc.oneof(fc.constantFrom(...RESOURCE_PARAMS), fc.string({ maxLength: 12 })), nearValue);

function timed<T>(fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    expect(performance.now() - t0).toBeLessThan(SLOW_MS);
  }
}

/** A value, or the documented error; anything else fails the property. */
function outcome<T>(fn: () => T): { value: T } | { error: ResourceParamError } {
  try {
    return { value: timed(fn) };
  } catch (e) {
    if (e instanceof ResourceParamError) return { error: e };
    throw e;
  }
}

describe('resource grammar (parseResourceParams) on arbitrary queries', () => {
  test('arbitrary parameter lists: a consistent spec or a ResourceParamError naming a parameter that was given', () => {
    let specs = 0;
    // Arbitrary lists are mostly refused; lists of known names with plausible values mostly
    // parse, so the spec's invariants get checked too.
    const plausible = fc.uniqueArray(
      fc.tuple(
        fc.constantFrom(...RESOURCE_PARAMS),
        fc.constantFrom(
          '0',
          '1',
          '2',
          '200',
          '404',
          '1k',
          '1.5m',
          '64g',
          'exact',
          'absent',
          'short',
          'long',
          'v1',
          'W/"v1"',
          'audio/mpeg',
          'text/plain; charset=utf-8',
        ),
      ),
      { selector: ([k]) => k, maxLength: 5 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(param, { maxLength: 8 }), plausible), (pairs) => {
        const search = new URLSearchParams(pairs);
        const r = outcome(() => parseResourceParams(search));
        if ('error' in r) {
          const given = new Set(pairs.map(([k]) => k));
          // Cross-parameter errors name the parameter that has to change, which was given or
          // is implied by one that was (stall for drop).
          expect(given.has(r.error.param) || (r.error.param === 'stall' && given.has('drop')), r.error.message).toBe(true);
          expect(r.error.message).toContain(`"${r.error.param}"`);
          expect(r.error.message.length).toBeLessThan(2_000 + pairs.reduce((n, [k, v]) => n + k.length + v.length, 0));
          return;
        }
        const s = r.value;
        specs++;
        expect(Number.isSafeInteger(s.size) && s.size >= 0 && s.size <= MAX_BYTES).toBe(true);
        expect(s.rate === null || (Number.isSafeInteger(s.rate) && s.rate >= 1 && s.rate <= MAX_BYTES)).toBe(true);
        expect(s.delay >= 0 && s.delay <= 600_000).toBe(true);
        expect(s.status >= 100 && s.status <= 599).toBe(true);
        expect(['exact', 'absent', 'short', 'long']).toContain(s.length);
        expect(s.drop === null || (s.drop >= 0 && s.drop <= s.size)).toBe(true);
        expect(s.drop !== null && s.stall).toBe(false);
        expect(s.stallAfter >= 0 && s.stallAfter <= s.size).toBe(true);
        expect(s.redirect >= 0 && s.redirect <= 100).toBe(true);
        // An ETag goes into a header as is: it must be a quoted tag with no control characters.
        expect(s.etag === null || /^(W\/)?"[\x21\x23-\x7e]*"$/.test(s.etag)).toBe(true);
        // Same for the Content-Type: a header value, so no CR/LF or other control characters.
        expect(s.type === null || !/[\x00-\x1f\x7f]/.test(s.type)).toBe(true);
      }),
      RUNS,
    );
    expect(specs).toBeGreaterThan(100);
  });

  test('raw query strings of any bytes (as a client may send them) never crash the parser', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (query) => {
        outcome(() => parseResourceParams(new URLSearchParams(query)));
        outcome(() => parseUploadParams(new URLSearchParams(query)));
      }),
      { numRuns: 1_000 },
    );
  });

  test('long values do not make the grammar slow (no catastrophic backtracking)', () => {
    const long = fc.tuple(
      fc.constantFrom(...RESOURCE_PARAMS),
      fc.constantFrom('a', '1', ' ', ';', '=', '"', 't/t', 'x;', '.'),
      fc.integer({ min: 1_000, max: 20_000 }),
      fc.constantFrom('', '!', '\u0000', '"'),
    );
    fc.assert(
      fc.property(long, ([name, unit, n, tail]) => {
        outcome(() => parseResourceParams(new URLSearchParams([[name, unit.repeat(n) + tail]])));
      }),
      { numRuns: 300 },
    );
  });

  test('a valid spec written as a URL reads back as the same spec', () => {
    const spec = fc
      .record({
        size: fc.nat({ max: 64 * 2 ** 30 }),
        delay: fc.nat({ max: 600_000 }),
        status: fc.integer({ min: 100, max: 599 }),
        length: fc.constantFrom('exact', 'absent', 'short', 'long'),
        redirect: fc.nat({ max: 100 }),
        range: fc.boolean(),
        cors: fc.boolean(),
        seed: fc.string({ minLength: 1, maxLength: 256 }),
      })
      .chain((s) => fc.record({ base: fc.constant(s), drop: fc.option(fc.nat({ max: s.size }), { nil: null }) }));
    fc.assert(
      fc.property(spec, ({ base, drop }) => {
        const q = new URLSearchParams({
          size: String(base.size),
          delay: String(base.delay),
          status: String(base.status),
          length: base.length,
          redirect: String(base.redirect),
          range: base.range ? '1' : '0',
          cors: base.cors ? '1' : '0',
          seed: base.seed,
          ...(drop === null ? {} : { drop: String(drop) }),
        });
        const parsed = parseResourceParams(new URLSearchParams(q.toString()));
        expect(parsed).toMatchObject({ ...base, drop });
      }),
      RUNS,
    );
  });

  test('parseByteCount: null or a safe integer, whatever the text', () => {
    fc.assert(
      fc.property(nearValue, (text) => {
        const n = timed(() => parseByteCount(text));
        expect(n === null || (Number.isSafeInteger(n) && n >= 0)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('Range arithmetic (parseRange) on arbitrary headers', () => {
  const header = fc.oneof(
    fc.string(),
    fc
      .tuple(
        fc.option(fc.nat(), { nil: '' }),
        fc.option(fc.nat(), { nil: '' }),
        fc.constantFrom('bytes=', 'bytes =', 'BYTES=', 'items=', ' bytes= '),
      )
      .map(([a, b, unit]) => `${unit}${a}-${b}`),
    fc.constantFrom('bytes=-', 'bytes=0-0,1-1', 'bytes=1e3-', 'bytes=99999999999999999999-'),
  );
  test('none, unsatisfiable, or a satisfiable range inside the body', () => {
    fc.assert(
      fc.property(fc.option(header, { nil: null }), fc.nat({ max: 2 ** 40 }), (h, size) => {
        const r = parseRange(h, size);
        if (r.kind !== 'satisfiable') return;
        expect(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end)).toBe(true);
        expect(0 <= r.start && r.start <= r.end && r.end <= size - 1).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('static paths (resolveStaticPath) on arbitrary request paths', () => {
  const root = path.resolve('/srv/fixtures');
  const segment = fc.oneof(
    fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E.',
      '.%2e',
      '%252e%252e',
      '..%2f',
      '%2f',
      '%5c',
      '\\',
      '..\\',
      '%00',
      '\u0000',
      '',
      'harness',
      'index.html',
      '%c0%ae%c0%ae',
      '..;',
      '%u002e',
    ),
    fc.string({ maxLength: 6 }),
  );
  const rawPath = fc.oneof(
    fc.string(),
    fc.array(segment, { maxLength: 8 }).map((segs) => `/${segs.join('/')}`),
  );
  test('null, or a file path inside the root', () => {
    fc.assert(
      fc.property(rawPath, (p) => {
        const file = timed(() => resolveStaticPath(root, p));
        if (file === null) return;
        const rel = path.relative(root, file);
        expect(rel.startsWith('..') || path.isAbsolute(rel), `${JSON.stringify(p)} -> ${file}`).toBe(false);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('the fixture server over HTTP, arbitrary request targets', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await FixtureServer.start();
  });
  afterAll(async () => {
    await server.close();
  });

  /** Sends one raw request line (any bytes) and resolves the status code, or null when none came within 2 s. */
  function statusOf(method: string, target: string): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1');
      let head = '';
      const done = (v: number | null) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(v);
      };
      // A URL may ask for a delay or a stall: no answer in time is allowed, a 500 is not.
      const timer = setTimeout(() => done(null), 2_000);
      socket.on('error', (e) => {
        clearTimeout(timer);
        // The server may answer a malformed request and close at once: that is an answer.
        if (head.startsWith('HTTP/')) done(Number(head.slice(9, 12)));
        else reject(e);
      });
      socket.on('data', (d: Buffer) => {
        head += d.toString('latin1');
        if (head.includes('\r\n')) done(Number(head.slice(9, 12)));
      });
      socket.on('close', () => done(head.startsWith('HTTP/') ? Number(head.slice(9, 12)) : null));
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1');
    });
  }

  const target = fc.oneof(
    fc
      .array(param, { maxLength: 5 })
      .map((pairs) => `/res/x.bin?${new URLSearchParams(pairs.map(([k, v]) => [k, v.replace(/^(\d{6,})$/, '1')]))}`),
    fc.string({ maxLength: 60 }).map((s) => `/res/${encodeURIComponent(s)}?size=1`),
    fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s.replace(/[\s]/g, '')}`),
    fc
      .array(fc.constantFrom('..', '%2e%2e', '%2f', 'harness', '%', '%zz', 'res', '?', '#', 'upload'), { maxLength: 6 })
      .map((p) => `/${p.join('/')}`),
  );

  test('never a 500: every request gets a status the grammar or the router chose', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'), target, async (method, t) => {
        const status = await statusOf(method, t);
        expect(status === null || (status >= 100 && status < 500), `${method} ${t} -> ${status}`).toBe(true);
      }),
      { numRuns: 300 },
    );
    // And it still serves after all that.
    expect(await statusOf('GET', '/res/ok.bin?size=1')).toBe(200);
  }, 120_000);
});
