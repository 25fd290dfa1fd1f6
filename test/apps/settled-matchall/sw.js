// The success handler reads every record's body, then calls updateUI, all in one waitUntil.
self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil((async () => {
    const records = await event.registration.matchAll();
    let bytes = 0;
    for (const record of records) bytes += (await (await record.responseReady).arrayBuffer()).byteLength;
    await event.updateUI({ title: `Read ${records.length} records, ${bytes} bytes` });
  })());
});
