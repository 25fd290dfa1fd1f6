// bgprobe's own minimal testdriver (not WPT's): the public calls map onto test_driver_internal,
// which the runner's /resources/testdriver-vendor.js implements. test/helpers/wpt-tree.ts
// writes it to resources/testdriver.js of a temporary tree; upstream checkouts bring their own.
(function () {
  'use strict';
  window.test_driver_internal = window.test_driver_internal || {};
  window.test_driver = {
    set_permission: function (descriptor, state, context) {
      return window.test_driver_internal.set_permission({ descriptor: descriptor, state: state }, context || null);
    },
    click: function (element) {
      var rect = element.getBoundingClientRect();
      return window.test_driver_internal.click(element, { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
    },
    bless: function (intent, action) {
      var button = document.createElement('button');
      button.textContent = intent || 'bless';
      document.body.appendChild(button);
      var clicked = new Promise(function (resolve) {
        button.addEventListener('click', resolve, { once: true });
      });
      return window.test_driver
        .click(button)
        .then(function () {
          return clicked;
        })
        .then(function () {
          button.remove();
          return action ? action() : undefined;
        });
    },
  };
})();
