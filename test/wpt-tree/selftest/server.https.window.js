// META: title=bgprobe's WPT server features
// META: script=resources/hosts.sub.js?word=sidecar
// META: script=/resources/WebIDLParser.js
'use strict';

test(() => {
  const s = self.SUBSTITUTED;
  assert_equals(s.host, 'web-platform.test');
  assert_equals(s.httpsPort, location.port);
  assert_not_equals(s.httpPort2, location.port);
  assert_equals(s.www1, 'www1.web-platform.test');
  assert_equals(s.alt, 'not-web-platform.test');
  assert_equals(s.altWww, 'www.not-web-platform.test');
  assert_equals(s.locationHost, location.host);
  assert_equals(s.scheme, 'https');
  assert_equals(s.get, 'sidecar');
}, '.sub. substitution');

promise_test(async () => {
  const r = await fetch('resources/with-headers.txt');
  assert_equals(r.headers.get('X-Bgprobe-Sidecar'), 'from the .headers file');
  assert_equals(r.headers.get('Content-Type'), 'text/plain; charset=utf-8');
}, '.headers sidecar');

promise_test(async () => {
  const r = await fetch('resources/plain.txt?pipe=status(202)|header(X-Piped,yes)|header(Content-Type,application/x-bgprobe)');
  assert_equals(r.status, 202);
  assert_equals(r.headers.get('X-Piped'), 'yes');
  assert_equals(r.headers.get('Content-Type'), 'application/x-bgprobe');
  assert_equals(await r.text(), 'plain text for pipes\n');
}, '?pipe=status()|header()');

promise_test(async () => {
  const started = performance.now();
  const r = await fetch('resources/plain.txt?pipe=trickle(5:d0.3:r2)');
  assert_equals(await r.text(), 'plain text for pipes\n');
  assert_greater_than_equal(performance.now() - started, 800);
}, '?pipe=trickle()');

promise_test(async () => {
  const r = await fetch('resources/');
  assert_equals(r.status, 200);
  assert_true((await r.text()).includes('plain.txt'));
}, 'a directory is answered 200 with a listing');

promise_test(async () => {
  const started = performance.now();
  const slow = await fetch('/common/slow.py');
  assert_equals(slow.status, 200);
  assert_equals(await slow.text(), '');
  assert_greater_than_equal(performance.now() - started, 1900);
  const up = await fetch('/background-fetch/resources/upload.py', { method: 'POST', body: 'echo me', headers: { 'Content-Type': 'text/x-bgprobe' } });
  assert_equals(up.status, 200);
  assert_equals(up.headers.get('Content-Type'), 'text/x-bgprobe');
  assert_equals(await up.text(), 'echo me');
}, 'native slow.py and upload.py');

promise_test(async () => {
  const r = await fetch('resources/not-implemented.py');
  assert_equals(r.status, 501);
  assert_true((await r.text()).includes('/selftest/resources/not-implemented.py'));
}, 'an unknown Python handler is a 501 naming it');

test(() => {
  assert_equals(typeof WebIDL2.parse, 'function');
  assert_equals(document.title, "bgprobe's WPT server features");
}, '/resources/WebIDLParser.js and META: title');
