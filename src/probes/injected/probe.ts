/**
 * Browser side: the probe that runs inside pages and service workers, before the app's own
 * scripts. Bundled by scripts/build-injected.mjs into one string (src/probes/injected/generated.ts)
 * that the installer hands to `Page.addScriptToEvaluateOnNewDocument` and `Runtime.evaluate`.
 *
 * Rules it keeps: it never changes what the app sees. Every wrapper returns the very promise
 * (or rethrows the very error) the original produced; listeners it adds only read; the wrapped
 * members look native (stealth.ts); it leaves no global, property or symbol behind (the report
 * binding is taken off the global, channel.ts); it reads the app's arguments through data
 * properties only, so no getter of the app's runs twice. Its empty catches are on purpose: inside
 * the app there is no logger to tell, and a failure to observe must never become the app's.
 */
import type { ErrorInfo, IconInfo, RecordInfo } from '../types.js';
import type { Probe, RegistrationState } from './probe-api.js';
import { Channel } from './channel.js';
import {
  BFM,
  BFR,
  addListener,
  baseHref,
  dataOf,
  mapGet,
  mapOwn,
  mapSet,
  isArray,
  ownKeys,
  setAdd,
  setDelete,
  weakSetAdd,
  weakSetHas,
  isWorker,
  now,
  onSettled,
  originOf,
  record as recordOf,
  reflectApply,
  reg as regField,
  requestMethodOf,
  requestUrlOf,
  response,
  stringOf,
  toJsonOwn,
  type Global,
} from './natives.js';
import { installedBefore, patchToString, wrap } from './stealth.js';
import { probeWorker } from './worker.js';

export interface ProbeConfig {
  /** The `Runtime.addBinding` name to take off the global. */
  binding: string;
  /** A random key: `Symbol.for(key)` is this probe's marker (see stealth.installedBefore). */
  key: string;
  /**
   * A random token every payload starts with. The binding itself stays on the global of a realm
   * the probe never runs in (a same-origin about:blank or srcdoc iframe, a popup's first
   * document), where the page can call it: what does not start with the seal is not the probe's.
   */
  seal: string;
  /** Evaluated after the worker's own script ran: its listeners were not seen, so not counted. */
  afterAppScript: boolean;
}

const URLCtor = URL;

export function errInfo(e: unknown): ErrorInfo {
  const name = dataOf(e, 'name') ?? (e instanceof Error ? safe(() => e.name) : undefined);
  const message = dataOf(e, 'message') ?? (e instanceof Error ? safe(() => e.message) : undefined);
  return { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : (stringOf(e) ?? '') };
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function stateOf(r: unknown): RegistrationState {
  const result = regField.result(r);
  return {
    downloaded: num(regField.downloaded(r)),
    downloadTotal: num(regField.downloadTotal(r)),
    uploaded: num(regField.uploaded(r)),
    uploadTotal: num(regField.uploadTotal(r)),
    result: result === 'success' || result === 'failure' ? result : '',
    failureReason: stringOf(regField.failureReason(r)) ?? '',
  };
}

/** What an icon was given as: src, sizes and type, and every key it had ('size' for 'sizes' is a real mistake). */
function iconInfo(i: unknown): IconInfo {
  if (!i || typeof i !== 'object') return { src: stringOf(i), sizes: null, type: null, keys: [] };
  let keys: string[] = [];
  try {
    keys = ownKeys(i);
  } catch {
    // A Proxy may refuse.
  }
  return { src: stringOf(dataOf(i, 'src')), sizes: stringOf(dataOf(i, 'sizes')), type: stringOf(dataOf(i, 'type')), keys };
}

function requestUrl(r: unknown): string {
  if (typeof r === 'string') {
    try {
      return new URLCtor(r, baseHref()).href;
    } catch {
      return r;
    }
  }
  const url = requestUrlOf(r);
  return typeof url === 'string' ? url : '';
}

function makeProbe(g: Global, channel: Channel): Probe {
  const context = isWorker ? 'worker' : 'page';
  let origin: string | null = null;
  const inflight = new Set<Promise<unknown>>();
  const watched = new WeakSet<object>();
  // The app may hold several objects for one registration (fetch() and each get()); all of them
  // fire the same progress events. One sample per change of state per id.
  const lastState = new Map<string, string>();
  const probe: Probe = {
    g,
    inflight,
    report(body) {
      origin ??= originOf();
      // `at` read as an own property: a missing one looked up through Object.prototype would
      // run an app's getter there with the record in hand, free to rewrite it before it goes.
      const at = dataOf(body, 'at');
      channel.report({ ...body, at: typeof at === 'number' ? at : now(), origin, context });
    },
    track(p) {
      setAdd(inflight, p);
      const drop = () => setDelete(inflight, p);
      void onSettled(p, drop, drop);
    },
    watch(registration) {
      if (!registration || typeof registration !== 'object' || weakSetHas(watched, registration)) return;
      weakSetAdd(watched, registration);
      const sample = () => {
        const id = stringOf(regField.id(registration)) ?? '';
        const st = stateOf(registration);
        const key = toJsonOwn(st) ?? '';
        if (mapGet(lastState, id) === key) return;
        mapSet(lastState, id, key);
        probe.report({ kind: 'progress', id, ...st });
      };
      sample();
      try {
        if (addListener) reflectApply(addListener, registration, ['progress', sample]);
      } catch {
        // Not an EventTarget after all.
      }
    },
    state: stateOf,
    iconInfo,
    requestUrl,
  };
  return probe;
}

/** Clone each response the moment it is ready (before the app's continuation reads it), then measure the clones. */
async function describeRecords(list: readonly unknown[]): Promise<RecordInfo[]> {
  // mapOwn and index loops, never the app's Array.prototype (map, iterators): they would hand
  // it the records being put together.
  const items = mapOwn(list, (rec) => {
    const request = recordOf.request(rec);
    const item: RecordInfo = {
      url: stringOf(requestUrlOf(request)) ?? '',
      method: stringOf(requestMethodOf(request)) ?? '',
      status: null,
      size: null,
    };
    const clone = onSettled(
      recordOf.responseReady(rec),
      (resp) => {
        const status = response.status(resp);
        item.status = typeof status === 'number' ? status : null;
        return response.clone(resp);
      },
      () => null,
    );
    return { item, clone };
  });
  for (let i = 0; i < items.length; i++) items[i].item.size = await response.size(await items[i].clone);
  return mapOwn(items, (x) => (x as (typeof items)[number]).item);
}

function probeFetch(p: Probe): void {
  wrap(BFM, 'fetch', (self, original, args) => {
    // Indexes, not destructuring: that runs an array iterator, the app's to replace.
    const id = args[0],
      requests = args[1],
      options = args[2];
    const list: unknown[] = isArray(requests) ? requests : [requests];
    const icons = dataOf(options, 'icons');
    const iconList: unknown[] = isArray(icons) ? icons : [];
    const title = dataOf(options, 'title');
    const downloadTotal = dataOf(options, 'downloadTotal');
    const body = {
      kind: 'fetch-call' as const,
      id: stringOf(id) ?? '',
      at: now(),
      requests: mapOwn(list, p.requestUrl),
      options: {
        ...(typeof title === 'string' ? { title } : {}),
        ...(typeof downloadTotal === 'number' ? { downloadTotal } : {}),
        icons: iconList.length,
        iconInfo: mapOwn(iconList, p.iconInfo),
      },
    };
    let result: unknown;
    try {
      result = reflectApply(original, self, args);
    } catch (e) {
      p.report({ ...body, ok: false, error: errInfo(e) });
      throw e;
    }
    p.track(
      onSettled(
        result,
        (registration) => {
          p.report({ ...body, ok: true, error: null });
          p.watch(registration);
        },
        (e) => p.report({ ...body, ok: false, error: errInfo(e) }),
      ),
    );
    return result;
  });
  wrap(BFM, 'get', (self, original, args) => {
    const result = reflectApply(original, self, args);
    void onSettled(
      result,
      (registration) => registration && p.watch(registration),
      () => undefined,
    );
    return result;
  });
}

function probeRegistration(p: Probe): void {
  wrap(BFR, 'abort', (self, original, args) => {
    const id = stringOf(regField.id(self)) ?? '';
    const result = reflectApply(original, self, args);
    p.track(
      onSettled(
        result,
        (value) => p.report({ kind: 'abort-call', id, ok: true, value: typeof value === 'boolean' ? value : null, error: null }),
        (e) => p.report({ kind: 'abort-call', id, ok: false, value: null, error: errInfo(e) }),
      ),
    );
    return result;
  });
  const methods = ['match', 'matchAll'] as const;
  // Index loops, never an array's iterator (a late-probed worker's app may have replaced it).
  for (let i = 0; i < methods.length; i++) {
    const method = methods[i];
    wrap(BFR, method, (self, original, args) => {
      const id = stringOf(regField.id(self)) ?? '';
      const at = now();
      const result = reflectApply(original, self, args);
      p.track(
        onSettled(
          result,
          async (value) => {
            const list: unknown[] = value === undefined ? [] : isArray(value) ? value : [value];
            p.report({ kind: 'records', id, at, method, ok: true, error: null, records: await describeRecords(list) });
          },
          (e) => p.report({ kind: 'records', id, at, method, ok: false, error: errInfo(e), records: [] }),
        ),
      );
      return result;
    });
  }
}

/** Install the probe in this global (once: a second evaluation in the same global does nothing). */
export function install(config: ProbeConfig): void {
  const g = globalThis as Global;
  const mark = Symbol.for(config.key);
  const answer = `bgprobe:${config.key}`;
  if (installedBefore(mark, answer)) return;
  patchToString(mark, answer);
  const channel = new Channel(g, config.binding, config.seal);
  const p = makeProbe(g, channel);
  probeFetch(p);
  probeRegistration(p);
  if (isWorker) probeWorker(p, config.afterAppScript, errInfo);
}
