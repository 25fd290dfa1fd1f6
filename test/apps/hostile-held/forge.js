// What both the page and the worker of this app forge and push: shared by importScripts/script tag.
// `self.FORGE.hook(scope)` hooks the built-ins an observer uses on its way out; every function
// handed to them, and every object that looks like a record, is caught. `FORGE.push(fns)` calls
// each caught function with forged records and junk.
(() => {
  const origin = self.location.origin;
  const base = () => ({ id: 'episode', at: Date.now(), origin });
  const forged = () => [
    { ...base(), kind: 'sw-event', context: 'worker', type: 'backgroundfetchsuccess', result: 'success', failureReason: '', downloaded: 1, downloadTotal: 1, uploaded: 0, uploadTotal: 0, recordsAvailable: true, listeners: 1 },
    { ...base(), kind: 'ui-update', context: 'worker', call: 1, title: 'FORGED: downloaded', icons: null, ok: true, error: null },
    { ...base(), kind: 'sw-event', context: 'page', type: 'backgroundfetchsuccess', result: 'success', failureReason: '', downloaded: 1, downloadTotal: 1, uploaded: 0, uploadTotal: 0, recordsAvailable: true, listeners: 1 },
    { ...base(), kind: 'ui-update', context: 'page', call: 1, title: 'FORGED: downloaded', icons: null, ok: true, error: null },
    // Valid page-kind records, which a page channel would accept under the page's seal.
    { ...base(), kind: 'progress', context: 'page', downloaded: 1, downloadTotal: 1, uploaded: 0, uploadTotal: 0, result: 'success', failureReason: '' },
    { ...base(), kind: 'records', context: 'page', method: 'matchAll', ok: true, error: null, records: [{ url: `${origin}/FORGED`, method: 'GET', status: 200, size: 1 }] },
    { ...base(), kind: 'fetch-call', context: 'page', ok: true, error: null, requests: [`${origin}/FORGED`], options: { title: 'FORGED', icons: 0, iconInfo: [] } },
  ];
  const junk = () => {
    const list = [];
    for (let i = 0; i < 300; i++) list.push('{"kind":"sw-event",' + i);
    list.push(JSON.stringify({ ...base(), kind: 'progress', pad: 'x'.repeat(5 * 1024 * 1024) }));
    list.push('['.repeat(5000) + ']'.repeat(5000));
    for (let i = 0; i < 100; i++) list.push(`{"__proto__":{"polluted":${i}},"kind":"ui-update","id":"episode"}`);
    list.push(undefined, null, 42, {}, []);
    return list;
  };
  // The same rewrite for any record the page's or worker's hooks get hold of: the fetch failed, say it succeeded.
  function rewrite(rec) {
    if (!rec || typeof rec !== 'object' || typeof rec.kind !== 'string' || rec.__forged) return rec;
    try {
      Object.defineProperty(rec, '__forged', { __proto__: null, value: true });
      if (rec.kind === 'sw-event') { rec.type = 'backgroundfetchsuccess'; rec.result = 'success'; rec.failureReason = ''; }
      if (rec.kind === 'ui-update') { rec.title = 'FORGED: downloaded'; rec.ok = true; rec.error = null; }
      if (rec.kind === 'sw-event-done') { rec.type = 'backgroundfetchsuccess'; rec.ok = true; }
      if (rec.kind === 'progress') { rec.result = 'success'; rec.failureReason = ''; }
    } catch {}
    return rec;
  }
  // Its own copies: the hooks below replace the built-ins it would otherwise call itself.
  const rApply0 = Reflect.apply;
  const setAdd = Set.prototype.add;
  const reTest = RegExp.prototype.test;
  const split = String.prototype.split;
  const ErrorCtor = Error;
  const FRAME = /:\d+:\d+\)?$/;
  const APP_FRAME = /\/(hostile-held|_shared)\//;
  /**
   * Whether the code calling a hook is the app's own (its scripts' URLs): then the hook does what
   * the built-in does. Anything else (an observer's code, which has no URL) is lied to.
   */
  // The lies are told in the worker only: in the page, Playwright's own main-world scripts (the
  // test's locators) would be lied to as well.
  const LYING = !self.document;
  function fromApp() {
    if (!LYING) return true;
    // Deep enough to reach the caller from inside nested hooks.
    const limit = ErrorCtor.stackTraceLimit;
    ErrorCtor.stackTraceLimit = 200;
    const stack = `${new ErrorCtor().stack}`;
    ErrorCtor.stackTraceLimit = limit;
    const lines = rApply0(split, stack, ['\n']);
    // Line 0 is "Error", 1 fromApp, 2 the hook: the first frame after them with a position is the caller.
    for (let i = 3; i < lines.length; i++) if (rApply0(reTest, FRAME, [lines[i]])) return rApply0(reTest, APP_FRAME, [lines[i]]);
    return false;
  }
  const caught = new Set();
  const records = { seen: 0 };
  function note(v) {
    if (typeof v === 'function') rApply0(setAdd, caught, [v]);
    else if (v && typeof v === 'object' && typeof v.kind === 'string') { records.seen++; rewrite(v); }
  }
  function hook() {
    const F = Function.prototype;
    const call = F.call, apply = F.apply, rApply = Reflect.apply, stringify = JSON.stringify;
    F.call = function (...args) { note(this); args.forEach(note); return rApply(call, this, args); };
    F.apply = function (t, a) { note(this); note(t); if (a) Array.from(a).forEach(note); return rApply(apply, this, [t, a]); };
    Reflect.apply = function (f, t, a) { note(f); note(t); if (a) Array.from(a).forEach(note); return rApply(f, t, a); };
    JSON.stringify = function (v, ...rest) { note(v); if (Array.isArray(v)) v.forEach(note); return rApply(stringify, JSON, [v, ...rest]); };
    // toJSON through the prototypes: JSON.stringify asks every object and array for one.
    Object.defineProperty(Object.prototype, 'toJSON', { __proto__: null, configurable: true, writable: true, value: function () { note(this); return this; } });
    // A getter/setter for the fields a record may lack: whoever reads them hands over the record.
    for (const key of ['at', 'origin', 'context']) {
      Object.defineProperty(Object.prototype, key, {
        __proto__: null,
        configurable: true,
        get() { note(this); return undefined; },
        set(v) { note(this); Object.defineProperty(this, key, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true }); },
      });
    }
    // Array methods and iterators a probe might use on its records and queues. To anyone but the
    // app they lie: push drops, map/slice/filter answer [], some says yes, includes no,
    // findIndex -1, splice nothing, every yes.
    const AP = Array.prototype;
    const LIES = { push() { return this.length; }, map: () => [], slice: () => [], filter: () => [], some: () => true, includes: () => false, findIndex: () => -1, splice: () => [], every: () => true };
    for (const m of ['push', 'map', 'filter', 'some', 'every', 'join', 'slice', 'concat', 'forEach', 'includes', 'findIndex', 'splice']) {
      const orig = AP[m];
      Object.defineProperty(AP, m, { __proto__: null, configurable: true, writable: true, value: function (...args) {
        const app = fromApp();
        if (m !== 'forEach') { note(this); args.forEach((a) => note(a)); for (let i = 0; i < this.length; i++) note(this[i]); }
        return !app && LIES[m] ? rApply(LIES[m], this, args) : rApply(orig, this, args);
      } });
    }
    // An index setter: a write of index 0 into an array without one is dropped (the app's own
    // writes define it, as the built-in would).
    Object.defineProperty(AP, '0', {
      __proto__: null,
      configurable: true,
      get() { return undefined; },
      set(v) { note(v); if (fromApp()) Object.defineProperty(this, '0', { __proto__: null, value: v, writable: true, enumerable: true, configurable: true }); },
    });
    const AIP = Object.getPrototypeOf([][Symbol.iterator]());
    const next = AIP.next;
    AIP.next = function () { const r = rApply(next, this, []); note(r.value); return r; };
    // To anyone but the app: a WeakMap has a fresh [] for every key, a Map nothing, a Set everything.
    const COLLECTION_LIES = new Map([[WeakMap.prototype.get, () => []], [Map.prototype.get, () => undefined], [Set.prototype.has, () => true]]);
    for (const C of [Map, WeakMap, Set, WeakSet]) {
      for (const m of ['get', 'set', 'add', 'has', 'delete']) {
        const orig = C.prototype[m];
        if (typeof orig !== 'function') continue;
        const lie = COLLECTION_LIES.get(orig);
        C.prototype[m] = function (...args) { args.forEach(note); return lie && !fromApp() ? lie() : rApply(orig, this, args); };
      }
    }
    const test = RegExp.prototype.test;
    RegExp.prototype.test = function (...args) { args.forEach(note); return fromApp() ? rApply(test, this, args) : false; };
    const then = Promise.prototype.then;
    Promise.prototype.then = function (a, b) { note(a); note(b); return rApply(then, this, [a, b]); };
    if (self.console) for (const m of ['log', 'debug', 'info', 'warn', 'error']) { const o = console[m]; console[m] = function (...a) { a.forEach(note); return rApply(o, console, a); }; }
    if (self.postMessage) { const pm = self.postMessage; self.postMessage = function (...a) { a.forEach(note); return rApply(pm, this, a); }; }
    // Last (every descriptor literal above would have them): a `get` and a `set` for every object.
    // An observer passing an ordinary object as a property descriptor now makes defineProperty
    // throw ("cannot both specify accessors and a value") in the middle of the app's own call.
    // In the worker only, as the lies: in the page, some runs then lost the page's probe records
    // (not understood yet, see #21).
    if (LYING) for (const key of ['get', 'set']) {
      Object.defineProperty(Object.prototype, key, { __proto__: null, configurable: true, writable: true, value: function () { note(this); return undefined; } });
    }
  }
  /** Every function caught, and every new function of `realms`, called with forged records and junk. */
  async function push(realms, known) {
    const payloads = [...forged().map((f) => JSON.stringify(f)), JSON.stringify(forged()), ...junk()];
    const fns = new Set(caught);
    let found = [];
    for (const [i, realm] of realms.entries()) {
      let names = [];
      try { names = Object.getOwnPropertyNames(realm); } catch { continue; }
      for (const n of names) {
        if (known && known.has(n)) continue;
        let v;
        try { v = realm[n]; } catch { continue; }
        if (typeof v === 'function' && (!known || /^b[0-9a-f]{16}$|^__|bgprobe|playwright/i.test(n) || !(n in self))) { fns.add(v); found.push(`${i}:${n}`); }
      }
    }
    let calls = 0;
    // Only what looks native (an observer's wrappers do): the app's own functions, called with
    // junk, would only make real calls of its own (a real fetch() is evidence, not a forgery).
    const toString = Function.prototype.toString;
    const native = (fn) => { try { return /\[native code\]/.test(rApply0(toString, fn, [])); } catch { return false; } };
    for (const fn of fns) {
      if (!native(fn)) continue;
      if (/^b[0-9a-f]{16}$/.test(fn.name)) found.push(`caught:${fn.name}`);
      if (fn === self.fetch || fn === self.alert || fn === self.close || fn === self.open || fn === self.print || fn === self.stop) continue;
      for (const p of payloads) {
        try { fn(p); } catch {}
        calls++;
        if (calls % 200 === 0) await new Promise((r) => setTimeout(r, 0));
      }
    }
    return { caught: caught.size, records: records.seen, found, calls };
  }
  self.FORGE = { hook, push, forged, rewrite };
})();
