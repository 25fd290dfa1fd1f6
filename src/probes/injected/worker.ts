/**
 * Browser side, service workers only: the background-fetch events (and how many of the app's
 * listeners each reached), when the worker was done with each (its waitUntil() promises and the
 * reports they started), updateUI calls, clients.openWindow after a click, and listeners for
 * names that are not events.
 */
import type { ErrorInfo, SwEventType, WaitUntilOutcome } from '../types.js';
import {
  CLIENTS,
  EE,
  ET,
  UIE,
  addListener,
  allSettled,
  append,
  bare,
  dataOf,
  eventRegistration,
  eventTime,
  isArray,
  later,
  mapOwn,
  now,
  ownKeys,
  ownNames,
  onSettled,
  put,
  reflectApply,
  reg as regField,
  setForEach,
  startsAnyCase,
  strSlice,
  stringOf,
  trusted,
  weakMapGet,
  weakMapSet,
} from './natives.js';
import type { Probe } from './probe-api.js';
import { wrap } from './stealth.js';

const BF_TYPES: readonly SwEventType[] = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort', 'backgroundfetchclick'];
/**
 * The probe's own data is handled with index loops, `append`/`put` (own data properties) and the
 * collection methods natives.ts took at install time: never an Array.prototype method, an
 * iterator (spread, for-of), a Map/WeakMap/Set method or a RegExp the app can replace later.
 */
function isBfType(t: unknown): t is SwEventType {
  for (let i = 0; i < BF_TYPES.length; i++) if (BF_TYPES[i] === t) return true;
  return false;
}
/** A name that looks like a background-fetch one, in any case. */
const bfLike = (name: string): boolean => startsAnyCase(name, 'backgroundfetch');

/** The app's waitUntil() promises (or any event's) of one event, created on first use. */
function extensionsOf(extensions: WeakMap<object, unknown[]>, event: object): unknown[] {
  let list = weakMapGet(extensions, event) as unknown[] | undefined;
  if (!list) weakMapSet(extensions, event, (list = []));
  return list;
}

interface AppListener {
  cb: unknown;
  capture: boolean;
  once: boolean;
}

type ErrInfo = (e: unknown) => ErrorInfo;

/** The app's waitUntil() promises per event: tracked, never added to (the probe must not extend an event's lifetime). */
function trackWaitUntil(extensions: WeakMap<object, unknown[]>): void {
  wrap(EE, 'waitUntil', (self, original, args) => {
    // The app's listener may run before the probe's (a worker probed after its script ran).
    // The value itself: a promise derived from it would be one more rejection to handle.
    if (self && typeof self === 'object') append(extensionsOf(extensions, self), args[0]);
    return reflectApply(original, self, args);
  });
}

/**
 * When every waitUntil() promise of the event has settled, and the reports the handlers started
 * are sent, say so: the 'sw-event-done' record always follows them on the one ordered binding.
 */
function reportWhenDone(
  p: Probe,
  extensions: WeakMap<object, unknown[]>,
  errInfo: ErrInfo,
  event: object,
  type: SwEventType,
  id: string,
): void {
  const promises = extensionsOf(extensions, event);
  let seen = -1;
  const check = (): void => {
    if (promises.length !== seen) {
      seen = promises.length;
      const pending: unknown[] = [];
      for (let i = 0; i < seen; i++) append(pending, promises[i]);
      void onSettled(
        allSettled(pending),
        () => later(check, 0),
        () => undefined,
      );
      return;
    }
    const outcomes: WaitUntilOutcome[] = [];
    const settled: unknown[] = [];
    for (let i = 0; i < seen; i++) {
      append(
        settled,
        onSettled(
          promises[i],
          () => put(outcomes, i, { status: 'fulfilled', error: null }),
          (e) => put(outcomes, i, { status: 'rejected', error: errInfo(e) }),
        ),
      );
    }
    const inflight: unknown[] = [];
    setForEach(p.inflight, (pr) => append(inflight, pr));
    append(settled, allSettled(inflight));
    const done = () => {
      if (promises.length !== seen) return check();
      let ok = outcomes.length === seen;
      for (let i = 0; i < outcomes.length; i++) if (dataOf(dataOf(outcomes, i), 'status') !== 'fulfilled') ok = false;
      p.report({
        kind: 'sw-event-done',
        type,
        id,
        ok,
        extensions: promises.length,
        waitUntil: outcomes,
      });
    };
    void onSettled(allSettled(settled), done, done);
  };
  later(check, 0);
}

class Listeners {
  /** The app's listeners for background-fetch names, as added and removed (one per listener + capture). */
  private readonly app: Record<string, AppListener[]> = bare({});
  private readonly unknownSeen: Record<string, true> = bare({});

  constructor(private readonly p: Probe) {}

  private listOf(type: string): AppListener[] {
    return dataOf(this.app, type) ? this.app[type] : (this.app[type] = []);
  }

  reportUnknown(name: string, via: 'addEventListener' | 'property'): void {
    if (dataOf(this.unknownSeen, name)) return;
    this.unknownSeen[name] = true;
    this.p.report({ kind: 'unknown-listener', id: '', name, via });
  }

  add(type: SwEventType, cb: unknown, opts: unknown): void {
    const signal = opts && typeof opts === 'object' ? dataOf(opts, 'signal') : undefined;
    const capture = captureOf(opts);
    const list = this.listOf(type);
    if (signal && dataOf(signal, 'aborted') === true) return;
    for (let i = 0; i < list.length; i++) if (list[i].cb === cb && list[i].capture === capture) return;
    append(list, { cb, capture, once: dataOf(opts, 'once') === true });
    try {
      if (signal && addListener) reflectApply(addListener, signal, ['abort', () => this.forget(type, cb, capture)]);
    } catch {
      // Not an AbortSignal.
    }
  }

  forget(type: string, cb: unknown, capture: boolean): void {
    if (!isBfType(type)) return;
    this.keep(type, (l) => !(l.cb === cb && l.capture === capture));
  }

  /** The listeners of `type` for which `keep` says true, in a new list. */
  private keep(type: SwEventType, keep: (l: AppListener) => boolean): void {
    const list = this.listOf(type);
    const kept: AppListener[] = [];
    for (let i = 0; i < list.length; i++) if (keep(list[i])) append(kept, list[i]);
    this.app[type] = kept;
  }

  /** How many listeners this dispatch reaches; a once listener runs this time and is gone after. */
  dispatched(type: SwEventType): number {
    const reached = this.listOf(type).length;
    this.keep(type, (l) => !l.once);
    return reached + (typeof this.handler(type) === 'function' ? 1 : 0);
  }

  /** The app's `on<type>` handler: an accessor of the global's prototype, read as the app would. */
  private handler(type: string): unknown {
    try {
      return this.p.g['on' + type];
    } catch {
      return undefined; // A throwing accessor: no handler.
    }
  }

  /**
   * Probed after the worker's script ran: the listeners it added, as the browser lists them.
   * `getEventListeners` is DevTools' Command Line API, in scope only while the installer
   * evaluates the late probe (`includeCommandLineAPI`); the app's `on<type>` handlers are
   * counted at dispatch, so not here. False when it did not answer: listeners stay uncounted.
   */
  recover(): boolean {
    let all: unknown;
    try {
      const list = (this.p.g as Record<string, unknown>)['getEventListeners'];
      if (typeof list !== 'function') return false;
      all = reflectApply(list, undefined, [this.p.g]);
    } catch {
      return false;
    }
    if (!all || typeof all !== 'object') return false;
    const types = ownKeys(all);
    for (let t = 0; t < types.length; t++) {
      const type = types[t];
      if (!isBfType(type)) {
        if (bfLike(type)) this.reportUnknown(type, 'addEventListener');
        continue;
      }
      // The browser lists the on<type> handler too; dispatched() counts it, so one entry is skipped.
      let handler = this.handler(type);
      const entries = dataOf(all, type);
      const n = dataOf(entries, 'length');
      for (let i = 0; i < (typeof n === 'number' ? n : 0); i++) {
        const entry = dataOf(entries, i);
        const cb = dataOf(entry, 'listener');
        if (typeof cb !== 'function') continue;
        if (cb === handler) {
          handler = undefined;
          continue;
        }
        this.add(type, cb, { capture: dataOf(entry, 'useCapture') === true, once: dataOf(entry, 'once') === true });
      }
    }
    return true;
  }

  /** on<name> properties set to a function for names that are not events (checked after the script and at each event). */
  scanProperties(): void {
    let names: string[] = [];
    try {
      names = ownNames(this.p.g);
    } catch {
      return;
    }
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (!startsAnyCase(name, 'onbackgroundfetch') || isBfType(strSlice(name, 2))) continue;
      if (typeof dataOf(this.p.g, name) === 'function') this.reportUnknown(name, 'property');
    }
  }
}

function captureOf(opts: unknown): boolean {
  return typeof opts === 'boolean' ? opts : dataOf(opts, 'capture') === true;
}

function watchListeners(listeners: Listeners): void {
  wrap(ET, 'addEventListener', (self, original, args) => {
    // Indexes, not destructuring: that runs an array iterator, the app's to replace.
    const type = args[0],
      cb = args[1],
      opts = args[2];
    if (self === globalThis && typeof type === 'string' && cb) {
      if (isBfType(type)) listeners.add(type, cb, opts);
      else if (bfLike(type)) listeners.reportUnknown(type, 'addEventListener');
    }
    return reflectApply(original, self, args);
  });
  wrap(ET, 'removeEventListener', (self, original, args) => {
    const type = args[0],
      cb = args[1],
      opts = args[2];
    if (self === globalThis && typeof type === 'string') listeners.forget(type, cb, captureOf(opts));
    return reflectApply(original, self, args);
  });
}

function watchUpdateUI(p: Probe, errInfo: ErrInfo): void {
  const calls = new WeakMap<object, number>();
  wrap(UIE, 'updateUI', (self, original, args) => {
    // An event the app built and dispatched itself is not the browser's: its updateUI is no
    // evidence of the fetch (the platform refuses it anyway).
    if (!trusted(self)) return reflectApply(original, self, args);
    const opts = args[0];
    const isObj = !!self && typeof self === 'object';
    const n = ((isObj ? (weakMapGet(calls, self) as number | undefined) : 0) ?? 0) + 1;
    if (isObj) weakMapSet(calls, self, n);
    const id = stringOf(regField.id(eventRegistration(self))) ?? '';
    const title = dataOf(opts, 'title');
    const icons = dataOf(opts, 'icons');
    const body = {
      kind: 'ui-update' as const,
      id,
      at: now(),
      call: n,
      title: title === undefined ? null : stringOf(title),
      icons: isArray(icons) ? mapOwn(icons, p.iconInfo) : null,
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
        () => p.report({ ...body, ok: true, error: null }),
        (e) => p.report({ ...body, ok: false, error: errInfo(e) }),
      ),
    );
    return result;
  });
}

function watchOpenWindow(p: Probe, errInfo: ErrInfo, lastClick: () => { id: string; at: number } | null): void {
  wrap(CLIENTS, 'openWindow', (self, original, args) => {
    const last = lastClick();
    const click = last && now() - last.at < 30_000 ? last : null;
    const url = p.requestUrl(args[0]);
    const result = reflectApply(original, self, args);
    if (click) {
      p.track(
        onSettled(
          result,
          () => p.report({ kind: 'open-window', id: click.id, url, ok: true, error: null }),
          (e) => p.report({ kind: 'open-window', id: click.id, url, ok: false, error: errInfo(e) }),
        ),
      );
    }
    return result;
  });
}

export function probeWorker(p: Probe, afterAppScript: boolean, errInfo: ErrInfo): void {
  const extensions = new WeakMap<object, unknown[]>();
  const listeners = new Listeners(p);
  // Before the probe adds listeners of its own: the browser's list is then the app's alone.
  const counted = !afterAppScript || listeners.recover();
  let lastClick: { id: string; at: number } | null = null;
  trackWaitUntil(extensions);
  // After the worker's script has run (a task queued now runs after it): its on<name>
  // properties are set by then, and its URL is safe to read.
  later(() => {
    listeners.scanProperties();
    p.report({ kind: 'worker-start', id: '', afterAppScript, listenersCounted: counted });
  }, 0);
  for (let t = 0; t < BF_TYPES.length; t++) {
    const type = BF_TYPES[t];
    // Added before the app's script runs (and before addEventListener is wrapped), so this
    // listener sees the event first and is not counted as the app's. It only reads.
    if (!addListener) break;
    reflectApply(addListener, p.g, [
      type,
      (event: object) => {
        // Only what the browser dispatched: the app can build a BackgroundFetchEvent around the
        // real registration and dispatch it to itself, a success for a fetch that failed.
        // Its dispatch still used up the app's once listeners: they are not there at the real event.
        if (!trusted(event)) return void listeners.dispatched(type);
        const registration = eventRegistration(event);
        p.watch(registration);
        const id = stringOf(regField.id(registration)) ?? '';
        const at = eventTime(event);
        if (type === 'backgroundfetchclick') lastClick = { id, at };
        const reached = listeners.dispatched(type);
        listeners.scanProperties();
        const recordsAvailable = regField.recordsAvailable(registration) === true;
        p.report({
          kind: 'sw-event',
          type,
          id,
          at,
          recordsAvailable,
          listeners: counted ? reached : null,
          ...p.state(registration),
        });
        reportWhenDone(p, extensions, errInfo, event, type, id);
      },
    ]);
  }
  watchListeners(listeners);
  watchUpdateUI(p, errInfo);
  watchOpenWindow(p, errInfo, () => lastClick);
}
