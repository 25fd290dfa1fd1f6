// A worker that tries to hold the probe's channel from its first line: it hooks every built-in
// an observer uses on its way out (forge.js), rewrites every record it gets hold of, dispatches a
// success event of its own (around the real registration) when the fetch fails, calls updateUI
// on it, and pushes forged records and junk down every function it caught. Then the correct worker.
importScripts('forge.js');
const known = new Set(Object.getOwnPropertyNames(self));
FORGE.hook();
self.addEventListener('backgroundfetchfail', (event) => {
  // A waitUntil of its own that rejects: the worker was not done well with this event.
  event.waitUntil(Promise.reject(new Error('held: the app rejects')));
  try {
    self.dispatchEvent(new BackgroundFetchUpdateUIEvent('backgroundfetchsuccess', { registration: event.registration }));
  } catch {}
  setTimeout(() => { void FORGE.push([self], known); }, 0);
});
self.addEventListener('backgroundfetchsuccess', (event) => {
  try { event.updateUI({ title: 'FORGED: downloaded' }).catch(() => {}); } catch {}
});
importScripts('../_shared/good-sw.js');
