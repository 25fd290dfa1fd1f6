// A correct app whose fail handler is the attribute handler `self.onbackgroundfetchfail`, and a
// `{ once: true }` fail listener the worker uses up itself at start, with an event it builds and
// dispatches: at the real fail event exactly one listener (the handler) is left.
self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil(event.updateUI({ title: 'Episode downloaded' }));
});

self.onbackgroundfetchfail = (event) => {
  if (!event.isTrusted) return;
  event.waitUntil(event.updateUI({ title: 'Download failed' }));
};

self.addEventListener('backgroundfetchfail', () => {}, { once: true });
self.dispatchEvent(new Event('backgroundfetchfail'));
