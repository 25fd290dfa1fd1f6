'use strict';
test(() => assert_true(true), 'passes before the throw');
throw new Error('thrown at the top level of the test');
