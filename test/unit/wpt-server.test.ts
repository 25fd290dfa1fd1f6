// The wptserve subset's pure parts (substitution, pipes, META, wrappers) and the server itself
// over plain http (the browser-facing https path is in test/e2e/wpt-run.spec.ts).
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPipes,
  generateCertificate,
  hostResolverRules,
  parseGlobals,
  parseMeta,
  parsePipes,
  parseTrickle,
  renderWrapper,
  substitute,
  testUrlsFor,
  trickleChunks,
  wptHosts,
  wrapperRoute,
  WptServer,
  type SubstitutionContext,
} from '../../src/server/wpt/index.js';
import { PipeError, SubstitutionError } from '../../src/errors.js';

const ctx = (url = 'https://web-platform.test:8443/a/b.sub.js?word=hi'): SubstitutionContext => ({
  hosts: wptHosts(),
  ports: { http: [8000, 8001], https: [8443, 8444], ws: [8000], wss: [8443] },
  url: new URL(url),
  headers: { 'user-agent': 'UA' },
});

describe('.sub. substitution', () => {
  it('replaces host, ports, domains, hosts, location, GET and headers', () => {
    const text =
      '{{host}} {{ports[https][1]}} {{domains[www1]}} {{hosts[alt][]}} {{hosts[alt][www2]}} {{location[host]}} {{location[scheme]}} {{GET[word]}} {{headers[User-Agent]}}';
    expect(substitute(text, ctx())).toBe(
      'web-platform.test 8444 www1.web-platform.test not-web-platform.test www2.not-web-platform.test web-platform.test:8443 https hi UA',
    );
  });

  it('encodes the non-ASCII subdomains as the browser resolves them', () => {
    expect(substitute('{{domains[élève]}} {{domains[天気の良い日]}}', ctx())).toBe(
      'xn--lve-6lad.web-platform.test xn--n8j6ds53lwwkrqhv28a.web-platform.test',
    );
  });

  it('keeps $variables and makes uuids', () => {
    const out = substitute('{{$id:uuid()}}/{{$id}}', ctx());
    const [a, b] = out.split('/');
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).toBe(a);
  });

  it('refuses what it does not know, naming it', () => {
    expect(() => substitute('{{ports[ftp][0]}}', ctx())).toThrow(SubstitutionError);
    expect(() => substitute('{{file_hash(sha256, x)}}', ctx())).toThrow(/not a substitution/);
    expect(() => substitute('{{nope}}', ctx())).toThrow(/unknown name "nope"/);
  });

  it('maps every host to loopback for --host-resolver-rules, and none is localhost', () => {
    const rules = hostResolverRules();
    expect(rules).toContain('MAP web-platform.test 127.0.0.1');
    expect(rules).toContain('MAP www1.web-platform.test 127.0.0.1');
    expect(rules).toContain('MAP xn--lve-6lad.not-web-platform.test 127.0.0.1');
    expect(rules).not.toContain('localhost');
  });
});

describe('?pipe=', () => {
  it('parses status, header (with escaped commas and append) and trickle', () => {
    expect(parsePipes('status(404)|header(X-A,b\\,c)|header(X-A,d,True)|trickle(2:d0.5:r1)|sub')).toEqual([
      { kind: 'status', code: 404 },
      { kind: 'header', name: 'X-A', value: 'b,c', append: false },
      { kind: 'header', name: 'X-A', value: 'd', append: true },
      { kind: 'trickle', plan: [{ send: 2 }, { delayMs: 500 }, { send: 2 }, { delayMs: 500 }] },
      { kind: 'sub' },
    ]);
  });

  it("applies them: a header without append replaces the file's", () => {
    const out = applyPipes(parsePipes('status(202)|header(content-type,text/x-a)|header(X-B,1)|header(X-B,2,True)'), {
      status: 200,
      headers: [['Content-Type', 'text/plain']],
      trickle: null,
      sub: false,
    });
    expect(out).toEqual({
      status: 202,
      headers: [
        ['content-type', 'text/x-a'],
        ['X-B', '1'],
        ['X-B', '2'],
      ],
      trickle: null,
      sub: false,
    });
  });

  it('cuts a body along a trickle plan, the rest at the end', () => {
    const chunks = trickleChunks(Buffer.from('abcdefg'), parseTrickle('2:d1:3'));
    expect(chunks.map((c) => [c.delayMs, c.chunk.toString()])).toEqual([
      [0, 'ab'],
      [1000, 'cde'],
      [0, 'fg'],
    ]);
  });

  it('refuses unknown pipes and bad arguments', () => {
    expect(() => parsePipes('gzip')).toThrow(PipeError);
    expect(() => parsePipes('gzip')).toThrow(/"gzip" is not implemented/);
    expect(() => parsePipes('status(abc)')).toThrow(/not an HTTP status/);
    expect(() => parsePipes('trickle(x)')).toThrow(/"x" is not a byte count/);
  });
});

describe('META and the test wrappers', () => {
  const source = [
    '// META: title=A <b> & c',
    '// META: script=/common/x.js',
    '// META: timeout=long',
    '// META: global=window,worker',
    '// a comment',
    "'use strict';",
    '// META: script=/late.js',
  ].join('\n');

  it('reads the comment lines before the code only', () => {
    expect(parseMeta(source)).toEqual([
      { key: 'title', value: 'A <b> & c' },
      { key: 'script', value: '/common/x.js' },
      { key: 'timeout', value: 'long' },
      { key: 'global', value: 'window,worker' },
    ]);
  });

  it('expands global= like wptserve (default window + dedicated worker; worker = the three workers; ! removes)', () => {
    expect(parseGlobals(undefined)).toEqual(['window', 'dedicatedworker']);
    expect(parseGlobals('window,worker')).toEqual(['window', 'dedicatedworker', 'sharedworker', 'serviceworker']);
    expect(parseGlobals('worker,!sharedworker')).toEqual(['dedicatedworker', 'serviceworker']);
    expect(parseGlobals('!dedicatedworker')).toEqual(['window']);
  });

  it('gives the test URLs of each kind of file', () => {
    expect(testUrlsFor('/d/t.any.js', source)).toEqual([
      '/d/t.any.html',
      '/d/t.any.worker.html',
      '/d/t.any.sharedworker.html',
      '/d/t.any.serviceworker.html',
    ]);
    expect(testUrlsFor('/d/t.https.window.js', '')).toEqual(['/d/t.https.window.html']);
    expect(testUrlsFor('/d/t.worker.js', '// META: variant=?a\n// META: variant=?b\n')).toEqual([
      '/d/t.worker.html?a',
      '/d/t.worker.html?b',
    ]);
    expect(testUrlsFor('/d/t.html', '<script src="/resources/testharness.js"></script>')).toEqual(['/d/t.html']);
    expect(testUrlsFor('/d/helper.html', '<p>no harness</p>')).toEqual([]);
    expect(testUrlsFor('/d/helper.js', '')).toEqual([]);
  });

  it('routes wrapper paths to their source', () => {
    expect(wrapperRoute('/d/t.any.serviceworker.html')).toEqual({
      kind: 'any-serviceworker',
      source: '/d/t.any.js',
      global: 'serviceworker',
      loads: '/d/t.any.worker.js',
    });
    expect(wrapperRoute('/d/t.any.worker.js')).toMatchObject({ kind: 'any-worker-script', source: '/d/t.any.js' });
    expect(wrapperRoute('/d/t.window.html')).toMatchObject({ kind: 'window', source: '/d/t.window.js' });
    expect(wrapperRoute('/d/t.html')).toBeNull();
  });

  it('writes a window wrapper with the title escaped, the long timeout, harness, META scripts, then the test', () => {
    const { body, contentType } = renderWrapper(wrapperRoute('/d/t.any.html')!, source, '?q=1');
    expect(contentType).toBe('text/html; charset=utf-8');
    const order = [
      '<title>A &lt;b> &amp; c</title>',
      '<meta name="timeout" content="long">',
      'isWindow: function() { return true; }',
      '/resources/testharness.js',
      '/resources/testharnessreport.js',
      '<script src="/common/x.js">',
      '<script src="/d/t.any.js?q=1">',
    ];
    const at = order.map((s) => body.indexOf(s));
    expect(
      at.every((i) => i >= 0),
      body,
    ).toBe(true);
    expect([...at.slice(2)].sort((a, b) => a - b)).toEqual(at.slice(2));
    expect(body).not.toContain('/late.js');
  });

  it('writes the worker script wrapper with importScripts, and refuses a global the test does not declare', () => {
    const { body } = renderWrapper(wrapperRoute('/d/t.any.worker.js')!, source, '');
    expect(body).toContain(
      'importScripts("/resources/testharness.js");\nself.META_TITLE = "A <b> & c";\nimportScripts("/common/x.js");\nimportScripts("/d/t.any.js");\ndone();',
    );
    const sw = renderWrapper(wrapperRoute('/d/t.any.serviceworker.html')!, source, '').body;
    expect(sw).toContain('navigator.serviceWorker.register("/d/t.any.worker.js", {scope})');
    expect(() => renderWrapper(wrapperRoute('/d/t.any.sharedworker.html')!, '// META: global=window\n', '')).toThrow(
      /cannot be loaded in sharedworker mode/,
    );
  });
});

describe('WptServer', () => {
  let root: string;
  let server: WptServer;
  const get = (path: string, host = 'web-platform.test', method = 'GET', body?: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.ports['http'][0],
          path,
          method,
          headers: { Host: `${host}:${server.ports['http'][0]}`, ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bgprobe-wpt-unit-'));
    mkdirSync(join(root, 'resources/webidl2/lib'), { recursive: true });
    mkdirSync(join(root, 'd'), { recursive: true });
    writeFileSync(join(root, 'resources/webidl2/lib/webidl2.js'), '/* parser */');
    writeFileSync(join(root, 'd/t.window.js'), '// META: title=T\ntest(() => {});\n');
    writeFileSync(join(root, 'd/t.window.js.headers'), 'X-From-Sidecar: yes\n');
    writeFileSync(join(root, 'd/h.sub.txt'), '{{host}}:{{ports[http][0]}} {{GET[a]}}');
    writeFileSync(join(root, 'd/x.idl'), 'interface X {};');
    server = await WptServer.start({ root, certificate: await generateCertificate(), timeoutMultiplier: 3 });
  }, 30_000);
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("serves wrappers with the source's sidecar headers, substitutes .sub. files, and logs the URL as the browser asked", async () => {
    const page = await get('/d/t.window.html');
    expect(page.status).toBe(200);
    expect(page.headers['x-from-sidecar']).toBe('yes');
    expect(page.body).toContain('<script src="/d/t.window.js"></script>');
    expect((await get('/d/h.sub.txt?a=1')).body).toBe(`web-platform.test:${server.ports['http'][0]} 1`);
    expect(server.requests().map((r) => r.url)).toContain(`http://web-platform.test:${server.ports['http'][0]}/d/h.sub.txt?a=1`);
  });

  it('serves its own report and vendor scripts, WebIDLParser.js from webidl2, directories 200, MIME types', async () => {
    expect((await get('/resources/testharnessreport.js')).body).toContain('timeout_multiplier: 3');
    expect((await get('/resources/testdriver-vendor.js')).body).toContain('internal.set_permission');
    expect((await get('/resources/WebIDLParser.js')).body).toBe('/* parser */');
    const dir = await get('/d');
    expect([dir.status, dir.body.includes('t.window.js')]).toEqual([200, true]);
    expect((await get('/d/x.idl')).headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await get('/d/t.window.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/nothing')).status).toBe(404);
  });

  it('answers the native Python handlers and names an unknown one in a 501', async () => {
    const echo = await get('/background-fetch/resources/upload.py', undefined, 'POST', 'hello', { 'Content-Type': 'text/x-a' });
    expect([echo.status, echo.headers['content-type'], echo.body]).toEqual([200, 'text/x-a', 'hello']);
    expect((await get('/background-fetch/resources/upload.py', undefined, 'POST', 'x')).status).toBe(500);
    const missing = await get('/d/other.py');
    expect(missing.status).toBe(501);
    expect(missing.body).toContain('does not implement the Python handler /d/other.py');
  });

  it('answers a pipe it does not know with a 500 that names it', async () => {
    const r = await get('/d/x.idl?pipe=gzip');
    expect(r.status).toBe(500);
    expect(r.body).toContain('pipe "gzip" is not implemented');
  });
});
