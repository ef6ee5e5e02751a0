/**
 * The observer page's script: it reads each snapshot from the event stream and renders it in
 * place, rows matched by key and cells rewritten only when their text changed, data always as
 * text. Kept apart from the page's markup so each stays readable.
 *
 * @module
 */

// Plain ES2020 in a string: no backticks or template placeholders inside, and no closing script
// tag. Checked in a real browser by test/observer/page.browser.test.ts.
/** The script, inlined in the page. @internal */
export const pageScript = `
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
    { field: 'waits', get: function (t) { return text(t.waitsOn); } },
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
  var poolCols = [
    { field: 'name', get: function (r) { return text(r.name); } },
    // JSON turns Infinity into null: an unbounded pool.
    { field: 'size', cls: 'n', get: function (r) {
      return typeof r.size === 'number' && Number.isFinite(r.size) ? int(r.size) : INFINITY;
    } },
    { field: 'running', cls: 'n', get: function (r) { return int(r.running); } },
    { field: 'waiting', cls: 'n', get: function (r) { return int(r.waiting); } },
    { field: 'completed', cls: 'n', get: function (r) { return int(r.completed); } },
    { field: 'failed', cls: 'n', get: function (r) { return int(r.failed); } },
    { field: 'cancelled', cls: 'n', get: function (r) { return int(r.cancelled); } },
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
      deadLettersPerSec: sec.querySelector('[data-field="deadLettersPerSec"]'),
      rows: sec.querySelector('tbody.actors'),
      dead: sec.querySelector('tbody.dead'),
    };
    systemViews.set(name, v);
    return v;
  }

  // Row keys for a list whose names need not be unique (queues, pools): a second one of a name gets
  // its number.
  function numberedKeys(prefix, list) {
    var keys = [];
    var named = new Map();
    for (var i = 0; i < list.length; i++) {
      var n = text(list[i].name);
      var times = (named.get(n) || 0) + 1;
      named.set(n, times);
      keys.push(prefix + n + (times > 1 ? '#' + times : ''));
    }
    return keys;
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
      setText(v.deadLettersPerSec, rate(sys.deadLettersPerSec));
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

    var pools = Array.isArray(s.pools) ? s.pools : [];
    var poolKeys = numberedKeys('pool:', pools);
    syncRows(document.getElementById('pool-rows'), pools,
      function (r, n) { return poolKeys[n]; }, poolCols, 'no named pools');
    document.getElementById('pools').hidden = pools.length === 0;

    var queues = Array.isArray(s.queues) ? s.queues : [];
    var queueKeys = numberedKeys('queue:', queues);
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
