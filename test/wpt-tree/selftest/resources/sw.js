// Tells every page of the origin how each background fetch ended, with its records' bodies.
async function report(event) {
  const records = await event.registration.matchAll();
  const texts = await Promise.all(records.map(async (r) => (await r.responseReady).text()));
  const clients = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
  for (const c of clients) c.postMessage({ type: event.type, id: event.registration.id, result: event.registration.result, texts });
}
self.addEventListener('backgroundfetchsuccess', (event) => event.waitUntil(report(event)));
self.addEventListener('backgroundfetchfail', (event) => event.waitUntil(report(event)));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
