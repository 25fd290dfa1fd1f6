/**
 * What bgprobe asks a Selenium Grid for and which slots can answer (the Grid's own matching
 * rule), and how a --grid URL and --grid-capabilities are read. The Grid itself is exercised
 * by test/e2e/grid-*.spec.ts; these are the pure parts, over a /status of the shape Grid 4.48
 * answers (scripts/grid.sh's stereotype).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  capacityFor,
  matchesStereotype,
  mergeCapabilities,
  noMatchMessage,
  parseCapabilities,
} from '../../src/browsers/grid/capabilities.js';
import { GridClient, parseGridUrl, type GridStatus } from '../../src/browsers/grid/client.js';
import { gridRequest, gridSpec } from '../../src/browsers/grid/type.js';
import { UsageError } from '../../src/errors.js';

const stereotype = (node: string) => ({
  browserName: 'chrome',
  platformName: 'linux',
  'bgprobe:node': node,
  'goog:chromeOptions': { binary: '/usr/bin/chromium', args: ['--headless=new'] },
  'se:webDriverExecutable': '/usr/bin/chromedriver',
});

const status = (busy = 0): GridStatus => ({
  ready: true,
  message: 'Selenium Grid ready.',
  nodes: [
    {
      id: 'a',
      uri: 'http://127.0.0.1:5555',
      availability: 'UP',
      slots: [0, 1].map((i) => ({
        stereotype: stereotype('node-1'),
        session: i < busy ? { sessionId: `s${i}`, uri: 'http://127.0.0.1:5555', capabilities: {} } : null,
      })),
    },
    {
      id: 'b',
      uri: 'http://127.0.0.1:5556',
      availability: 'UP',
      slots: [0, 1].map(() => ({ stereotype: stereotype('node-2'), session: null })),
    },
    { id: 'c', uri: 'http://127.0.0.1:5557', availability: 'DOWN', slots: [{ stereotype: stereotype('node-3'), session: null }] },
  ],
});

describe('the Grid matching rule', () => {
  it('matches on browserName and platformName, ignoring case of the platform', () => {
    expect(matchesStereotype(stereotype('n'), { browserName: 'chrome', platformName: 'LINUX' })).toBe(true);
    expect(matchesStereotype(stereotype('n'), { browserName: 'firefox' })).toBe(false);
    expect(matchesStereotype(stereotype('n'), { browserName: 'chrome', platformName: 'windows' })).toBe(false);
  });

  it('matches a stereotype extension capability only when the request names it', () => {
    expect(matchesStereotype(stereotype('node-1'), { browserName: 'chrome', 'bgprobe:node': 'node-1' })).toBe(true);
    expect(matchesStereotype(stereotype('node-1'), { browserName: 'chrome', 'bgprobe:node': 'node-2' })).toBe(false);
    // Vendor capabilities are the driver's, not the matcher's; an unknown one in the request is passed on.
    expect(
      matchesStereotype(stereotype('node-1'), { browserName: 'chrome', 'goog:chromeOptions': { args: ['--x'] }, 'bgprobe:run': 'r1' }),
    ).toBe(true);
  });

  it('counts the slots of UP nodes that match, and those free now', () => {
    expect(capacityFor(status(1), { browserName: 'chrome' })).toEqual({
      slots: 4,
      free: 3,
      nodes: ['http://127.0.0.1:5555', 'http://127.0.0.1:5556'],
    });
    expect(capacityFor(status(), { browserName: 'chrome', 'bgprobe:node': 'node-2' })).toEqual({
      slots: 2,
      free: 2,
      nodes: ['http://127.0.0.1:5556'],
    });
    expect(capacityFor(status(), { browserName: 'MicrosoftEdge' }).slots).toBe(0);
  });

  it('says what was asked and what the Grid offers when nothing matches', () => {
    const line = noMatchMessage('http://127.0.0.1:4444', status(), { browserName: 'firefox', 'bgprobe:run': 'r' });
    expect(line).toContain('browserName="firefox"');
    expect(line).toContain('chrome on linux (UP)');
    expect(line).not.toContain('\n');
  });
});

describe('capabilities', () => {
  it("joins goog:chromeOptions.args and lets the user's other values win", () => {
    const merged = mergeCapabilities(
      { browserName: 'chrome', 'goog:chromeOptions': { args: ['--ignore-certificate-errors-spki-list=abc'] } },
      { platformName: 'linux', 'goog:chromeOptions': { args: ['--lang=de'], binary: '/opt/chrome' } },
    );
    expect(merged).toEqual({
      browserName: 'chrome',
      platformName: 'linux',
      'goog:chromeOptions': { args: ['--ignore-certificate-errors-spki-list=abc', '--lang=de'], binary: '/opt/chrome' },
    });
  });

  it("asks a Grid's browser without the UI a local launch also turns off, one --disable-features with the lane's and the user's", () => {
    const spec = {
      ...gridSpec('http://127.0.0.1:4444', { 'goog:chromeOptions': { args: ['--disable-features=Foo', '--lang=de'] } }),
      args: ['--x'],
    };
    const args = (gridRequest(spec)['goog:chromeOptions'] as { args: string[] }).args;
    expect(args).toEqual(['--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,Foo', '--x', '--lang=de']);
    expect((gridRequest(gridSpec('http://127.0.0.1:4444', {}))['goog:chromeOptions'] as { args: string[] }).args).toEqual([
      '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
    ]);
  });

  it('refuses --grid-capabilities that are not a JSON object, in one line', () => {
    expect(() => parseCapabilities('{browserName: chrome}')).toThrow(UsageError);
    expect(() => parseCapabilities('["chrome"]')).toThrow(/must be a JSON object/);
    expect(parseCapabilities('{"browserName":"chrome"}')).toEqual({ browserName: 'chrome' });
  });

  it('reads a --grid URL, refusing what is not http(s)', () => {
    expect(parseGridUrl('127.0.0.1:4444')).toBe('http://127.0.0.1:4444');
    expect(parseGridUrl('http://grid.example:4444/wd/hub/')).toBe('http://grid.example:4444/wd/hub');
    expect(() => parseGridUrl('ftp://grid')).toThrow(UsageError);
    expect(() => parseGridUrl('http://')).toThrow(UsageError);
  });
});

describe('the Grid client against servers that are not a usable Grid', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  const serve = (handler: Parameters<typeof createServer>[1]) =>
    new Promise<string>((resolve) => {
      server = createServer(handler);
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`));
    });

  it('a web server that is not a Grid is a UsageError naming the URL', async () => {
    const url = await serve((_, res) => res.end('<html>hello</html>'));
    await expect(new GridClient(url).status()).rejects.toThrow(new RegExp(`${url} is not a Selenium Grid 4`));
  });

  it('nothing listening is a UsageError saying how to start one', async () => {
    const url = await serve((_, res) => res.end());
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    await expect(new GridClient(url).status()).rejects.toThrow(/Cannot reach a Selenium Grid .*make grid/);
  });

  it('a Grid that never answers /status ends at the deadline', async () => {
    const url = await serve(() => undefined);
    const started = Date.now();
    await expect(new GridClient(url).status(300)).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    server!.closeAllConnections();
  });

  it('a session request the Grid keeps queued ends at the deadline', async () => {
    const url = await serve(() => undefined);
    await expect(new GridClient(url).newSession({ browserName: 'chrome' }, { timeout: 300 })).rejects.toThrow(
      /handed out no session within 0.3 s/,
    );
    server!.closeAllConnections();
  });
});

describe('a cloud Grid given with credentials', () => {
  it('keeps them out of the URL shown and sends them as Basic authorization', async () => {
    let seen: string | undefined;
    const server = createServer((req, res) => {
      seen = req.headers.authorization;
      res.end(JSON.stringify({ value: { ready: true, message: 'ok', nodes: [] } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const client = new GridClient(`http://alice:s%3Acret@127.0.0.1:${port}/wd/hub`);
      expect(client.url).toBe(`http://127.0.0.1:${port}/wd/hub`);
      await client.status();
      expect(seen).toBe(`Basic ${Buffer.from('alice:s:cret').toString('base64')}`);
      // A client made from the URL shown (a spec's target) still authenticates.
      seen = undefined;
      await new GridClient(client.url).status();
      expect(seen).toBe(`Basic ${Buffer.from('alice:s:cret').toString('base64')}`);
    } finally {
      server.close();
    }
  });
});
