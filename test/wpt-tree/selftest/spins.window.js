'use strict';
// The page's own harness cannot time out while its thread spins: the runner's deadline ends it,
// with the result that came before.
test(() => assert_true(true), 'reported before the page froze');
promise_test(() => new Promise((resolve) => step_timeout(() => {
  for (;;) {}
}, 200)), 'freezes the page');
