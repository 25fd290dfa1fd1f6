// The mistake: 'backgroundfetchfailure' is not an event (it is 'backgroundfetchfail'), so a
// failed download is never handled. bgprobe reports it as the finding unknown-event-listener.
self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open('downloads');
    for (const record of await event.registration.matchAll()) await cache.put(record.request, await record.responseReady);
    await event.updateUI({ title: 'Episode downloaded' });
  })());
});

self.addEventListener('backgroundfetchfailure', (event) => {
  event.waitUntil(event.updateUI({ title: 'Download failed' }));
});
