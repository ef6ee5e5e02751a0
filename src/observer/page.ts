/**
 * The observer's one page, as a string the server sends for `GET /`. It is a single document with
 * its style and script inline, so the observer needs no static files, no bundler and no network
 * beyond the program it watches: it works offline and from a production box as it is.
 *
 * The script stays small and framework-free on purpose: it opens one `EventSource` on `events`
 * (relative, so the page also works behind a path prefix), passing on the page's own `token` and
 * the sort the user picked, and rewrites the tables in place from each snapshot. Rows are keyed
 * (`data-row`) and reused, and a cell is written only when its text changed, so a thousand rows
 * per second cost little layout. Every value from the program goes in through `textContent`,
 * never as markup: task names, actor paths and dead-letter reasons are the program's data.
 *
 * The `data-row`, `data-field` and `data-snapshots` attributes are the page's stable hooks for
 * tests and scripts; keep them when changing the layout.
 *
 * @module
 */

const style = `
:root { color-scheme: light dark; --fg: #1d2328; --muted: #67737e; --bg: #fbfbfa; --panel: #fff;
  --line: #e2e5e8; --accent: #2f7d4f; --warn: #b3541e; --bar: #2f7d4f; --barbg: #e6ece8; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e4e8eb; --muted: #93a0ab; --bg: #15191c; --panel: #1c2125; --line: #2c3338;
    --accent: #6cc28e; --warn: #f0965c; --bar: #6cc28e; --barbg: #2a3530; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 18px; padding: 10px 16px;
  border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 1; }
header h1 { font-size: 15px; margin: 0 8px 0 0; }
header .kv { white-space: nowrap; }
.k { color: var(--muted); margin-right: 4px; }
.num, td.n { font-variant-numeric: tabular-nums; }
#conn { font-weight: 600; }
#conn[data-state="live"] { color: var(--accent); }
#conn[data-state="reconnecting"], #conn[data-state="connecting"] { color: var(--warn); }
.controls { display: flex; flex-wrap: wrap; gap: 12px; padding: 8px 16px; align-items: center;
  color: var(--muted); }
.controls label { display: inline-flex; gap: 6px; align-items: center; }
.controls select, .controls input { font: inherit; }
.controls input { width: 5.5em; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 12px;
  padding: 0 16px 16px; align-items: start; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 10px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 13px; margin: 2px 0 6px; display: flex; flex-wrap: wrap; gap: 4px 14px;
  align-items: baseline; }
h2 .title { font-size: 14px; }
h2 .kv { font-weight: normal; }
h3 { font-size: 12px; margin: 10px 0 4px; color: var(--muted); font-weight: 600; }
.scroll { max-height: 420px; overflow: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2px 8px 2px 0; border-bottom: 1px solid var(--line);
  white-space: nowrap; }
th { position: sticky; top: 0; background: var(--panel); color: var(--muted); font-weight: 600; }
td.n, th.n { text-align: right; padding-right: 12px; }
td.wrap { white-space: normal; word-break: break-word; }
td[data-field="path"], td[data-field="name"] { max-width: 320px; overflow: hidden;
  text-overflow: ellipsis; }
tr.empty td { color: var(--muted); font-style: italic; }
.bars { display: inline-flex; gap: 2px; align-items: flex-end; height: 14px; vertical-align: middle; }
.bar { width: 8px; height: 14px; background: var(--barbg); position: relative; border-radius: 1px; }
.bar > i { position: absolute; left: 0; right: 0; bottom: 0; background: var(--bar); }
.muted { color: var(--muted); }
#problem { margin: 0 16px 8px; padding: 6px 10px; border: 1px solid var(--warn); color: var(--warn);
  border-radius: 6px; }
#problem[hidden] { display: none; }
.util { margin-left: 6px; font-variant-numeric: tabular-nums; }
[hidden] { display: none !important; }
#systems-box { grid-column: 1 / -1; }
#side { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
td[data-field="lastFailure"] { max-width: 420px; overflow: hidden; text-overflow: ellipsis; }
#clusters { display: contents; }
.cluster { display: inline-flex; flex-wrap: wrap; gap: 2px 10px; align-items: baseline; }
.members { display: inline-flex; flex-wrap: wrap; gap: 2px 10px; }
.member { white-space: nowrap; }
.member[data-status="unreachable"], .member[data-status="down"] { color: var(--warn); }
`

// Plain ES2020 in a string: no backticks or template placeholders inside, and no closing script
// tag. Checked in a real browser by test/observer/page.browser.test.ts.
const script = `
'use strict';
(function () {
  var params = new URLSearchParams(location.search);
  var token = params.get('token');
  var taskSort = document.getElementById('tasks-sort');
  var actorSort = document.getElementById('actors-sort');
  var limitInput = document.getElementById('limit');
  if (params.get('tasks') === 'age' || params.get('tasks') === 'children') taskSort.value = params.get('tasks');
  var a0 = params.get('actors');
  if (a0 === 'mailbox' || a0 === 'restarts' || a0 === 'rate') actorSort.value = a0;
  var l0 = Number(params.get('limit'));
  if (Number.isInteger(l0) && l0 >= 1 && l0 <= 1000) limitInput.value = String(l0);

  var body = document.body;
  var conn = document.getElementById('conn');
  var problem = document.getElementById('problem');
  var snapshots = 0;
  var source = null;
  var retryTimer = 0;
  var retryMs = 1000;

  function setConn(state) {
    conn.dataset.state = state;
    conn.textContent = state;
  }

  function limit() {
    var n = Math.floor(Number(limitInput.value));
    if (!Number.isFinite(n) || n < 1) n = 1;
    if (n > 1000) n = 1000;
    return n;
  }

  function query() {
    var q = new URLSearchParams();
    q.set('tasks', taskSort.value);
    q.set('actors', actorSort.value);
    q.set('limit', String(limit()));
    if (token !== null) q.set('token', token);
    return q;
  }

  function connect() {
    clearTimeout(retryTimer);
    if (source !== null) source.close();
    setConn(snapshots === 0 ? 'connecting' : 'reconnecting');
    var es = new EventSource('events?' + query().toString());
    source = es;
    es.onopen = function () {
      if (source !== es) return;
      retryMs = 1000;
      setConn('live');
    };
    es.onmessage = function (ev) {
      if (source !== es) return;
      var snap;
      try {
        snap = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (snap === null || typeof snap !== 'object') return;
      setConn('live');
      problem.hidden = true;
      render(snap);
      snapshots++;
      body.dataset.snapshots = String(snapshots);
    };
    es.onerror = function (ev) {
      if (source !== es) return;
      // The server reports a snapshot it could not take as an event named 'error', which
      // EventSource delivers here too: a message, not a lost connection.
      if (typeof ev.data === 'string') {
        var msg = ev.data;
        try {
          var parsed = JSON.parse(ev.data);
          if (parsed !== null && typeof parsed.error === 'string') msg = parsed.error;
        } catch (e) {}
        problem.textContent = 'snapshot failed: ' + msg;
        problem.hidden = false;
        return;
      }
      setConn('reconnecting');
      // The browser retries by itself unless the server refused the stream (a wrong token, a
      // restart in between); then try again, slower each time.
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        retryTimer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 15000);
      }
    };
  }

  function onControls() {
    limitInput.value = String(limit());
    var shown = new URLSearchParams(location.search);
    shown.set('tasks', taskSort.value);
    shown.set('actors', actorSort.value);
    shown.set('limit', String(limit()));
    history.replaceState(null, '', '?' + shown.toString());
    connect();
  }
  taskSort.addEventListener('change', onControls);
  actorSort.addEventListener('change', onControls);
  limitInput.addEventListener('change', onControls);

  // Formatting.
  function num(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
  }
  function int(v) {
    return String(Math.round(num(v)));
  }
  function ms(v) {
    var n = num(v);
    return (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) + ' ms';
  }
  function duration(v) {
    var s = Math.floor(num(v) / 1000);
    if (s < 60) return (num(v) / 1000).toFixed(1) + ' s';
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    s = s % 60;
    if (d > 0) return d + 'd ' + h + 'h ' + m + 'm';
    if (h > 0) return h + 'h ' + m + 'm ' + s + 's';
    return m + 'm ' + s + 's';
  }
  function bytes(v) {
    var n = num(v);
    if (n >= 1073741824) return (n / 1073741824).toFixed(2) + ' GiB';
    if (n >= 1048576) return (n / 1048576).toFixed(1) + ' MiB';
    if (n >= 1024) return (n / 1024).toFixed(1) + ' KiB';
    return n + ' B';
  }
  function text(v) {
    return v === undefined || v === null ? '' : String(v);
  }
  function rate(v) {
    var n = num(v);
    return n >= 100 ? n.toFixed(0) : n.toFixed(1);
  }
  var INFINITY = String.fromCharCode(8734);
  function clock(v) {
    var d = new Date(num(v));
    return d.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }

  function setText(el, s) {
    if (el.textContent !== s) el.textContent = s;
  }
  function field(name) {
    return document.querySelector('[data-field="' + name + '"]');
  }

  // A table body kept in step with a list of rows: rows are found again by key and reused, cells
  // written only when their text changed, and rows moved only when out of place.
  function syncRows(tbody, rows, key, cols, emptyText) {
    var byKey = tbody._rows || (tbody._rows = new Map());
    var seen = new Set();
    var prev = tbody.firstElementChild;
    if (prev !== null && prev.classList.contains('empty')) {
      prev.remove();
    }
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var k = key(r, i);
      if (seen.has(k)) continue;
      seen.add(k);
      var tr = byKey.get(k);
      if (tr === undefined) {
        tr = document.createElement('tr');
        tr.dataset.row = k;
        for (var c = 0; c < cols.length; c++) {
          var td = document.createElement('td');
          td.dataset.field = cols[c].field;
          if (cols[c].cls) td.className = cols[c].cls;
          tr.appendChild(td);
        }
        byKey.set(k, tr);
      }
      var cells = tr.children;
      for (var j = 0; j < cols.length; j++) {
        if (cols[j].draw) cols[j].draw(cells[j], r);
        else setText(cells[j], cols[j].get(r));
      }
    }
    // Order: walk the wanted order and move what is out of place.
    var at = tbody.firstElementChild;
    var done = new Set();
    for (var x = 0; x < rows.length; x++) {
      var kk = key(rows[x], x);
      if (done.has(kk)) continue;
      done.add(kk);
      var want = byKey.get(kk);
      if (at === want) {
        at = at.nextElementSibling;
      } else {
        tbody.insertBefore(want, at);
      }
    }
    byKey.forEach(function (tr2, k2) {
      if (!seen.has(k2)) {
        tr2.remove();
        byKey.delete(k2);
      }
    });
    if (rows.length === 0) {
      var e = document.createElement('tr');
      e.className = 'empty';
      var etd = document.createElement('td');
      etd.colSpan = cols.length;
      etd.textContent = emptyText;
      e.appendChild(etd);
      tbody.appendChild(e);
    }
  }

  var taskCols = [
    { field: 'id', cls: 'n', get: function (t) { return int(t.id); } },
    { field: 'name', get: function (t) { return text(t.name); } },
    { field: 'state', get: function (t) { return text(t.state); } },
    { field: 'age', cls: 'n', get: function (t) { return duration(t.ageMs); } },
    { field: 'parent', cls: 'n', get: function (t) { return t.parent === undefined || t.parent === null ? '-' : int(t.parent); } },
    { field: 'children', cls: 'n', get: function (t) { return int(t.children); } },
  ];
  var actorCols = [
    { field: 'path', get: function (a) { return text(a.path); } },
    { field: 'status', get: function (a) { return text(a.status); } },
    { field: 'mailbox', cls: 'n', get: function (a) { return int(a.mailbox); } },
    { field: 'rate', cls: 'n', get: function (a) { return rate(a.handledPerSec); } },
    { field: 'restarts', cls: 'n', get: function (a) { return int(a.restarts); } },
    { field: 'lastFailure', draw: drawFailure },
    { field: 'stash', cls: 'n', get: function (a) { return int(a.stash); } },
    { field: 'children', cls: 'n', get: function (a) { return int(a.children); } },
  ];
  var queueCols = [
    { field: 'name', get: function (q) { return text(q.name); } },
    { field: 'kind', get: function (q) { return text(q.kind); } },
    { field: 'size', cls: 'n', get: function (q) { return int(q.size); } },
    // JSON turns Infinity into null: an unbounded queue.
    { field: 'maxsize', cls: 'n', get: function (q) {
      return typeof q.maxsize === 'number' && Number.isFinite(q.maxsize) ? int(q.maxsize) : INFINITY;
    } },
    { field: 'getters', cls: 'n', get: function (q) { return int(q.getters); } },
    { field: 'putters', cls: 'n', get: function (q) { return int(q.putters); } },
  ];
  var slowCols = [
    { field: 'at', get: function (r) { return clock(r.at); } },
    { field: 'ms', cls: 'n', get: function (r) { return ms(r.ms); } },
    { field: 'kind', get: function (r) { return typeof r.actor === 'string' ? 'actor' : typeof r.task === 'string' ? 'task' : '-'; } },
    { field: 'name', get: function (r) { return typeof r.actor === 'string' ? r.actor : typeof r.task === 'string' ? r.task : '-'; } },
    { field: 'message', get: function (r) { return typeof r.message === 'string' ? r.message : '-'; } },
  ];

  function drawFailure(td, a) {
    var f = a.lastFailure;
    var s = f !== null && typeof f === 'object' ? clock(f.at) + ' ' + text(f.error) : '-';
    setText(td, s);
    if (td.title !== s) td.title = s;
  }
  var deadCols = [
    { field: 'at', get: function (d) { return clock(d.at); } },
    { field: 'recipient', get: function (d) { return text(d.recipient); } },
    { field: 'reason', get: function (d) { return text(d.reason); } },
    { field: 'message', cls: 'wrap', get: function (d) { return text(d.message); } },
  ];
  var executorCols = [
    { field: 'name', get: function (e) { return text(e.name); } },
    { field: 'kind', get: function (e) { return text(e.kind); } },
    { field: 'size', cls: 'n', get: function (e) { return int(e.size); } },
    { field: 'busy', cls: 'n', get: function (e) { return int(e.busy); } },
    { field: 'queued', cls: 'n', get: function (e) { return int(e.queued); } },
    { field: 'completed', cls: 'n', get: function (e) { return int(e.completed); } },
    { field: 'failed', cls: 'n', get: function (e) { return int(e.failed); } },
    { field: 'crashes', cls: 'n', get: function (e) { return int(e.crashes); } },
    { field: 'p50', cls: 'n', get: function (e) { return ms(e.runMs && e.runMs.p50); } },
    { field: 'p99', cls: 'n', get: function (e) { return ms(e.runMs && e.runMs.p99); } },
    { field: 'utilization', draw: drawBars },
  ];

  function drawBars(td, e) {
    var u = Array.isArray(e.utilization) ? e.utilization : [];
    var box = td.firstElementChild;
    if (box === null) {
      box = document.createElement('span');
      box.className = 'bars';
      td.appendChild(box);
    }
    while (box.children.length > u.length) box.lastElementChild.remove();
    while (box.children.length < u.length) {
      var b = document.createElement('span');
      b.className = 'bar';
      b.appendChild(document.createElement('i'));
      box.appendChild(b);
    }
    var labels = [];
    for (var i = 0; i < u.length; i++) {
      var p = Math.max(0, Math.min(1, num(u[i])));
      var pct = Math.round(p * 100);
      box.children[i].firstElementChild.style.height = pct + '%';
      box.children[i].title = 'worker ' + i + ': ' + pct + '%';
      labels.push(pct + '%');
    }
    td.dataset.value = labels.join(' ');
    var label = box.nextElementSibling;
    if (label === null) {
      label = document.createElement('span');
      label.className = 'util muted';
      td.appendChild(label);
    }
    var mean = 0;
    for (var k = 0; k < u.length; k++) mean += Math.max(0, Math.min(1, num(u[k])));
    setText(label, u.length === 0 ? '-' : 'avg ' + Math.round((mean / u.length) * 100) + '%');
  }

  // Elements other than table rows kept in step with a list the same way: found again by key,
  // updated in place, moved only when out of place.
  function syncKeyed(box, items, key, make, update) {
    var byKey = box._keyed || (box._keyed = new Map());
    var seen = new Set();
    var at = box.firstElementChild;
    for (var i = 0; i < items.length; i++) {
      var k = key(items[i], i);
      if (seen.has(k)) continue;
      seen.add(k);
      var el = byKey.get(k);
      if (el === undefined) {
        el = make(items[i], k);
        byKey.set(k, el);
      }
      update(el, items[i]);
      if (el === at) at = at.nextElementSibling;
      else box.insertBefore(el, at);
    }
    byKey.forEach(function (el2, k2) {
      if (!seen.has(k2)) {
        el2.remove();
        byKey.delete(k2);
      }
    });
  }

  function span(cls, fieldName, s) {
    var el = document.createElement('span');
    if (cls) el.className = cls;
    if (fieldName) el.dataset.field = fieldName;
    if (s) el.textContent = s;
    return el;
  }

  var clustersBox = document.getElementById('clusters');
  function makeCluster(c) {
    var el = span('kv cluster');
    el.dataset.cluster = text(c.name);
    el.appendChild(span('k', '', 'cluster'));
    el.appendChild(span('', 'clusterName'));
    el.appendChild(span('k', '', 'this node'));
    el.appendChild(span('', 'clusterNode'));
    el.appendChild(span('members'));
    return el;
  }
  function makeMember(m, k) {
    var el = span('member num');
    el.dataset.row = k;
    el.appendChild(span('', 'id'));
    el.appendChild(document.createTextNode(' '));
    el.appendChild(span('', 'status'));
    el.appendChild(document.createTextNode(' ('));
    el.appendChild(span('', 'age'));
    el.appendChild(document.createTextNode(')'));
    return el;
  }
  function updateMember(el, m) {
    var status = text(m.status);
    if (el.dataset.status !== status) el.dataset.status = status;
    setText(el.children[0], text(m.id));
    setText(el.children[1], status);
    setText(el.children[2], duration(m.heartbeatAgeMs));
  }
  function updateCluster(el, c) {
    setText(el.children[1], text(c.name));
    setText(el.children[3], text(c.node));
    syncKeyed(el.children[4], Array.isArray(c.members) ? c.members : [],
      function (m) { return 'member:' + text(m.id); }, makeMember, updateMember);
  }

  var systemsBox = document.getElementById('systems');
  var systemViews = new Map();

  function systemView(name) {
    var v = systemViews.get(name);
    if (v !== undefined) return v;
    var tpl = document.getElementById('system-template');
    var sec = tpl.content.firstElementChild.cloneNode(true);
    sec.dataset.system = name;
    sec.querySelector('.title').textContent = 'actor system ' + name;
    v = {
      section: sec,
      actors: sec.querySelector('[data-field="actors"]'),
      mailboxes: sec.querySelector('[data-field="mailboxes"]'),
      deadLetters: sec.querySelector('[data-field="deadLetters"]'),
      rows: sec.querySelector('tbody.actors'),
      dead: sec.querySelector('tbody.dead'),
    };
    systemViews.set(name, v);
    return v;
  }

  function render(s) {
    var p = s.process || {};
    setText(field('pid'), int(p.pid));
    setText(field('node'), text(p.node));
    setText(field('uptime'), duration(p.uptimeMs));
    var lag = p.loopDelayMs || {};
    setText(field('loopP50'), ms(lag.p50));
    setText(field('loopP99'), ms(lag.p99));
    setText(field('heapUsed'), bytes(p.heapUsedBytes));
    setText(field('rss'), bytes(p.rssBytes));
    setText(field('tookMs'), ms(s.tookMs));

    var t = s.tasks || {};
    setText(field('live'), int(t.live));
    setText(field('failed'), int(t.failed));
    setText(field('cancelled'), int(t.cancelled));
    syncRows(document.getElementById('task-rows'), Array.isArray(t.rows) ? t.rows : [],
      function (r) { return 'task:' + r.id; }, taskCols, 'no live tasks');

    var systems = Array.isArray(s.actorSystems) ? s.actorSystems : [];
    var names = new Set();
    var after = null;
    for (var i = 0; i < systems.length; i++) {
      var sys = systems[i];
      var name = text(sys.name);
      if (names.has(name)) continue;
      names.add(name);
      var v = systemView(name);
      setText(v.actors, int(sys.actors));
      setText(v.mailboxes, int(sys.mailboxes));
      setText(v.deadLetters, int(sys.deadLetters));
      syncRows(v.rows, Array.isArray(sys.rows) ? sys.rows : [],
        function (r) { return 'actor:' + r.path; }, actorCols, 'no actors');
      var dl = Array.isArray(sys.lastDeadLetters) ? sys.lastDeadLetters : [];
      syncRows(v.dead, dl, function (d, n) { return 'dead-letter:' + n; }, deadCols, 'none');
      var want = after === null ? systemsBox.firstElementChild : after.nextElementSibling;
      if (want !== v.section) systemsBox.insertBefore(v.section, want);
      after = v.section;
    }
    systemViews.forEach(function (v2, n2) {
      if (!names.has(n2)) {
        v2.section.remove();
        systemViews.delete(n2);
      }
    });
    document.getElementById('no-systems').hidden = systems.length > 0;

    syncRows(document.getElementById('executor-rows'), Array.isArray(s.executors) ? s.executors : [],
      function (r) { return 'executor:' + r.name; }, executorCols, 'no executors');

    // Queue names need not be unique: a second one of a name gets its number.
    var queues = Array.isArray(s.queues) ? s.queues : [];
    var queueKeys = [];
    var named = new Map();
    for (var qi = 0; qi < queues.length; qi++) {
      var qn = text(queues[qi].name);
      var times = (named.get(qn) || 0) + 1;
      named.set(qn, times);
      queueKeys.push('queue:' + qn + (times > 1 ? '#' + times : ''));
    }
    syncRows(document.getElementById('queue-rows'), queues,
      function (r, n) { return queueKeys[n]; }, queueCols, 'no named queues');
    document.getElementById('queues').hidden = queues.length === 0;

    var slow = Array.isArray(s.slowSteps) ? s.slowSteps : [];
    syncRows(document.getElementById('slow-rows'), slow,
      function (r, n) { return 'slow:' + n; }, slowCols, 'none');
    document.getElementById('slow-steps').hidden = slow.length === 0;
    document.getElementById('side').hidden = queues.length === 0 && slow.length === 0;

    var clusters = Array.isArray(s.clusters) ? s.clusters : [];
    syncKeyed(clustersBox, clusters,
      function (c) { return JSON.stringify([text(c.name), text(c.node)]); }, makeCluster, updateCluster);
    clustersBox.hidden = clusters.length === 0;
  }

  connect();
})();
`

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>verdant observer</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body data-snapshots="0">
<header>
  <h1>verdant observer</h1>
  <span class="kv"><span class="k">pid</span><span class="num" data-field="pid">-</span></span>
  <span class="kv"><span class="k">node</span><span data-field="node">-</span></span>
  <span class="kv"><span class="k">uptime</span><span class="num" data-field="uptime">-</span></span>
  <span class="kv"><span class="k">loop delay p50</span><span class="num" data-field="loopP50">-</span></span>
  <span class="kv"><span class="k">p99</span><span class="num" data-field="loopP99">-</span></span>
  <span class="kv"><span class="k">heap used</span><span class="num" data-field="heapUsed">-</span></span>
  <span class="kv"><span class="k">rss</span><span class="num" data-field="rss">-</span></span>
  <span class="kv"><span class="k">snapshot</span><span class="num" data-field="tookMs">-</span></span>
  <span id="clusters" data-field="clusters" hidden></span>
  <span class="kv" id="conn" data-field="connection" data-state="connecting">connecting</span>
</header>
<div class="controls">
  <label>tasks by <select id="tasks-sort" data-control="tasks">
    <option value="age">age</option><option value="children">children</option></select></label>
  <label>actors by <select id="actors-sort" data-control="actors">
    <option value="mailbox">mailbox</option><option value="restarts">restarts</option>
    <option value="rate">msgs/s</option></select></label>
  <label>rows <input id="limit" data-control="limit" type="number" min="1" max="1000" step="1" value="100"></label>
</div>
<div id="problem" data-field="error" hidden></div>
<main>
  <section id="tasks">
    <h2><span class="title">tasks</span>
      <span class="kv"><span class="k">live</span><span class="num" data-field="live">-</span></span>
      <span class="kv"><span class="k">failed</span><span class="num" data-field="failed">-</span></span>
      <span class="kv"><span class="k">cancelled</span><span class="num" data-field="cancelled">-</span></span>
    </h2>
    <div class="scroll"><table>
      <thead><tr><th class="n">id</th><th>name</th><th>state</th><th class="n">age</th><th class="n">parent</th><th class="n">children</th></tr></thead>
      <tbody id="task-rows"></tbody>
    </table></div>
  </section>
  <div id="side" hidden>
    <section id="queues" hidden>
      <h2><span class="title">queues</span></h2>
      <div class="scroll"><table>
        <thead><tr><th>name</th><th>kind</th><th class="n">size</th><th class="n">maxsize</th><th class="n">getters</th><th class="n">putters</th></tr></thead>
        <tbody id="queue-rows"></tbody>
      </table></div>
    </section>
    <section id="slow-steps" hidden>
      <h2><span class="title">slow steps</span><span class="kv muted">steps that held the event loop (debug mode), newest first</span></h2>
      <div class="scroll"><table>
        <thead><tr><th>at</th><th class="n">ms</th><th colspan="2">task or actor</th><th>message</th></tr></thead>
        <tbody id="slow-rows"></tbody>
      </table></div>
    </section>
  </div>
  <div id="systems-box">
    <div id="systems"></div>
    <section id="no-systems" class="muted">no actor systems</section>
  </div>
  <section id="executors" class="wide">
    <h2><span class="title">executors</span></h2>
    <div class="scroll"><table>
      <thead><tr><th>name</th><th>kind</th><th class="n">size</th><th class="n">busy</th><th class="n">queued</th><th class="n">completed</th><th class="n">failed</th><th class="n">crashes</th><th class="n">p50</th><th class="n">p99</th><th>utilization</th></tr></thead>
      <tbody id="executor-rows"></tbody>
    </table></div>
  </section>
</main>
<template id="system-template"><section class="system">
  <h2><span class="title"></span>
    <span class="kv"><span class="k">actors</span><span class="num" data-field="actors">-</span></span>
    <span class="kv"><span class="k">mailboxes</span><span class="num" data-field="mailboxes">-</span></span>
    <span class="kv"><span class="k">dead letters</span><span class="num" data-field="deadLetters">-</span></span>
  </h2>
  <div class="scroll"><table>
    <thead><tr><th>path</th><th>status</th><th class="n">mailbox</th><th class="n">msgs/s</th><th class="n">restarts</th><th>last failure</th><th class="n">stash</th><th class="n">children</th></tr></thead>
    <tbody class="actors"></tbody>
  </table></div>
  <h3>last dead letters</h3>
  <div class="scroll"><table>
    <thead><tr><th>at</th><th>recipient</th><th>reason</th><th>message</th></tr></thead>
    <tbody class="dead"></tbody>
  </table></div>
</section></template>
<script>${script}</script>
</body>
</html>
`

/**
 * The observer page: one self-contained HTML document (inline style and script, nothing fetched
 * but the program's own `events` stream), the same string on every call.
 *
 * @since 0.3.0
 * @internal
 */
export function observerPage(): string {
  return html
}
