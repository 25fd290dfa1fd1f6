// Filtering, opening the result a link points to, and drawing large events tables as they scroll
// into view: the report reads fine without script (but for those tables; report.json has them).
// Rows and sections carry their verdicts and text in data attributes; nothing from the data is
// ever put into the page as HTML here.
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
  // Large events tables come as JSON (a script element of type application/json right after
  // the table, see html.ts) and are drawn a block of rows at a time as each block nears the
  // screen: drawn in full, a 100,000-event report lays out millions of elements before its
  // first screen and before any link can jump. Until a block is drawn it is one row as tall as
  // its rows are likely to be, so the scrollbar and link targets stay about where they end up.
  // Cells are filled with textContent only: nothing from the data is parsed as HTML.
  var BLOCK = 100;
  var pending = new Map();
  var near = 'IntersectionObserver' in window
    ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var draw = entry.isIntersecting && pending.get(entry.target);
        if (!draw) return;
        pending.delete(entry.target);
        near.unobserve(entry.target);
        draw();
      });
    }, { rootMargin: '1000px 0px' })
    : null;
  function whenNear(el, draw) {
    if (!near) return draw();
    pending.set(el, draw);
    near.observe(el);
  }
  function td(tr, text) {
    var cell = tr.insertCell();
    cell.textContent = text;
    return cell;
  }
  function muted(tag, text) {
    var el = document.createElement(tag);
    el.className = 'muted';
    el.textContent = text;
    return el;
  }
  // One event: [n, at, iso, name, service, origin, storageKey, registrationId, instanceId, [key, value, ...]].
  function eventRow(tbody, e) {
    var tr = tbody.insertRow();
    td(tr, String(e[0]));
    td(tr, e[1]).title = e[2];
    td(tr, e[3]).appendChild(muted('div', e[4]));
    td(tr, e[5]);
    td(tr, e[6]);
    td(tr, e[7]);
    var code = document.createElement('code');
    code.textContent = e[8];
    tr.insertCell().appendChild(code);
    var meta = tr.insertCell();
    for (var k = 0; k < e[9].length; k += 2) {
      var line = document.createElement('div');
      line.appendChild(muted('span', e[9][k] + ':'));
      line.appendChild(document.createTextNode(' ' + e[9][k + 1]));
      meta.appendChild(line);
    }
  }
  // A stand-in as tall as its rows will likely be: two lines a row (the event and its service) or
  // one a metadata entry, at table.small's 12px x 1.45 plus the cell's padding and border.
  function placeholder(table, lines, rows) {
    var tbody = document.createElement('tbody');
    var cell = tbody.insertRow().insertCell();
    cell.colSpan = 8;
    cell.className = 'pending';
    cell.style.height = Math.round(lines * 17.4 + rows * 7) + 'px';
    table.appendChild(tbody);
    return tbody;
  }
  function islandTable(table) {
    var note = table.tBodies[0];
    var count = Number(table.getAttribute('data-island'));
    note.rows[0].cells[0].style.height = Math.round(count * (2 * 17.4 + 7)) + 'px';
    whenNear(note, function () {
      var events = JSON.parse(table.nextElementSibling.textContent);
      table.removeChild(note);
      for (var from = 0; from < events.length; from += BLOCK) {
        var block = events.slice(from, from + BLOCK);
        var lines = block.reduce(function (n, e) { return n + Math.max(2, e[9].length / 2); }, 0);
        var tbody = placeholder(table, lines, block.length);
        whenNear(tbody, function (tbody, block) {
          tbody.deleteRow(0);
          block.forEach(function (e) { eventRow(tbody, e); });
        }.bind(null, tbody, block));
      }
    });
  }
  Array.prototype.slice.call(document.querySelectorAll('table.events[data-island]')).forEach(islandTable);
  // Results of many fetches carry them in <template> elements (see html.ts), parsed but inert:
  // each block takes its place when it nears the screen, its stand-in as tall as a typical box.
  Array.prototype.slice.call(document.querySelectorAll('div.later')).forEach(function (stand) {
    stand.style.height = Number(stand.getAttribute('data-fetches')) * 320 + 'px';
    whenNear(stand, function () {
      var template = stand.nextElementSibling;
      stand.replaceWith(template.content);
      template.remove();
    });
  });
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
