'use strict';
test(() => assert_true(true), 'finishes before the hang');
promise_test(() => new Promise(() => {}), 'never settles');
