/**
 * The observer is invisible: with the recorder and its probes attached, a page and its service
 * worker see the same globals and the same Background Fetch API (every key @mdn/browser-compat-data
 * lists, plus every other member the probe wraps) as without bgprobe: property descriptors,
 * `length`, `name`, own keys and `Function.prototype.toString()` output, and
 * `Object.getOwnPropertyNames(globalThis)` and its symbols.
 */
/* eslint-disable @typescript-eslint/unbound-method -- the shape check reads methods off their objects on purpose */
import type { BrowserContext } from 'playwright-core';
import { backgroundFetchKeys } from '../../src/bcd/data.js';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { expect, test } from './support.js';

/** Members the probe wraps beyond Background Fetch's own (worker plumbing and toString itself). */
const ALSO_WRAPPED = [
  'api.EventTarget.addEventListener',
  'api.EventTarget.removeEventListener',
  'api.ExtendableEvent.waitUntil',
  'api.Clients.openWindow',
  'api.Function.toString',
];

type Shape = Record<string, unknown>;

/** Runs in the page and in the worker: what a script can learn of each key and of the global. */
function shapeOf(keys: string[]): Shape {
  const toString = Function.prototype.toString;
  const g = globalThis as unknown as Record<string, unknown>;
  const fn = (f: unknown) => {
    if (typeof f !== 'function') return { type: typeof f };
    const own = Object.getOwnPropertyNames(f).map((k) => {
      const d = Object.getOwnPropertyDescriptor(f, k)!;
      return `${k}:${String(d.writable)}${String(d.enumerable)}${String(d.configurable)}`;
    });
    let source: string;
    try {
      source = toString.call(f);
    } catch (e) {
      source = `throws ${String(e)}`;
    }
    return {
      length: (f as { length: number }).length,
      name: (f as { name: string }).name,
      own,
      source,
      viaMethod: (f as { toString(): string }).toString(),
    };
  };
  const describe = (holder: object | undefined, key: string) => {
    if (!holder) return 'no holder';
    const d = Object.getOwnPropertyDescriptor(holder, key);
    if (!d) return 'absent';
    return {
      w: d.writable,
      e: d.enumerable,
      c: d.configurable,
      value: 'value' in d ? fn(d.value) : null,
      get: d.get ? fn(d.get) : null,
      set: d.set ? fn(d.set) : null,
    };
  };
  const out: Shape = {};
  for (const key of keys) {
    const [, iface, member] = key.split('.');
    const ctor = g[iface] as { prototype?: object } | undefined;
    if (!member || member === iface) {
      out[key] = { global: describe(g, iface), prototypeKeys: ctor?.prototype ? Reflect.ownKeys(ctor.prototype).map(String) : null };
      continue;
    }
    const name = member.endsWith('_event') ? `on${member.slice(0, -'_event'.length)}` : member;
    out[key] = describe(ctor?.prototype, name);
  }
  // Playwright's tracing names its snapshot streamer with a random suffix per context.
  out['globalThis names'] = Object.getOwnPropertyNames(globalThis)
    .map((n) => n.replace(/^(__playwright_snapshot_streamer_)[0-9a-f]+$/, '$1*'))
    .sort();
  out['globalThis symbols'] = Object.getOwnPropertySymbols(globalThis).map(String);
  out['Function.prototype.toString on itself'] = Function.prototype.toString.call(Function.prototype.toString);
  return out;
}

async function shapes(context: BrowserContext, url: string, keys: string[]): Promise<{ page: Shape; worker: Shape }> {
  const page = await context.newPage();
  await page.goto(`${url}/podcast/`);
  await page.locator('body[data-sw-ready="1"]').waitFor();
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  return { page: await page.evaluate(shapeOf, keys), worker: await worker.evaluate(shapeOf, keys) };
}

test('page and service worker: every Background Fetch member and every global, the same with and without the probes', async ({
  bgBrowser,
  server,
}) => {
  const keys = [...backgroundFetchKeys(), ...ALSO_WRAPPED];
  expect(keys.length).toBeGreaterThan(30);
  const plain = await bgBrowser.newContext();
  const probed = await bgBrowser.newContext();
  try {
    const without = await shapes(plain, server.url, keys);
    const recorder = await BackgroundServiceRecorder.attach(probed);
    try {
      const withProbes = await shapes(probed, server.url, keys);
      // The probes are in: the worker said so from its first start, and the page reports too.
      await expect.poll(() => recorder.probeRecords().filter((r) => r.kind === 'worker-start').length).toBe(1);
      // Sanity: the comparison looks at real members, natively printed.
      expect(without.page['api.BackgroundFetchManager.fetch']).toMatchObject({
        value: { length: 2, name: 'fetch', source: 'function fetch() { [native code] }' },
      });
      expect(without.worker['api.BackgroundFetchUpdateUIEvent.updateUI']).toMatchObject({ value: { length: 0, name: 'updateUI' } });
      for (const where of ['page', 'worker'] as const) {
        for (const key of Object.keys(without[where])) expect(withProbes[where][key], `${where}: ${key}`).toEqual(without[where][key]);
      }
    } finally {
      await recorder.dispose();
    }
  } finally {
    await plain.close();
    await probed.close();
  }
});
