// A correct Background Fetch worker: the apps next to this folder each change one thing of it.
self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open('downloads');
    const records = await event.registration.matchAll();
    for (const record of records) await cache.put(record.request, await record.responseReady);
    await event.updateUI({ title: 'Episode downloaded' });
  })());
});

self.addEventListener('backgroundfetchfail', (event) => {
  event.waitUntil(event.updateUI({ title: 'Download failed' }));
});
