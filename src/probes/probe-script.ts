/**
 * The probe that runs inside pages and service workers, before the app's own scripts.
 * It is a plain-JS string (not a serialised function) so no bundler or TS transform can
 * inject helpers into it.
 *
 * Rules it keeps: it never changes what the app sees. Every wrapper returns the very promise
 * result (or rethrows the very error) the original produced; listeners it adds only read.
 * Reports go through a CDP binding whose reference is captured at install time. Its empty
 * `catch (e) {}` are on purpose: inside the app there is no logger to tell, and a failure to
 * observe must never become the app's failure.
 */
/** Long: its body is the text of one script that runs in the browser, not code that runs here. */
export function probeScript(bindingName: string, options: { afterAppScript?: boolean } = {}): string {
  return `(() => {
  const BINDING = ${JSON.stringify(bindingName)};
  // Evaluated after the worker's own script ran (it was already running, or started before the
  // breakpoint was in): the listeners it added then were not seen, so they cannot be counted.
  const AFTER_APP_SCRIPT = ${options.afterAppScript === true};
  const g = globalThis;
  const flag = '__bgprobeProbe_' + BINDING;
  if (g[flag]) return;
  // A worker paused before its script may not have the binding yet: look it up when reporting,
  // and keep the first reference found (so the app replacing the global cannot break reports).
  let sendRef = typeof g[BINDING] === 'function' ? g[BINDING] : null;
  const send = (text) => {
    if (!sendRef && typeof g[BINDING] === 'function') sendRef = g[BINDING];
    if (sendRef) sendRef(text);
  };
  Object.defineProperty(g, flag, { value: true, enumerable: false });
  const isWorker = typeof ServiceWorkerGlobalScope !== 'undefined' && g instanceof ServiceWorkerGlobalScope;
  const context = isWorker ? 'worker' : 'page';
  // Read at the first report, not now: a worker evaluated before its script has loaded has no
  // URL yet, and Chromium 150 kills the renderer on a self.location read then.
  let origin = null;
  const originNow = () => {
    if (origin === null) { try { origin = g.location ? g.location.origin : ''; } catch (e) { origin = ''; } }
    return origin;
  };
  const now = () => (g.performance && performance.timeOrigin ? performance.timeOrigin + performance.now() : Date.now());
  // Progress samples come by the hundred per fetch, and every binding call costs the browser and
  // the driver a round of work that the download competes with. So a sample after a quiet spell
  // goes at once, and the ones that follow within PROGRESS_FLUSH_MS go together at its end (each
  // keeps its own time). Any other record, the last sample of a fetch (result set) and the page
  // being hidden, frozen or unloaded send what is queued at once, in order. A page closed without
  // its unload handlers running (Playwright's page.close() default) can lose at most the samples
  // of its last PROGRESS_FLUSH_MS. Not batched: workers (they can be stopped at any moment and
  // see few samples) and hidden pages (their timers are throttled to a second or more).
  const PROGRESS_FLUSH_MS = 250;
  const PROGRESS_BATCH_MAX = 64;
  // Taken now: an app (or a fake clock) replacing the timers later must not stop the reports.
  const setT = typeof g.setTimeout === 'function' ? g.setTimeout.bind(g) : null;
  const clearT = typeof g.clearTimeout === 'function' ? g.clearTimeout.bind(g) : null;
  const perf = g.performance;
  const perfNow = perf && typeof perf.now === 'function' ? perf.now.bind(perf) : null;
  const mono = () => (perfNow ? perfNow() : Date.now());
  const unbatched = () => isWorker || !!(g.document && g.document.visibilityState === 'hidden');
  let queue = [];
  let timer = null;
  let lastSend = -Infinity;
  const flush = () => {
    if (timer !== null) { if (clearT) clearT(timer); timer = null; }
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    lastSend = mono();
    try { send(JSON.stringify(batch.length === 1 ? batch[0] : batch)); } catch (e) {}
  };
  const report = (rec) => {
    try {
      rec.at = rec.at || now(); rec.origin = originNow(); rec.context = context;
      queue.push(rec);
      if (rec.kind !== 'progress' || rec.result || !setT || unbatched() || queue.length >= PROGRESS_BATCH_MAX) return flush();
      if (timer !== null) return;
      const since = mono() - lastSend;
      if (!(since >= 0 && since < PROGRESS_FLUSH_MS)) return flush();
      timer = setT(flush, PROGRESS_FLUSH_MS - since);
    } catch (e) {}
  };
  if (!isWorker && typeof g.addEventListener === 'function') {
    try {
      g.addEventListener('pagehide', flush, true);
      g.addEventListener('visibilitychange', () => { if (g.document && g.document.visibilityState === 'hidden') flush(); }, true);
      if (g.document) g.document.addEventListener('freeze', flush, true);
    } catch (e) {}
  }
  // Reports still being put together (records being measured, updateUI/fetch() answers not in
  // yet). A worker event counts as handled only once those started while handling it are sent,
  // so the 'sw-event-done' record always follows them on the one ordered binding.
  const inflight = new Set();
  const track = (p) => {
    inflight.add(p);
    const drop = () => inflight.delete(p);
    p.then(drop, drop);
    return p;
  };
  const errInfo = (e) => ({ name: (e && e.name) || 'Error', message: String((e && e.message) || e) });
  const state = (r) => ({
    downloaded: r.downloaded, downloadTotal: r.downloadTotal, uploaded: r.uploaded, uploadTotal: r.uploadTotal,
    result: r.result, failureReason: r.failureReason,
  });
  const watched = new WeakSet();
  // The app may hold several objects for one registration (fetch() and each get()); all of them
  // fire the same progress events. One sample per change of state per id.
  const lastState = new Map();
  const watch = (reg) => {
    if (!reg || watched.has(reg)) return reg;
    watched.add(reg);
    const sample = () => {
      const st = state(reg);
      const key = JSON.stringify(st);
      if (lastState.get(reg.id) === key) return;
      lastState.set(reg.id, key);
      report(Object.assign({ kind: 'progress', id: reg.id }, st));
    };
    sample();
    try { reg.addEventListener('progress', sample); } catch (e) {}
    return reg;
  };
  // What an icon was given as: src, sizes and type, and every key it had (a 'size' key instead of
  // 'sizes' is a real mistake the browser ignores silently).
  const iconInfo = (i) => {
    if (!i || typeof i !== 'object') return { src: String(i), sizes: null, type: null, keys: [] };
    let keys = [];
    try { keys = Object.keys(i); } catch (e) {}
    return { src: i.src === undefined ? null : String(i.src), sizes: i.sizes === undefined ? null : String(i.sizes), type: i.type === undefined ? null : String(i.type), keys };
  };
  const requestUrl = (r) => {
    try { return typeof r === 'string' ? new URL(r, g.location.href).href : (r && r.url) || String(r); } catch (e) { return String(r); }
  };
  const wrap = (proto, name, fn) => {
    if (!proto) return;
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || typeof desc.value !== 'function') return;
    const original = desc.value;
    Object.defineProperty(proto, name, Object.assign({}, desc, { value: { [name](...args) { return fn.call(this, original, args); } }[name] }));
  };
  const describeRecords = async (records) => {
    // Clone each response the moment it is ready, before the app's own continuation reads it
    // (this handler was registered first), then measure the clones.
    const items = records.map((rec) => {
      const item = { url: rec.request ? rec.request.url : '', method: rec.request ? rec.request.method : '', status: null, size: null };
      const clone = Promise.resolve(rec.responseReady).then((resp) => { item.status = resp.status; return resp.clone(); });
      return { item, clone };
    });
    for (const { item, clone } of items) {
      try { item.size = (await (await clone).arrayBuffer()).byteLength; } catch (e) {}
    }
    return items.map((x) => x.item);
  };
  const BFM = g.BackgroundFetchManager && g.BackgroundFetchManager.prototype;
  const BFR = g.BackgroundFetchRegistration && g.BackgroundFetchRegistration.prototype;
  wrap(BFM, 'fetch', function (original, args) {
    const [id, requests, options] = args;
    const list = Array.isArray(requests) ? requests : [requests];
    const icons = options && Array.isArray(options.icons) ? options.icons : [];
    const meta = { kind: 'fetch-call', id: String(id), requests: list.map(requestUrl), options: {
      title: options && options.title, downloadTotal: options && options.downloadTotal, icons: icons.length, iconInfo: icons.map(iconInfo) } };
    const at = now();
    let p;
    try { p = original.apply(this, args); } catch (e) { report(Object.assign(meta, { at, ok: false, error: errInfo(e) })); throw e; }
    track(Promise.resolve(p).then((reg) => { report(Object.assign(meta, { at, ok: true, error: null })); watch(reg); },
      (e) => report(Object.assign(meta, { at, ok: false, error: errInfo(e) }))));
    return p;
  });
  wrap(BFM, 'get', function (original, args) {
    const p = original.apply(this, args);
    Promise.resolve(p).then((reg) => { if (reg) watch(reg); }, () => {});
    return p;
  });
  wrap(BFR, 'abort', function (original, args) {
    const id = this.id;
    const p = original.apply(this, args);
    track(Promise.resolve(p).then((value) => report({ kind: 'abort-call', id, ok: true, value, error: null }),
      (e) => report({ kind: 'abort-call', id, ok: false, value: null, error: errInfo(e) })));
    return p;
  });
  for (const method of ['match', 'matchAll']) {
    wrap(BFR, method, function (original, args) {
      const id = this.id;
      const at = now();
      const p = original.apply(this, args);
      track(Promise.resolve(p).then(async (value) => {
        const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
        report({ kind: 'records', id, at, method, ok: true, error: null, records: await describeRecords(list) });
      }, (e) => report({ kind: 'records', id, at, method, ok: false, error: errInfo(e), records: [] })));
      return p;
    });
  }
  if (isWorker) {
    const BF_TYPES = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort', 'backgroundfetchclick'];
    const calls = new WeakMap();
    let lastClick = null;
    // The app's waitUntil() promises per background-fetch event: when all have settled the
    // worker is done with the event (its updateUI and cache writes included). Tracked, never added
    // to: the probe must not extend an event's lifetime.
    const extensions = new WeakMap();
    const EE = g.ExtendableEvent && g.ExtendableEvent.prototype;
    wrap(EE, 'waitUntil', function (original, args) {
      // The app's listener may run before the probe's (a worker probed after its script ran).
      let list = extensions.get(this);
      if (!list) extensions.set(this, (list = []));
      list.push(Promise.resolve(args[0]));
      return original.apply(this, args);
    });
    const reportWhenDone = (event, type, id) => {
      let list = extensions.get(event);
      if (!list) extensions.set(event, (list = []));
      let seen = -1;
      const check = () => {
        if (list.length === seen) {
          // Settled: now wait for the reports of what the handlers started (a matchAll() whose
          // records are still being measured, an updateUI() answer), then say so.
          const outcomes = list.map((p) => p.then(() => ({ status: 'fulfilled', error: null }), (e) => ({ status: 'rejected', error: errInfo(e) })));
          Promise.all([Promise.all(outcomes), Promise.allSettled([...inflight])]).then(([waitUntil]) => {
            if (list.length !== seen) return check();
            report({ kind: 'sw-event-done', type, id, ok: waitUntil.every((o) => o.status === 'fulfilled'), extensions: list.length, waitUntil });
          });
          return;
        }
        seen = list.length;
        Promise.allSettled(list.slice()).then(() => setTimeout(check, 0));
      };
      setTimeout(check, 0);
    };
    // The app's listeners for background-fetch names, as added and removed (EventTarget keeps
    // one entry per listener + capture), so an event can say how many of them it reached.
    const appListeners = new Map();
    const unknownSeen = new Set();
    const reportUnknown = (name, via) => {
      if (unknownSeen.has(name)) return;
      unknownSeen.add(name);
      report({ kind: 'unknown-listener', id: '', name, via });
    };
    const captureOf = (opts) => (typeof opts === 'boolean' ? opts : !!(opts && opts.capture));
    const forget = (type, cb, capture) => {
      const list = appListeners.get(type);
      const i = list ? list.findIndex((l) => l.cb === cb && l.capture === capture) : -1;
      if (i >= 0) list.splice(i, 1);
    };
    // on<name> properties the app set for names that are not events: checked once its script
    // has run and again at each event (a handler may be set late).
    const scanProperties = () => {
      let names = [];
      try { names = Object.getOwnPropertyNames(g); } catch (e) {}
      for (const name of names) {
        if (!/^onbackgroundfetch/i.test(name) || BF_TYPES.includes(name.slice(2))) continue;
        let value;
        try { value = g[name]; } catch (e) { continue; }
        if (typeof value === 'function') reportUnknown(name, 'property');
      }
    };
    // After the worker's script has run (a task queued now runs after it): its on<name>
    // properties are set by then, and its URL is safe to read.
    if (setT) setT(() => { scanProperties(); report({ kind: 'worker-start', id: '', afterAppScript: AFTER_APP_SCRIPT }); }, 0);
    for (const type of BF_TYPES) {
      // Added before the app's script runs (and before addEventListener is wrapped), so this
      // listener sees the event first and is not counted as the app's. It only reads.
      g.addEventListener(type, (event) => {
        const reg = event.registration;
        watch(reg);
        // The event's own time: right even when the app's listener ran before this one.
        const at = g.performance && performance.timeOrigin && event.timeStamp ? performance.timeOrigin + event.timeStamp : now();
        if (type === 'backgroundfetchclick') lastClick = { id: reg.id, at };
        const tracked = appListeners.get(type) || [];
        let handler = null;
        try { handler = g['on' + type]; } catch (e) {}
        const listeners = AFTER_APP_SCRIPT ? null : tracked.length + (typeof handler === 'function' ? 1 : 0);
        // A once listener runs this time and is gone after.
        appListeners.set(type, tracked.filter((l) => !l.once));
        scanProperties();
        report(Object.assign({ kind: 'sw-event', type, id: reg.id, at, recordsAvailable: reg.recordsAvailable, listeners }, state(reg)));
        reportWhenDone(event, type, reg.id);
      });
    }
    const ET = g.EventTarget && g.EventTarget.prototype;
    wrap(ET, 'addEventListener', function (original, args) {
      const [type, cb, opts] = args;
      if (this === g && typeof type === 'string' && cb) {
        if (BF_TYPES.includes(type)) {
          const signal = opts && typeof opts === 'object' ? opts.signal : null;
          const capture = captureOf(opts);
          const list = appListeners.get(type) || [];
          appListeners.set(type, list);
          if (!(signal && signal.aborted) && !list.some((l) => l.cb === cb && l.capture === capture)) {
            list.push({ cb, capture, once: !!(opts && typeof opts === 'object' && opts.once) });
            try { if (signal) signal.addEventListener('abort', () => forget(type, cb, capture)); } catch (e) {}
          }
        } else if (/^backgroundfetch/i.test(type)) {
          reportUnknown(type, 'addEventListener');
        }
      }
      return original.apply(this, args);
    });
    wrap(ET, 'removeEventListener', function (original, args) {
      const [type, cb, opts] = args;
      if (this === g && typeof type === 'string') forget(type, cb, captureOf(opts));
      return original.apply(this, args);
    });
    const UIE = g.BackgroundFetchUpdateUIEvent && g.BackgroundFetchUpdateUIEvent.prototype;
    wrap(UIE, 'updateUI', function (original, args) {
      const opts = args[0] || {};
      const n = (calls.get(this) || 0) + 1;
      calls.set(this, n);
      const id = this.registration ? this.registration.id : '';
      const at = now();
      const icons = Array.isArray(opts.icons) ? opts.icons.map(iconInfo) : null;
      const rec = { kind: 'ui-update', id, at, call: n, title: opts.title === undefined ? null : String(opts.title), icons };
      let p;
      try { p = original.apply(this, args); } catch (e) { report(Object.assign(rec, { ok: false, error: errInfo(e) })); throw e; }
      track(Promise.resolve(p).then(() => report(Object.assign(rec, { ok: true, error: null })),
        (e) => report(Object.assign(rec, { ok: false, error: errInfo(e) }))));
      return p;
    });
    wrap(g.Clients && g.Clients.prototype, 'openWindow', function (original, args) {
      const click = lastClick && now() - lastClick.at < 30000 ? lastClick : null;
      const url = requestUrl(args[0]);
      const p = original.apply(this, args);
      if (click) {
        track(Promise.resolve(p).then(() => report({ kind: 'open-window', id: click.id, url, ok: true, error: null }),
          (e) => report({ kind: 'open-window', id: click.id, url, ok: false, error: errInfo(e) })));
      }
      return p;
    });
  }
})();`;
}
