/**
 * Browser side. What the probe needs from the platform, taken once when it is installed (before
 * the app's first script), so that an app replacing a built-in later neither sees the probe call
 * it nor can break the probe: `Function.prototype.apply`, promises' `then`, JSON, timers, the
 * native getters of the objects the probe reads.
 */

/** The global the probe runs in: a window or a service worker, read loosely. */
export type Global = typeof globalThis & Record<string, unknown>;

type AnyFn = (...args: unknown[]) => unknown;

const g = globalThis as Global;

export const reflectApply: typeof Reflect.apply = Reflect.apply;
const getOwn: typeof Object.getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const defineProperty: typeof Object.defineProperty = Object.defineProperty;
export const deleteProperty: typeof Reflect.deleteProperty = Reflect.deleteProperty;
export const isArray: typeof Array.isArray = Array.isArray;
export const stringify: typeof JSON.stringify = JSON.stringify;
export const ownKeys: typeof Object.keys = Object.keys;
const isFiniteNumber: typeof Number.isFinite = Number.isFinite;
const setPrototypeOf: typeof Object.setPrototypeOf = Object.setPrototypeOf;
export const ownNames: typeof Object.getOwnPropertyNames = Object.getOwnPropertyNames;
const then: AnyFn = Promise.prototype.then as AnyFn;
const promiseResolve = Promise.resolve.bind(Promise) as <T>(v: T) => Promise<Awaited<T>>;
const PromiseCtor = Promise;

/** `p.then(ok, fail)` with the `then` taken at install time. */
export function onSettled<T>(p: unknown, ok: (v: T) => unknown, fail: (e: unknown) => unknown): Promise<unknown> {
  return reflectApply(then, promiseResolve(p), [ok, fail]) as Promise<unknown>;
}

/** A promise that settles when every one of `list` has (never rejects). */
export function allSettled(list: readonly unknown[]): Promise<void> {
  return new PromiseCtor<void>((resolve) => {
    let left = list.length;
    if (!left) return resolve();
    const one = () => {
      left -= 1;
      if (!left) resolve();
    };
    // An index loop: an array's iterator is the app's to replace.
    for (let i = 0; i < list.length; i++) void onSettled(list[i], one, one);
  });
}

/**
 * `o` without a prototype. Every property descriptor the probe passes goes through it: an
 * ordinary object would let Object.prototype.get/set of the app's join the descriptor, and
 * defineProperty then throws (accessor and value both) in the app's own call.
 */
export function bare<T extends object>(o: T): T {
  setPrototypeOf(o, null);
  return o;
}

/** `list[i] = value` as an own data property: an index setter on Array.prototype never sees it. */
export function put<T>(list: T[], i: number, value: T): void {
  defineProperty(list, i, bare({ value, writable: true, enumerable: true, configurable: true }));
}

/** `list.push(value)` without Array.prototype. */
export function append<T>(list: T[], value: T): void {
  put(list, list.length, value);
}

/**
 * Collection and string methods, taken at install time and called through the captured
 * Reflect.apply: an app replacing Map.prototype.get (or any of these) later sees nothing of the
 * probe's data and cannot answer for it.
 */
function take<A extends unknown[], R>(proto: object, name: string): (self: unknown, ...args: A) => R {
  const fn = (proto as Record<string, AnyFn>)[name];
  return (self, ...args) => reflectApply(fn, self, args) as R;
}
export const weakMapGet = take<[object], unknown>(WeakMap.prototype, 'get');
export const weakMapSet = take<[object, unknown], unknown>(WeakMap.prototype, 'set');
export const weakSetHas = take<[object], boolean>(WeakSet.prototype, 'has');
export const weakSetAdd = take<[object], unknown>(WeakSet.prototype, 'add');
export const mapGet = take<[unknown], unknown>(Map.prototype, 'get');
export const mapSet = take<[unknown, unknown], unknown>(Map.prototype, 'set');
export const setAdd = take<[unknown], unknown>(Set.prototype, 'add');
export const setDelete = take<[unknown], boolean>(Set.prototype, 'delete');
export const setForEach = take<[(v: unknown) => void], void>(Set.prototype, 'forEach');
const lower = take<[], string>(String.prototype, 'toLowerCase');
export const strSlice = take<[number, number?], string>(String.prototype, 'slice');
/** Whether `s` starts with `prefix` (lower case), any case, without RegExp (its exec is the app's). */
export function startsAnyCase(s: string, prefix: string): boolean {
  return strSlice(lower(s), 0, prefix.length) === prefix;
}

/** A getter of a prototype, called on `obj`; undefined when it is missing or throws. */
function getter(proto: object | undefined, name: string): (obj: unknown) => unknown {
  const get = proto ? getOwn(proto, name)?.get : undefined;
  return (obj) => {
    if (!get) return undefined;
    try {
      return reflectApply(get, obj, []) as unknown;
    } catch {
      return undefined;
    }
  };
}

function proto(name: string): object | undefined {
  const ctor = g[name];
  return typeof ctor === 'function' ? (ctor as { prototype?: object }).prototype : undefined;
}

export const BFM = proto('BackgroundFetchManager');
export const BFR = proto('BackgroundFetchRegistration');
export const UIE = proto('BackgroundFetchUpdateUIEvent');
export const BFE = proto('BackgroundFetchEvent');
export const EE = proto('ExtendableEvent');
export const ET = proto('EventTarget');
export const CLIENTS = proto('Clients');

export const addListener = (ET ? getOwn(ET, 'addEventListener')?.value : undefined) as AnyFn | undefined;

/** Registration fields, read with the platform's own getters. */
export const reg = {
  id: getter(BFR, 'id'),
  downloaded: getter(BFR, 'downloaded'),
  downloadTotal: getter(BFR, 'downloadTotal'),
  uploaded: getter(BFR, 'uploaded'),
  uploadTotal: getter(BFR, 'uploadTotal'),
  result: getter(BFR, 'result'),
  failureReason: getter(BFR, 'failureReason'),
  recordsAvailable: getter(BFR, 'recordsAvailable'),
};
export const eventRegistration = getter(BFE, 'registration');
export const eventTimeStamp = getter(proto('Event'), 'timeStamp');
export const requestUrlOf = getter(proto('Request'), 'url');
export const requestMethodOf = getter(proto('Request'), 'method');
const recordRequest = getter(proto('BackgroundFetchRecord'), 'request');
const recordResponseReady = getter(proto('BackgroundFetchRecord'), 'responseReady');
const responseStatus = getter(proto('Response'), 'status');
const responseClone = proto('Response') ? (getOwn(proto('Response')!, 'clone')?.value as AnyFn | undefined) : undefined;
const bodyArrayBuffer = proto('Response') ? (getOwn(proto('Response')!, 'arrayBuffer')?.value as AnyFn | undefined) : undefined;
const byteLength = getter(proto('ArrayBuffer'), 'byteLength');
const visibility = getter(proto('Document'), 'visibilityState');
const workerLocationOrigin = getter(proto('WorkerLocation'), 'origin') as (l: unknown) => string | undefined;
const workerLocationHref = getter(proto('WorkerLocation'), 'href') as (l: unknown) => string | undefined;
/** A window's location and its fields are unforgeable (own, non-configurable): read as they are. */
function windowLocation(field: 'origin' | 'href'): string | undefined {
  const loc = g['location'] as unknown as Record<string, unknown> | undefined;
  const v = loc ? loc[field] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export const record = { request: recordRequest, responseReady: recordResponseReady };
export const response = {
  status: responseStatus,
  /** The clone's body length, or null. */
  async size(resp: unknown): Promise<number | null> {
    if (!responseClone || !bodyArrayBuffer) return null;
    try {
      const clone = reflectApply(responseClone, resp, []);
      const buf = await (reflectApply(bodyArrayBuffer, clone, []) as Promise<unknown>);
      const n = byteLength(buf);
      return typeof n === 'number' ? n : null;
    } catch {
      return null;
    }
  },
  clone(resp: unknown): unknown {
    return responseClone ? reflectApply(responseClone, resp, []) : null;
  },
};

export const isWorker =
  typeof g['ServiceWorkerGlobalScope'] === 'function' && g instanceof (g['ServiceWorkerGlobalScope'] as new () => object);

const setT = typeof g.setTimeout === 'function' ? g.setTimeout.bind(g) : null;
const clearT = typeof g.clearTimeout === 'function' ? g.clearTimeout.bind(g) : null;
export function later(fn: () => void, ms: number): number | null {
  return setT ? (setT(fn, ms) as unknown as number) : null;
}
export function cancel(t: number): void {
  if (clearT) clearT(t);
}
export const hasTimers = setT !== null;

const perf = g.performance;
const perfNow = perf && typeof perf.now === 'function' ? perf.now.bind(perf) : null;
const timeOrigin = perf && typeof perf.timeOrigin === 'number' ? perf.timeOrigin : 0;
const dateNow = Date.now;
/** Wall clock, ms. */
export function now(): number {
  return perfNow && timeOrigin ? timeOrigin + perfNow() : dateNow();
}
/** Monotonic, ms. */
export function mono(): number {
  return perfNow ? perfNow() : dateNow();
}
/** An event's own time on the wall clock. */
export function eventTime(event: unknown): number {
  const ts = eventTimeStamp(event);
  return timeOrigin && typeof ts === 'number' && ts ? timeOrigin + ts : now();
}

export function pageHidden(): boolean {
  const doc = g['document'];
  return !!doc && visibility(doc) === 'hidden';
}

/**
 * The origin, read at the first report: a worker evaluated before its script has loaded has no
 * URL yet, and Chromium 150 kills the renderer on a self.location read then.
 */
export function originOf(): string {
  try {
    return (isWorker ? workerLocationOrigin(g['location']) : windowLocation('origin')) ?? '';
  } catch {
    return '';
  }
}

export function baseHref(): string | undefined {
  try {
    return isWorker ? workerLocationHref(g['location']) : windowLocation('href');
  } catch {
    return undefined;
  }
}

/** A data property's value (never an accessor: the probe runs no getter of the app's). */
export function dataOf(obj: unknown, key: string | number): unknown {
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return undefined;
  try {
    const d = getOwn(obj, key);
    return d && 'value' in d ? d.value : undefined;
  } catch {
    return undefined;
  }
}

/** An own data property that is a finite number or a string, as a string. */
export function stringOf(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? `${v}` : null;
}

/**
 * JSON of a record the probe built, without running any of the app's code: own data properties
 * only, no `toJSON` (JSON.stringify looks one up through Object.prototype and Array.prototype,
 * where an app can put one that rewrites every record), no getter, no iterator. Strings go
 * through JSON.stringify one by one (a primitive has no toJSON). Undefined values and functions
 * are left out of objects and are null in arrays, as in JSON.stringify.
 */
export function toJsonOwn(v: unknown, depth = 0): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return stringify(v);
  if (typeof v === 'number') return isFiniteNumber(v) ? `${v}` : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v !== 'object' || depth > 16) return undefined;
  let out = '';
  if (isArray(v)) {
    const n = dataOf(v, 'length');
    const len = typeof n === 'number' ? n : 0;
    for (let i = 0; i < len; i++) out += (i ? ',' : '') + (toJsonOwn(dataOf(v, i), depth + 1) ?? 'null');
    return `[${out}]`;
  }
  const keys = ownKeys(v);
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const s = toJsonOwn(dataOf(v, k), depth + 1);
    if (s === undefined) continue;
    out += `${first ? '' : ','}${stringify(k)}:${s}`;
    first = false;
  }
  return `{${out}}`;
}

const isTrustedGet = (() => {
  try {
    const EventCtor = g['Event'] as (new (type: string) => object) | undefined;
    return EventCtor ? getOwn(new EventCtor('x'), 'isTrusted')?.get : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Whether the browser dispatched `event` (an event the app built and dispatched itself, or an
 * object that is not an event at all, is not). The getter is taken at install time: an app can
 * neither replace it nor answer for a proxy.
 */
export function trusted(event: unknown): boolean {
  if (!isTrustedGet) return true;
  try {
    return reflectApply(isTrustedGet, event, []) === true;
  } catch {
    return false;
  }
}

/** `list.map(fn)` over an array of the app's, without its Array.prototype (own elements only). */
export function mapOwn<T>(list: unknown, fn: (item: unknown) => T): T[] {
  const out: T[] = [];
  const n = dataOf(list, 'length');
  const len = typeof n === 'number' ? n : 0;
  for (let i = 0; i < len; i++) put(out, i, fn(dataOf(list, i)));
  return out;
}
