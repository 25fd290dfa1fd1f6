// META: global=window,serviceworker
'use strict';
test(() => assert_true(typeof self.GLOBAL.isWindow === 'function'), 'GLOBAL is defined');
test(() => assert_equals(self.GLOBAL.isWindow(), true, 'expected a window'), 'runs in a window');
