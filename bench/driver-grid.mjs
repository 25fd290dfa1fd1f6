// A Grid stand-in without Java, for the benchmark's third row: the part of the Grid's cost that
// is "four browsers instead of one". It answers the four calls bgprobe makes of a Grid 4 (/status,
// POST /session, GET /session/<id>/timeouts, DELETE /session/<id>) on 127.0.0.1 and starts each
// session as a Grid node does: a chromedriver of its own, the same Chromium binary and the same
// stereotype flags as scripts/grid.sh's nodes. bgprobe then drives each browser on its own
// DevTools endpoint, as it does a local Grid's; only the hub and node JVMs are missing.
import { spawn } from 'node:child_process';
import { createServer as httpServer } from 'node:http';
import { createServer as netServer } from 'node:net';

/** The stereotype flags of scripts/grid.sh's node_toml (keep them the same). */
const NODE_ARGS = ['--no-sandbox', '--headless=new', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function ready(url, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(`${url}/status`, { signal: AbortSignal.timeout(1_000) });
      if (r.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`chromedriver at ${url} not ready within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const json = (res, status, value) => {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ value }));
};

/**
 * Starts the stand-in with `slots` slots; resolves { url, pids(), close() }. pids() lists the
 * chromedriver processes alive (their browsers are their children).
 */
export async function startDriverGrid({ slots, chromedriver = '/usr/bin/chromedriver', browser = '/usr/bin/chromium' }) {
  const sessions = new Map(); // id -> { driver: ChildProcess, url }
  let self = '';
  const server = httpServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    try {
      const path = new URL(req.url, 'http://x').pathname;
      const m = /^\/session\/([^/]+)(\/timeouts)?$/.exec(path);
      if (req.method === 'GET' && path === '/status') {
        const list = [...sessions.keys()];
        return json(res, 200, {
          ready: true,
          message: 'bench stand-in',
          nodes: [
            {
              id: 'local',
              uri: self,
              availability: 'UP',
              slots: Array.from({ length: slots }, (_, i) => ({
                stereotype: { browserName: 'chrome' },
                session: list[i] ? { sessionId: list[i], uri: self, capabilities: {} } : null,
              })),
            },
          ],
        });
      }
      if (req.method === 'POST' && path === '/session') {
        if (sessions.size >= slots) return json(res, 500, { error: 'session not created', message: 'every slot is busy' });
        const asked = JSON.parse(body).capabilities?.alwaysMatch ?? {};
        const port = await freePort();
        const driver = spawn(chromedriver, [`--port=${port}`], { stdio: 'ignore' });
        const url = `http://127.0.0.1:${port}`;
        try {
          await ready(url);
          const r = await fetch(`${url}/session`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json; charset=utf-8' },
            body: JSON.stringify({
              capabilities: {
                alwaysMatch: {
                  browserName: 'chrome',
                  'goog:chromeOptions': { binary: browser, args: [...NODE_ARGS, ...(asked['goog:chromeOptions']?.args ?? [])] },
                },
              },
            }),
          });
          const value = (await r.json()).value;
          const address = value.capabilities['goog:chromeOptions'].debuggerAddress;
          const version = await (await fetch(`http://${address}/json/version`)).json();
          sessions.set(value.sessionId, { driver, url });
          return json(res, 200, {
            sessionId: value.sessionId,
            capabilities: {
              ...value.capabilities,
              'se:cdp': version.webSocketDebuggerUrl,
              'se:cdpVersion': value.capabilities.browserVersion,
            },
          });
        } catch (e) {
          driver.kill('SIGKILL');
          return json(res, 500, { error: 'session not created', message: String(e) });
        }
      }
      if (m && sessions.has(m[1])) {
        const s = sessions.get(m[1]);
        const r = await fetch(`${s.url}${path}`, { method: req.method, signal: AbortSignal.timeout(10_000) });
        const text = await r.text();
        if (req.method === 'DELETE') {
          sessions.delete(m[1]);
          s.driver.kill('SIGTERM');
        }
        res.writeHead(r.status, { 'Content-Type': 'application/json; charset=utf-8' });
        return res.end(text);
      }
      return json(res, 404, { error: 'invalid session id', message: `${req.method} ${path}` });
    } catch (e) {
      return json(res, 500, { error: 'unknown error', message: String(e) });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `http://127.0.0.1:${server.address().port}`;
  return {
    url: self,
    pids: () => [...sessions.values()].map((s) => s.driver.pid),
    async close() {
      for (const s of sessions.values()) s.driver.kill('SIGKILL');
      sessions.clear();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
