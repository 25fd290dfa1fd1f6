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
  dataOf,
  eventRegistration,
  eventTime,
  isArray,
  later,
  mapOwn,
  now,
  ownKeys,
  onSettled,
  reflectApply,
  reg as regField,
  stringOf,
  trusted,
} from './natives.js';
import type { Probe } from './probe-api.js';
import { wrap } from './stealth.js';

const BF_TYPES: readonly SwEventType[] = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort', 'backgroundfetchclick'];
const isBfType = (t: unknown): t is SwEventType => typeof t === 'string' && (BF_TYPES as readonly string[]).includes(t);

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
    if (self && typeof self === 'object') {
      let list = extensions.get(self);
      if (!list) extensions.set(self, (list = []));
      // The value itself: a promise derived from it would be one more rejection to handle.
      list.push(args[0]);
    }
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
  let list = extensions.get(event);
  if (!list) extensions.set(event, (list = []));
  const promises = list;
  let seen = -1;
  const check = (): void => {
    if (promises.length !== seen) {
      seen = promises.length;
      void onSettled(
        allSettled(promises.slice()),
        () => later(check, 0),
        () => undefined,
      );
      return;
    }
    const outcomes: WaitUntilOutcome[] = [];
    const settled = promises.map((pr, i) =>
      onSettled(
        pr,
        () => (outcomes[i] = { status: 'fulfilled', error: null }),
        (e) => (outcomes[i] = { status: 'rejected', error: errInfo(e) }),
      ),
    );
    const done = () => {
      if (promises.length !== seen) return check();
      // A loop, not outcomes.every(): the app's Array.prototype would answer for it.
      let ok = true;
      for (let i = 0; i < outcomes.length; i++) if (outcomes[i]?.status !== 'fulfilled') ok = false;
      p.report({
        kind: 'sw-event-done',
        type,
        id,
        ok,
        extensions: promises.length,
        waitUntil: outcomes,
      });
    };
    void onSettled(allSettled([...settled, allSettled([...p.inflight])]), done, done);
  };
  later(check, 0);
}

class Listeners {
  /** The app's listeners for background-fetch names, as added and removed (one per listener + capture). */
  private readonly app = new Map<string, AppListener[]>();
  private readonly unknownSeen = new Set<string>();

  constructor(private readonly p: Probe) {}

  reportUnknown(name: string, via: 'addEventListener' | 'property'): void {
    if (this.unknownSeen.has(name)) return;
    this.unknownSeen.add(name);
    this.p.report({ kind: 'unknown-listener', id: '', name, via });
  }

  add(type: SwEventType, cb: unknown, opts: unknown): void {
    const signal = opts && typeof opts === 'object' ? dataOf(opts, 'signal') : undefined;
    const capture = captureOf(opts);
    const list = this.app.get(type) ?? [];
    this.app.set(type, list);
    if (signal && dataOf(signal, 'aborted') === true) return;
    if (list.some((l) => l.cb === cb && l.capture === capture)) return;
    list.push({ cb, capture, once: dataOf(opts, 'once') === true });
    try {
      if (signal && addListener) reflectApply(addListener, signal, ['abort', () => this.forget(type, cb, capture)]);
    } catch {
      // Not an AbortSignal.
    }
  }

  forget(type: string, cb: unknown, capture: boolean): void {
    const list = this.app.get(type);
    const i = list ? list.findIndex((l) => l.cb === cb && l.capture === capture) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  /** How many listeners this dispatch reaches; a once listener runs this time and is gone after. */
  dispatched(type: SwEventType): number {
    const tracked = this.app.get(type) ?? [];
    let handler: unknown;
    try {
      handler = this.p.g['on' + type];
    } catch {
      // A throwing accessor: no handler.
    }
    this.app.set(
      type,
      tracked.filter((l) => !l.once),
    );
    return tracked.length + (typeof handler === 'function' ? 1 : 0);
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
    for (const type of ownKeys(all)) {
      if (!isBfType(type)) {
        if (/^backgroundfetch/i.test(type)) this.reportUnknown(type, 'addEventListener');
        continue;
      }
      const handler = dataOf(this.p.g, 'on' + type);
      const entries = dataOf(all, type);
      const n = dataOf(entries, 'length');
      for (let i = 0; i < (typeof n === 'number' ? n : 0); i++) {
        const entry = dataOf(entries, i);
        const cb = dataOf(entry, 'listener');
        if (typeof cb !== 'function' || cb === handler) continue;
        this.add(type, cb, { capture: dataOf(entry, 'useCapture') === true, once: dataOf(entry, 'once') === true });
      }
    }
    return true;
  }

  /** on<name> properties set to a function for names that are not events (checked after the script and at each event). */
  scanProperties(): void {
    let names: string[] = [];
    try {
      names = Object.getOwnPropertyNames(this.p.g);
    } catch {
      return;
    }
    for (const name of names) {
      if (!/^onbackgroundfetch/i.test(name) || isBfType(name.slice(2))) continue;
      if (typeof dataOf(this.p.g, name) === 'function') this.reportUnknown(name, 'property');
    }
  }
}

function captureOf(opts: unknown): boolean {
  return typeof opts === 'boolean' ? opts : dataOf(opts, 'capture') === true;
}

function watchListeners(listeners: Listeners): void {
  wrap(ET, 'addEventListener', (self, original, args) => {
    const [type, cb, opts] = args;
    if (self === globalThis && typeof type === 'string' && cb) {
      if (isBfType(type)) listeners.add(type, cb, opts);
      else if (/^backgroundfetch/i.test(type)) listeners.reportUnknown(type, 'addEventListener');
    }
    return reflectApply(original, self, args);
  });
  wrap(ET, 'removeEventListener', (self, original, args) => {
    const [type, cb, opts] = args;
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
    const n = (self && typeof self === 'object' ? (calls.get(self) ?? 0) : 0) + 1;
    if (self && typeof self === 'object') calls.set(self, n);
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
  for (const type of BF_TYPES) {
    // Added before the app's script runs (and before addEventListener is wrapped), so this
    // listener sees the event first and is not counted as the app's. It only reads.
    if (!addListener) break;
    reflectApply(addListener, p.g, [
      type,
      (event: object) => {
        // Only what the browser dispatched: the app can build a BackgroundFetchEvent around the
        // real registration and dispatch it to itself, a success for a fetch that failed.
        if (!trusted(event)) return;
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
