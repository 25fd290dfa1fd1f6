// Filtering, and opening the result a link points to: the report reads fine without script. Rows and sections carry their verdicts
// and text in data attributes; nothing from the data is ever put into the page as HTML here.
(function () {
  var q = document.getElementById('q');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input.vf'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('.row'));
  var shown = document.getElementById('shown');
  function apply() {
    var text = (q.value || '').toLowerCase();
    var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    var visible = 0;
    rows.forEach(function (row) {
      var verdicts = (row.getAttribute('data-verdicts') || '').split(' ');
      var okVerdict = verdicts.some(function (v) { return on.indexOf(v) !== -1; });
      var okText = !text || (row.getAttribute('data-text') || '').toLowerCase().indexOf(text) !== -1;
      var show = okVerdict && okText;
      row.classList.toggle('hidden', !show);
      if (show && row.tagName === 'TR') visible++;
    });
    shown.textContent = visible + ' scenario(s) shown';
  }
  q.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
  // A link to a result (a matrix badge, or a URL kept from an earlier run) opens it: a closed
  // <details> would otherwise show only its summary line. Anchors hold no escaped characters,
  // so the hash is used as it is (decoding a stray '%' would throw).
  function openTarget() {
    var id = location.hash.slice(1);
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
