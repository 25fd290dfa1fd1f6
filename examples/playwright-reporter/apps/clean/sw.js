// A correct Background Fetch worker: store what was downloaded, tell the user either way.
self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open('downloads');
    for (const record of await event.registration.matchAll()) await cache.put(record.request, await record.responseReady);
    await event.updateUI({ title: 'Episode downloaded' });
  })());
});

self.addEventListener('backgroundfetchfail', (event) => {
  event.waitUntil(event.updateUI({ title: 'Download failed' }));
});
