// The mistake: the success handler never calls matchAll(), so the downloaded data is gone
// when the event ends.
self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil(event.updateUI({ title: 'Episode downloaded' }));
});

self.addEventListener('backgroundfetchfail', (event) => {
  event.waitUntil(event.updateUI({ title: 'Download failed' }));
});
