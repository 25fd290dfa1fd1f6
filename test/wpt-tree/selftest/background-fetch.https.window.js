// META: timeout=long
// META: script=/resources/testdriver.js
// META: script=/resources/testdriver-vendor.js
'use strict';

promise_test(async (t) => {
  const scope = 'resources/scope/background-fetch';
  const old = await navigator.serviceWorker.getRegistration(scope);
  if (old) await old.unregister();
  const reg = await navigator.serviceWorker.register('resources/sw.js', { scope });
  t.add_cleanup(() => reg.unregister());
  const worker = reg.installing || reg.waiting || reg.active;
  if (worker.state !== 'activated') await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));

  await test_driver.set_permission({ name: 'background-fetch' }, 'granted');
  const status = await navigator.permissions.query({ name: 'background-fetch' });
  assert_equals(status.state, 'granted', 'set_permission reached the browser');

  const message = new Promise((resolve) => navigator.serviceWorker.addEventListener('message', (e) => resolve(e.data), { once: true }));
  navigator.serviceWorker.startMessages();
  const registration = await reg.backgroundFetch.fetch('selftest-fetch', ['resources/plain.txt', 'resources/with-headers.txt']);
  assert_equals(registration.id, 'selftest-fetch');
  const { type, result, texts } = await message;
  assert_equals(type, 'backgroundfetchsuccess');
  assert_equals(result, 'success');
  assert_array_equals(texts, ['plain text for pipes\n', 'has a sidecar\n']);
}, 'set_permission, then a background fetch runs to completion');

promise_test(async () => {
  await test_driver.bless('a user gesture', () => assert_true(navigator.userActivation.isActive, 'activation from the click'));
}, 'bless() clicks through Playwright input');
