/**
 * Connectivity lost mid-fetch and restored: MDN says the fetch pauses while offline and goes on
 * when the browser is back online. Page-level emulation (context.setOffline) does not reach the
 * browser's download service, so the loss has to be real: the browser and a fixture server run
 * inside a network namespace holding loopback plus a veth pair with a documentation address
 * (192.0.2.0/24: it only makes Chromium see a non-loopback link; nothing is sent to it). Taking
 * the veth link down makes Chromium offline while loopback, and so the server, stays reachable.
 *
 * Needs root (ip netns). Without it: not-automatable, with the error of the attempt.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launch } from '../../browsers/launch.js';
import type { ServedRequest } from '../../server/index.js';
import { servedView } from '../../recorder/served.js';
import type { ScenarioContext } from '../context.js';
import { defineScenario, MDN, type Scenario } from '../types.js';
import { facts, settle, start, text } from './common.js';
import { debug, orNull } from '../../util/debug.js';

const log = debug('bgprobe:scenarios');

const run = promisify(execFile);

async function ip(...args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 });
}

/** The namespace with lo + a veth pair up; removed at teardown. */
async function makeNamespace(ctx: ScenarioContext): Promise<{ name: string; link(up: boolean): Promise<void> }> {
  const name = `bgprobe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await ip('netns', 'add', name);
  } catch (e) {
    return ctx.notAutomatable(
      `Connectivity loss needs a network namespace (ip netns add, root): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}. ` +
        "context.setOffline() is not a substitute: it does not reach the browser's download service.",
    );
  }
  ctx.defer(() => ip('netns', 'del', name), `ip netns del ${name}`);
  const inNs = (...args: string[]) => ip('netns', 'exec', name, 'ip', ...args);
  await inNs('link', 'set', 'lo', 'up');
  await inNs('link', 'add', 'bgp0', 'type', 'veth', 'peer', 'name', 'bgp1');
  await inNs('addr', 'add', '192.0.2.1/24', 'dev', 'bgp0');
  const link = async (up: boolean) => {
    await inNs('link', 'set', 'bgp0', up ? 'up' : 'down');
    await inNs('link', 'set', 'bgp1', up ? 'up' : 'down');
  };
  await link(true);
  return { name, link };
}

/** A fixture server process inside the namespace. */
async function serverIn(ctx: ScenarioContext, ns: string): Promise<{ url: string; requests(): Promise<ServedRequest[]> }> {
  const script = fileURLToPath(new URL('../netns-server.js', import.meta.url));
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
  ctx.defer(() => {
    child.stdin?.end();
    setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    return Promise.resolve();
  }, 'stopping the namespaced fixture server');
  const lines = createInterface({ input: child.stdout! });
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiters.shift()?.(line));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the namespaced fixture server did not answer')), 10_000);
      waiters.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  const { url } = JSON.parse(await next()) as { url: string };
  return {
    url,
    async requests() {
      const answer = next();
      child.stdin!.write('requests\n');
      return (JSON.parse(await answer) as { requests: ServedRequest[] }).requests;
    },
  };
}

/** How long the fetch is watched with the link down (see the comment where it is used). */
const OFFLINE_WINDOW_MS = 8_000;

const offline = defineScenario({
  id: 'lifecycle.offline',
  title: 'Connectivity lost mid-fetch and restored',
  expectation: `While the device is offline the fetch pauses (it neither completes nor fails; watched for ${OFFLINE_WINDOW_MS / 1000} s after the link went down); once back online it goes on and succeeds.`,
  link: `${MDN}#concepts_and_usage`,
  timeout: 75_000,
  // A browser of its own inside a network namespace of its own.
  ownBrowser: true,
  async run(ctx) {
    const exe = ctx.browser.executablePath;
    if (!exe)
      return ctx.notAutomatable(
        `Needs a browser binary bgprobe can start inside a network namespace; ${ctx.browser.label} is a ${ctx.browser.kind === 'endpoint' ? 'CDP endpoint someone else started' : 'Playwright channel'}.`,
      );
    const ns = await makeNamespace(ctx);
    const server = await serverIn(ctx, ns.name);
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-netns-'));
    ctx.defer(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })), `removing ${dir}`);
    // Playwright talks to the browser over a pipe (fds 3/4), which `ip netns exec` passes on.
    const wrapper = join(dir, 'chromium');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.name} ${JSON.stringify(exe)} "$@"\n`);
    chmodSync(wrapper, 0o755);
    // Ctrl-C is the runner's (write the report of what finished): without this, Playwright's
    // process-wide SIGINT handler exits 130 before the report is written.
    const browser = await launch({ executablePath: wrapper, args: ctx.browser.args, handleSignals: false });
    ctx.defer(() => browser.close(), 'closing the namespaced browser');
    const s = await ctx.open({ context: await browser.newContext(), origin: server.url });
    const t0 = Date.now();
    const r = await start(s, 'offline', [`${server.url}/res/ep.mp3?size=64k&rate=16k`]);
    const downloaded = async () => Number((await s.call('get', 'offline'))['downloaded'] ?? 0);
    await ctx.poll(
      async () => ((await server.requests()).some((q) => q.path === '/res/ep.mp3' && q.bytesSent > 0) ? true : undefined),
      ctx.untilDeadline(),
      100,
    );
    await ns.link(false);
    const downAt = Date.now();
    const onLineWhileDown = await s.page.evaluate(() => navigator.onLine);
    // A window is unavoidable (the expectation is that the fetch does NOT end while offline).
    // It counts from the link going down, after bytes were flowing, and is twice the time the
    // whole 64 KiB body takes at 16 KiB/s: a browser that ignored the dead link, or failed the
    // fetch on it, has had time to end it, even with its timers late on a loaded machine.
    await ctx.sleep(OFFLINE_WINDOW_MS);
    const whileDown = await s.call('get', 'offline');
    const completedWhileDown = s.recorder.fetch('offline')?.completedAt ?? null;
    await ns.link(true);
    const upAt = Date.now();
    const settled = await settle(ctx, s, 'offline');
    const completedAt = settled?.timeline.completedAt ?? null;
    for (const q of await server.requests()) ctx.extraServed.push(servedView(q));
    ctx.note(`Link down at +${((downAt - t0) / 1000).toFixed(1)} s, up at +${((upAt - t0) / 1000).toFixed(1)} s (namespace ${ns.name}).`);
    return {
      ...facts(settled, null, r, 'offline', s),
      onLineWhileDown,
      resultWhileDown: text(whileDown['result']),
      downloadedWhileDown: Number(whileDown['downloaded'] ?? 0),
      completedWhileDown: completedWhileDown !== null && completedWhileDown < upAt,
      secondsToCompleteAfterUp: completedAt === null ? null : Math.round((completedAt - upAt) / 100) / 10,
      downloadedAtEnd: await orNull(log, 'reading the downloaded bytes at the end', downloaded()),
      served: ctx.extraServed.filter((q) => q.url.includes('/res/')).length,
    };
  },
  judge(o) {
    if (!o.started) return { verdict: 'error', summary: `fetch() rejected: ${o.rejected?.name}: ${o.rejected?.message}` };
    if (o.completedWhileDown || o.resultWhileDown !== '')
      return { verdict: 'deviates', summary: `While offline the fetch ended (${o.resultWhileDown || o.outcome}) instead of pausing.` };
    if (o.outcome !== 'success')
      return {
        verdict: 'deviates',
        summary: `Paused while offline, but after the link came back it ended ${o.outcome}${o.failureReason ? ` (${o.failureReason})` : ''}.`,
      };
    return {
      verdict: 'conforms',
      summary: `Paused while offline (navigator.onLine=${o.onLineWhileDown}, downloaded ${o.downloadedWhileDown}), resumed and succeeded ${o.secondsToCompleteAfterUp} s after the link came back (${o.served} request(s) served).`,
    };
  },
});

export const OFFLINE_SCENARIOS: Scenario[] = [offline];
