// The mistake: the catch block names a variable that does not exist, so the waitUntil promise
// rejects with a ReferenceError.
self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open('downloads');
    for (const record of await event.registration.matchAll()) await cache.put(record.request, await record.responseReady);
    await event.updateUI({ title: 'Episode downloaded' });
    try {
      JSON.parse('{ not json');
    } catch (e) {
      console.warn('could not read the episode index', err.message);
    }
  })());
});

self.addEventListener('backgroundfetchfail', (event) => {
  event.waitUntil(event.updateUI({ title: 'Download failed' }));
});
