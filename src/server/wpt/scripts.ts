/**
 * bgprobe's own `/resources/testharnessreport.js` and `/resources/testdriver-vendor.js`, served
 * instead of the checkout's. The report script hands every result to the runner as it comes
 * (so a page that hangs still reports the subtests it finished) and the completion callback's
 * whole set at the end; the vendor script implements testdriver's internals by asking the
 * runner, which does them over CDP and Playwright input. Both talk through bindings the runner
 * exposes in the page (RESULT_BINDING, DRIVER_BINDING). Where the runner has no bindings
 * (Firefox over BiDi, WebKitGTK over WebDriver) they queue their messages in the page
 * (QUEUE_GLOBAL), which the runner drains by evaluating a script every few hundred ms, and a
 * testdriver call waits for the runner's answer (REPLY_GLOBAL).
 */

export const RESULT_BINDING = '__bgprobeWptResult';
export const DRIVER_BINDING = '__bgprobeWptDriver';
/** Messages (JSON strings) waiting for a runner that polls: results and testdriver calls. */
export const QUEUE_GLOBAL = '__bgprobeWptQueue';
/** `REPLY_GLOBAL(id, json)` answers testdriver call `id` in a polled page. */
export const REPLY_GLOBAL = '__bgprobeWptReply';

export function testharnessReportJs(timeoutMultiplier: number): string {
  return `// bgprobe wpt: hands testharness.js results to the runner.
(function () {
  'use strict';
  // Only the top-level document reports: a frame with its own harness is part of its test.
  if (self !== self.top) return;
  function post(message) {
    var send = self[${JSON.stringify(RESULT_BINDING)}];
    if (typeof send !== 'function') {
      // A runner without bindings drains this queue.
      (self[${JSON.stringify(QUEUE_GLOBAL)}] = self[${JSON.stringify(QUEUE_GLOBAL)}] || []).push(JSON.stringify(message));
      return;
    }
    try { send(JSON.stringify(message)); } catch (e) { /* the runner went away: nothing to tell */ }
  }
  setup({ timeout_multiplier: ${JSON.stringify(timeoutMultiplier)} });
  add_result_callback(function (test) {
    post({ type: 'result', name: test.name, status: test.status, message: test.message, stack: test.stack || null });
  });
  add_completion_callback(function (tests, status) {
    post({
      type: 'complete',
      status: status.status,
      message: status.message,
      stack: status.stack || null,
      tests: tests.map(function (t) { return { name: t.name, status: t.status, message: t.message, stack: t.stack || null }; }),
    });
  });
})();
`;
}

export const TESTDRIVER_VENDOR_JS = `// bgprobe wpt: testdriver's internals, done by the runner over CDP and Playwright input.
(function () {
  'use strict';
  var internal = window.test_driver_internal = window.test_driver_internal || {};
  internal.in_automation = true;
  var waiting = {};
  var next = 0;
  window[${JSON.stringify(REPLY_GLOBAL)}] = function (id, text) {
    var done = waiting[id];
    delete waiting[id];
    if (done) done(text);
  };
  function ask(message) {
    var send = window[${JSON.stringify(DRIVER_BINDING)}];
    if (typeof send === 'function') return send(message);
    // A runner without bindings drains the queue and answers through the reply function.
    return new Promise(function (resolve) {
      var id = ++next;
      waiting[id] = resolve;
      (window[${JSON.stringify(QUEUE_GLOBAL)}] = window[${JSON.stringify(QUEUE_GLOBAL)}] || []).push(JSON.stringify({ type: 'driver', id: id, call: message }));
    });
  }
  function call(action, params) {
    return ask(JSON.stringify({ action: action, params: params })).then(function (text) {
      var reply = JSON.parse(text);
      if (!reply.ok) throw new Error(reply.message);
      return reply.value;
    });
  }
  function origin(context) {
    try { return (context || window).location.origin; } catch (e) { return window.location.origin; }
  }
  internal.set_permission = function (params, context) {
    return call('set_permission', { descriptor: params.descriptor, state: params.state, origin: origin(context) });
  };
  internal.click = function (element, coords) {
    var rect = element.getBoundingClientRect();
    var x = coords ? coords.x : rect.left + rect.width / 2;
    var y = coords ? coords.y : rect.top + rect.height / 2;
    return call('click', { x: x, y: y });
  };
  internal.send_keys = function (element, keys) {
    element.focus();
    return call('send_keys', { keys: keys });
  };
})();
`;
