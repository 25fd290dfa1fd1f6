// META: global=window,worker
// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// META: timeout=long
// bgprobe's own IDL test of the Background Fetch API (interfaces/bgprobe-*.idl), in the shape of
// the upstream background-fetch/idlharness.https.any.js: under bgprobe's probes every member must
// still look native (length, name, descriptors), in every variant.
'use strict';

idl_test(
  ['bgprobe-background-fetch'],
  ['bgprobe-deps'],
  idl_array => {
    if (location.pathname.includes('.serviceworker.')) {
      idl_array.add_objects({
        ServiceWorkerRegistration: ['registration'],
        BackgroundFetchManager: ['registration.backgroundFetch'],
      });
    }
  }
);
