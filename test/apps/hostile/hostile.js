// What a hostile page does to an observer it suspects: look for anything it did not put there
// itself, and call it with forged evidence and junk. Runs before the app's own script.
(() => {
  const atLoad = new Set(Object.getOwnPropertyNames(window));
  const symbolsAtLoad = Object.getOwnPropertySymbols(window).length;
  const origin = location.origin;
  const base = { id: 'episode', at: Date.now(), origin };
  // Forged evidence: a success event and an updateUI for a fetch that fails, as the worker's.
  const forged = [
    { ...base, kind: 'sw-event', context: 'worker', type: 'backgroundfetchsuccess', result: 'success', failureReason: '', downloaded: 1, downloadTotal: 1, uploaded: 0, uploadTotal: 0, recordsAvailable: true, listeners: 1 },
    { ...base, kind: 'sw-event-done', context: 'worker', type: 'backgroundfetchsuccess', ok: true, extensions: 1, waitUntil: [] },
    { ...base, kind: 'ui-update', context: 'worker', call: 1, title: 'FORGED: downloaded', icons: null, ok: true, error: null },
    { ...base, kind: 'sw-event', context: 'page', type: 'backgroundfetchsuccess', result: 'success', failureReason: '', downloaded: 1, downloadTotal: 1, uploaded: 0, uploadTotal: 0, recordsAvailable: true, listeners: 1 },
    { ...base, kind: 'ui-update', context: 'page', call: 1, title: 'FORGED: downloaded', icons: null, ok: true, error: null },
    { ...base, kind: 'unknown-listener', id: '', context: 'worker', name: 'backgroundfetchforged', via: 'property' },
  ];
  function junk() {
    const deep = (n) => '['.repeat(n) + ']'.repeat(n);
    const list = [];
    for (let i = 0; i < 2000; i++) list.push('{"kind":"progress",' + i);           // bad JSON
    for (let i = 0; i < 3; i++) list.push(JSON.stringify({ ...base, kind: 'progress', pad: 'x'.repeat(5 * 1024 * 1024) }));
    list.push(deep(5000), '{"a":'.repeat(5000) + '1' + '}'.repeat(5000));
    for (let i = 0; i < 500; i++) {
      list.push(`{"__proto__":{"polluted":${i}},"kind":"progress","id":"episode"}`);
      list.push(`{"constructor":{"prototype":{"polluted":${i}}},"kind":"records"}`);
      list.push(JSON.stringify({ ...base, kind: 'progress', context: 'page', downloaded: 'lots', downloadTotal: {}, uploaded: [], uploadTotal: null, result: 7, failureReason: false }));
      list.push(JSON.stringify({ ...base, kind: i % 2 ? 'toString' : '__proto__' }));
      list.push(JSON.stringify([null, i, 'x', [], { kind: 'progress' }]));
    }
    list.push(undefined, null, 42, {}, [], () => 1, Symbol('x'));
    return list;
  }
  async function attack() {
    const say = (t) => { document.getElementById('attack').textContent = t; };
    // (`start` is the app's own download function, page.js.)
    const found = Object.getOwnPropertyNames(window).filter((n) => n !== 'start' && (!atLoad.has(n) || /^__|bgprobe|playwright/i.test(n)));
    const callable = found.filter((n) => { try { return typeof window[n] === 'function'; } catch { return false; } });
    const payloads = [...forged.map((f) => JSON.stringify(f)), JSON.stringify(forged), ...junk()];
    let calls = 0;
    for (const name of callable) {
      for (const p of payloads) {
        try { window[name](p); calls++; } catch { calls++; }
        if (calls % 500 === 0) await new Promise((r) => setTimeout(r, 0));
      }
    }
    // Every other channel a page has: none of them is bgprobe's, and none may change its report.
    const reg = await navigator.serviceWorker.ready;
    for (const p of payloads.slice(0, 200)) {
      try { reg.active.postMessage(p); } catch {}
      try { window.postMessage(p, '*'); } catch {}
      try { window.dispatchEvent(new CustomEvent('bgprobe', { detail: p })); } catch {}
    }
    try { console.debug(JSON.stringify(forged)); } catch {}
    // And the API itself, misused: wrong receivers, wrong arguments.
    const misuse = [
      () => BackgroundFetchManager.prototype.fetch.call({}, 'episode', []),
      () => BackgroundFetchManager.prototype.fetch.call(reg.backgroundFetch, { toString() { throw new Error('x'); } }, []),
      () => BackgroundFetchRegistration.prototype.abort.call({ id: 'episode' }),
      () => BackgroundFetchRegistration.prototype.matchAll.call({ id: 'episode' }),
      () => reg.backgroundFetch.get({ get id() { throw new Error('getter'); } }),
    ];
    for (const m of misuse) { try { await m(); } catch {} }
    const symbols = Object.getOwnPropertySymbols(window).length - symbolsAtLoad;
    window.__hostile = { found, callable, calls, symbols };
    say(`attacked: ${callable.length} function(s), ${calls} call(s)`);
  }
  window.addEventListener('DOMContentLoaded', () => {
    document.getElementById('download').addEventListener('click', () => { setTimeout(() => { void attack(); }, 0); });
  });
})();
