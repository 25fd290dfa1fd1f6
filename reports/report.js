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
  // Event tables too long to draw up front (src/report/html.ts, EVENTS_DRAWN_UP_FRONT): their
  // rows are JSON in the <script type="application/json"> after the table, drawn 200 at a time
  // as the table's end comes near the screen. Every cell is set as text, never as HTML.
  function lazyTable(table) {
    var source = table.nextElementSibling;
    var body = table.tBodies[0];
    var data = null;
    var next = 0;
    var end = document.createElement('div');
    table.parentNode.insertBefore(end, source);
    function cell(tr, text, tag) {
      var td = document.createElement('td');
      var inner = tag ? document.createElement(tag) : td;
      inner.textContent = text;
      if (tag) td.appendChild(inner);
      tr.appendChild(td);
      return td;
    }
    function row(r) {
      var tr = document.createElement('tr');
      cell(tr, String(r[0]));
      cell(tr, r[1]).title = r[2];
      var name = cell(tr, r[3]);
      var service = document.createElement('div');
      service.className = 'muted';
      service.textContent = r[4];
      name.appendChild(service);
      cell(tr, r[5]);
      cell(tr, r[6]);
      cell(tr, r[7]);
      cell(tr, r[8], 'code');
      var meta = cell(tr, '');
      r[9].forEach(function (kv) {
        var div = document.createElement('div');
        var key = document.createElement('span');
        key.className = 'muted';
        key.textContent = kv[0] + ':';
        div.appendChild(key);
        div.appendChild(document.createTextNode(' ' + kv[1]));
        meta.appendChild(div);
      });
      return tr;
    }
    function draw() {
      if (data === null) data = JSON.parse(source.textContent);
      var stop = Math.min(next + 200, data.length);
      var chunk = document.createDocumentFragment();
      for (; next < stop; next++) chunk.appendChild(row(data[next]));
      body.appendChild(chunk);
      if (next >= data.length) observer.disconnect();
    }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) draw();
    }, { rootMargin: '1000px 0px' });
    observer.observe(end);
  }
  Array.prototype.slice.call(document.querySelectorAll('table[data-lazy-rows]')).forEach(lazyTable);
})();
