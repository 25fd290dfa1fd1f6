// The resource grammar and the Range arithmetic, as pure functions (no server needed).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  expectedBody,
  parseByteCount,
  parseRange,
  parseResourceParams,
  parseUploadParams,
  RESOURCE_GRAMMAR,
} from '../../src/server/index.js';
import { ResourceParamError } from '../../src/errors.js';
import { RESOURCE_PARAMS } from '../helpers/resource-params.js';

const q = (query: string): URLSearchParams => new URLSearchParams(query);

function paramError(query: string): ResourceParamError {
  try {
    parseResourceParams(q(query));
  } catch (error) {
    if (error instanceof ResourceParamError) return error;
    throw error;
  }
  throw new Error(`expected ${query} to be rejected`);
}

describe('parseResourceParams', () => {
  test('defaults', () => {
    expect(parseResourceParams(q(''))).toEqual({
      size: 1024,
      rate: null,
      delay: 0,
      status: 200,
      length: 'exact',
      drop: null,
      stall: false,
      stallAfter: 0,
      redirect: 0,
      range: true,
      etag: null,
      cors: true,
      type: null,
      seed: null,
    });
  });

  test('byte suffixes are KiB, MiB, GiB, case-insensitive, decimals only with a unit', () => {
    expect(parseResourceParams(q('size=64m&rate=256K')).size).toBe(64 * 1024 * 1024);
    expect(parseResourceParams(q('rate=256K')).rate).toBe(256 * 1024);
    expect(parseResourceParams(q('size=1.5m')).size).toBe(1.5 * 1024 * 1024);
    expect(parseResourceParams(q('size=2g')).size).toBe(2 * 1024 ** 3);
    expect(parseResourceParams(q('size=64g')).size).toBe(64 * 1024 ** 3);
    expect(parseByteCount('1.5')).toBeNull();
    expect(parseByteCount('-1')).toBeNull();
    expect(parseByteCount('1e3')).toBeNull();
  });

  test('every option parses', () => {
    const spec = parseResourceParams(
      q('size=10k&rate=1k&delay=5&status=404&length=absent&drop=100&redirect=3&range=0&etag=v1&cors=0&type=audio/mpeg&seed=abc'),
    );
    expect(spec).toMatchObject({
      size: 10240,
      rate: 1024,
      delay: 5,
      status: 404,
      length: 'absent',
      drop: 100,
      redirect: 3,
      range: false,
      etag: '"v1"',
      cors: false,
      type: 'audio/mpeg',
      seed: 'abc',
    });
    expect(parseResourceParams(q('stall=1&stallAfter=1k&size=2k'))).toMatchObject({ stall: true, stallAfter: 1024 });
    expect(parseResourceParams(q('etag=W/"x"')).etag).toBe('W/"x"');
  });

  test.each([
    ['size=abc', 'size'],
    ['size=-5', 'size'],
    ['size=65g', 'size'],
    ['rate=0', 'rate'],
    ['status=99', 'status'],
    ['status=600', 'status'],
    ['status=2000', 'status'],
    ['length=weird', 'length'],
    ['delay=-1', 'delay'],
    ['delay=1.5', 'delay'],
    ['redirect=101', 'redirect'],
    ['range=yes', 'range'],
    ['cors=true', 'cors'],
    ['type=not a type', 'type'],
    ['etag=a"b', 'etag'],
    ['drop=2k&size=1k', 'drop'],
    ['drop=1&stall=1', 'stall'],
    ['stallAfter=10', 'stallAfter'],
    ['size=1&size=2', 'size'],
  ])('%s is rejected naming %s', (query, param) => {
    const error = paramError(query);
    expect(error.param).toBe(param);
    expect(error.message).toContain(`"${param}"`);
    expect(error.message).toMatch(/Valid/);
  });

  test('unknown parameters get a did-you-mean suggestion', () => {
    const error = paramError('sise=10');
    expect(error.param).toBe('sise');
    expect(error.message).toContain('Did you mean "size"?');
    expect(paramError('stallafter=1').message).toContain('Did you mean "stallAfter"?');
    expect(paramError('zzzzzzzzzz=1').message).not.toContain('Did you mean');
  });

  test('/upload accepts only status, delay and cors', () => {
    expect(parseUploadParams(q('status=201&delay=10&cors=0'))).toEqual({ status: 201, delay: 10, cors: false });
    expect(() => parseUploadParams(q('size=1'))).toThrow(/Unknown upload parameter "size"/);
  });

  test('the grammar text documents every parameter', () => {
    for (const name of [...RESOURCE_PARAMS, '/upload']) {
      expect(RESOURCE_GRAMMAR).toContain(name);
    }
  });

  test('property: byte counts with a suffix round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1023 }), fc.constantFrom('', 'k', 'm', 'g', 'K', 'M'), (n, suffix) => {
        const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[suffix.toLowerCase()] ?? 0;
        expect(parseByteCount(`${n}${suffix}`)).toBe(n * unit);
      }),
    );
  });
});

describe('parseRange', () => {
  test('the three range forms and their edge cases', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ kind: 'satisfiable', start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ kind: 'satisfiable', start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ kind: 'satisfiable', start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'satisfiable', start: 0, end: 999 });
    expect(parseRange('bytes=500-5000', 1000)).toEqual({ kind: 'satisfiable', start: 500, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=5-4', 1000)).toEqual({ kind: 'none' });
    expect(parseRange('bytes=0-1,5-6', 1000)).toEqual({ kind: 'none' });
    expect(parseRange('items=0-1', 1000)).toEqual({ kind: 'none' });
    expect(parseRange(null, 1000)).toEqual({ kind: 'none' });
  });

  test('property: a satisfiable range lies inside the body and matches a-b semantics', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.nat(20_000), fc.nat(20_000), (size, a, b) => {
        const [first, last] = a <= b ? [a, b] : [b, a];
        const result = parseRange(`bytes=${first}-${last}`, size);
        if (first >= size) expect(result.kind).toBe('unsatisfiable');
        else expect(result).toEqual({ kind: 'satisfiable', start: first, end: Math.min(last, size - 1) });
      }),
    );
  });
});

describe('expectedBody', () => {
  test('is deterministic, seed-dependent and consistent across slices', () => {
    const whole = expectedBody('episode', 0, 200_000);
    expect(whole.length).toBe(200_000);
    expect(expectedBody('episode', 0, 200_000).equals(whole)).toBe(true);
    expect(expectedBody('other', 0, 1000).equals(whole.subarray(0, 1000))).toBe(false);
    fc.assert(
      fc.property(fc.nat(199_000), fc.nat(1000), (start, length) => {
        expect(expectedBody('episode', start, start + length).equals(whole.subarray(start, start + length))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
