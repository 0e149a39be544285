// The HTML report's style and script (plain browser JavaScript, no library, no network).
// The script reads the JSON of html.ts and draws with DOM calls only: every string
// from a run goes in as text, never as markup.

export const PAGE_CSS = `
:root { --pass: #1a7f37; --fail: #cf222e; --xfail: #8250df; --xpass: #bc4c00; --skip: #6e7781; --error: #a40e26;
  --hit: #fff8c5; --miss: #ffebe9; --line: #d0d7de; font-family: system-ui, sans-serif; font-size: 14px; color: #1f2328; }
body { margin: 0; }
header { position: sticky; top: 0; background: #f6f8fa; border-bottom: 1px solid var(--line); padding: 8px 16px; z-index: 2; }
h1 { font-size: 18px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 16px 0 8px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
main { padding: 8px 16px 32px; }
form { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: 8px; }
legend { float: left; margin-right: 6px; }
#shown { color: #57606a; }
.badge { display: inline-block; min-width: 48px; text-align: center; border-radius: 4px; color: #fff; font-size: 12px; font-weight: 600; padding: 1px 4px; margin-right: 8px; }
.v-PASS .badge, .badge.v-PASS { background: var(--pass); } .v-FAIL .badge, .badge.v-FAIL { background: var(--fail); }
.v-XFAIL .badge, .badge.v-XFAIL { background: var(--xfail); } .v-XPASS .badge, .badge.v-XPASS { background: var(--xpass); }
.v-SKIP .badge, .badge.v-SKIP { background: var(--skip); } .v-ERROR .badge, .badge.v-ERROR { background: var(--error); }
details.run { border: 1px solid var(--line); border-radius: 6px; margin: 4px 0; }
.v-FAIL .headline, .v-XPASS .headline, .v-ERROR .headline { color: var(--fail); }
details.run > summary { cursor: pointer; padding: 4px 8px; list-style-position: inside; }
details.run[open] > summary { border-bottom: 1px solid var(--line); background: #f6f8fa; }
.headline { color: #57606a; margin-left: 8px; font-family: ui-monospace, monospace; font-size: 12px; }
.body { padding: 8px 12px; }
.meta { color: #57606a; }
pre, ol.dmesg { font-family: ui-monospace, SFMono-Regular, monospace; font-size: 12px; }
pre.failure { background: var(--miss); border-left: 3px solid var(--fail); padding: 6px 8px; white-space: pre-wrap; margin: 6px 0; }
.pos { font-weight: 600; text-decoration: underline dotted; }
.titles { font-weight: 600; }
ol.dmesg { list-style: none; margin: 6px 0; padding: 0; border: 1px solid var(--line); max-height: 480px; overflow: auto; }
ol.dmesg li { white-space: pre; padding: 0 6px; }
ol.dmesg li.hit { background: var(--hit); }
ol.dmesg li.miss { background: var(--miss); }
ol.dmesg li.step { background: #eaeef2; color: #57606a; font-style: italic; }
ol.dmesg li.focus { outline: 2px solid #0969da; }
ol.dmesg .n { color: #8c959f; display: inline-block; min-width: 4ch; text-align: right; margin-right: 8px; }
ol.dmesg .by { color: #9a6700; margin-left: 12px; font-style: italic; }
ul.asserts { margin: 4px 0; padding-left: 18px; }
ul.asserts li.bad { color: var(--fail); }
svg text { font-family: ui-monospace, monospace; font-size: 11px; fill: #1f2328; }
svg .axis { stroke: #8c959f; } svg .band { fill: #f6f8fa; stroke: #d0d7de; }
svg .row { stroke: #eaeef2; }
.legend span { margin-right: 12px; }
.board { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
`;

export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var S = D.strings;
  var KINDS = D.kinds;
  var VERDICTS = ['PASS', 'FAIL', 'XFAIL', 'XPASS', 'SKIP', 'ERROR'];
  var FAILED = { FAIL: 1, XPASS: 1, ERROR: 1 };
  var SVGNS = 'http://www.w3.org/2000/svg';
  var COLORS = { probe: '#1a7f37', defer: '#bf8700', bind: '#0969da', unbind: '#6e7781', fault: '#bc4c00', report: '#cf222e' };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function stamp(usec) {
    var s = String(Math.floor(usec / 1e6)), u = String(usec % 1e6);
    while (s.length < 5) s = ' ' + s;
    while (u.length < 6) u = '0' + u;
    return '[' + s + '.' + u + ']';
  }

  var runs = D.runs.map(function (r, i) {
    return { i: i, label: S[r[0]], status: S[r[1]], board: S[r[2]], kernel: S[r[3]], suite: S[r[4]], at: S[r[5]],
      reason: r[6] < 0 ? '' : S[r[6]], diag: r[7].map(function (x) { return S[x]; }), titles: r[8].map(function (x) { return S[x]; }),
      asserts: r[9], log: r[10], events: r[11], steps: r[12], end: r[13], lines: r[14] };
  });

  // totals and filters
  var counts = {};
  VERDICTS.forEach(function (v) { counts[v] = 0; });
  runs.forEach(function (r) { counts[r.status]++; });
  document.getElementById('totals').textContent = runs.length + ' runs on the ' + D.target + ' target: ' +
    VERDICTS.filter(function (v) { return counts[v]; }).map(function (v) { return counts[v] + ' ' + v; }).join(', ');
  var fv = document.getElementById('f-verdict');
  VERDICTS.forEach(function (v) {
    var l = el('label', { 'class': 'v-' + v });
    var c = el('input', { type: 'checkbox', value: v, 'data-verdict': v });
    c.checked = true;
    l.appendChild(c);
    l.appendChild(el('span', { 'class': 'badge v-' + v }, v));
    l.appendChild(document.createTextNode(String(counts[v])));
    fv.appendChild(l);
  });
  function options(id, values) {
    var s = document.getElementById(id);
    values.forEach(function (v) { s.appendChild(el('option', { value: v }, v)); });
  }
  function uniq(key) {
    var seen = {}, out = [];
    runs.forEach(function (r) { if (!seen[r[key]]) { seen[r[key]] = 1; out.push(r[key]); } });
    return out;
  }
  options('f-board', uniq('board'));
  options('f-kernel', uniq('kernel'));

  // the run list
  var list = document.getElementById('runs');
  var openedFailures = 0;
  runs.forEach(function (r) {
    var d = el('details', { 'class': 'run v-' + r.status, id: 'run-' + r.i, 'data-status': r.status, 'data-board': r.board, 'data-kernel': r.kernel });
    var sum = el('summary');
    sum.appendChild(el('span', { 'class': 'badge' }, r.status));
    sum.appendChild(el('span', { 'class': 'label' }, r.label));
    if (r.status !== 'PASS' && r.diag.length) sum.appendChild(el('span', { 'class': 'headline' }, r.titles.length && r.status === 'FAIL' ? r.titles[0] : r.diag[0]));
    d.appendChild(sum);
    d.addEventListener('toggle', function () { if (d.open && !d.dataset.drawn) { d.dataset.drawn = '1'; d.appendChild(body(r)); } });
    r.node = d;
    list.appendChild(d);
    // a failed run shows its failure without a click (the first fifty)
    if (FAILED[r.status] && openedFailures < 50) { openedFailures++; d.open = true; }
  });

  function filter() {
    var on = {};
    Array.prototype.forEach.call(fv.querySelectorAll('input'), function (c) { on[c.value] = c.checked; });
    var b = document.getElementById('f-board').value, k = document.getElementById('f-kernel').value;
    var t = document.getElementById('f-text').value.toLowerCase();
    var n = 0;
    runs.forEach(function (r) {
      var show = on[r.status] && (!b || r.board === b) && (!k || r.kernel === k) && (!t || r.label.toLowerCase().indexOf(t) >= 0);
      r.node.hidden = !show;
      if (show) n++;
    });
    document.getElementById('shown').textContent = n + ' of ' + runs.length + ' shown';
  }
  document.getElementById('filters').addEventListener('input', filter);
  document.getElementById('filters').addEventListener('change', filter);
  document.getElementById('filters').addEventListener('submit', function (e) { e.preventDefault(); });
  filter();

  // one run's details
  function body(r) {
    var b = el('div', { 'class': 'body' });
    var meta = el('p', { 'class': 'meta' }, 'scenario at ' + r.at + ' - board ' + r.board + ' - kernel ' + r.kernel + ' - ' + r.lines + ' log lines in ' + (r.end / 1e6).toFixed(6) + ' s of virtual time');
    b.appendChild(meta);
    if (r.reason && (r.status === 'SKIP' || r.status === 'ERROR')) b.appendChild(el('p', null, r.status + ': ' + r.reason));
    if (r.titles.length) b.appendChild(el('p', { 'class': 'titles' }, 'title: ' + r.titles.join(' | ')));
    if (r.diag.length) {
      var pre = el('pre', { 'class': 'failure' });
      r.diag.forEach(function (line, i) {
        var m = /^(\\s*)(\\S+?:\\d+:\\d+)(:.*)$/.exec(line);
        if (m) { pre.appendChild(document.createTextNode(m[1])); pre.appendChild(el('span', { 'class': 'pos' }, m[2])); pre.appendChild(document.createTextNode(m[3])); }
        else pre.appendChild(document.createTextNode(line));
        if (i < r.diag.length - 1) pre.appendChild(document.createTextNode('\\n'));
      });
      b.appendChild(pre);
    }
    if (r.events.length) {
      b.appendChild(el('h3', null, 'Timeline (virtual clock)'));
      b.appendChild(timeline(r));
    }
    if (r.asserts.length) {
      b.appendChild(el('h3', null, 'Assertions'));
      var ul = el('ul', { 'class': 'asserts' });
      r.asserts.forEach(function (a) {
        var txt = S[a[0]] + ' at ' + S[a[2]] + (a[3] ? ' (step ' + a[3] + ')' : '') + (a[1] ? ': matched ' + a[5].length + ' line' + (a[5].length === 1 ? '' : 's') : ': ' + S[a[4]]);
        ul.appendChild(el('li', { 'class': a[1] ? 'ok' : 'bad' }, txt));
      });
      b.appendChild(ul);
    }
    if (r.log.length) {
      b.appendChild(el('h3', null, 'dmesg'));
      b.appendChild(dmesg(r));
    } else if (r.status === 'SKIP') b.appendChild(el('p', { 'class': 'meta' }, 'not run'));
    return b;
  }

  function dmesg(r) {
    var by = {}, bad = {};
    r.asserts.forEach(function (a) {
      a[5].forEach(function (n) {
        (by[n] = by[n] || []).push(S[a[0]] + ' ' + S[a[2]]);
        if (!a[1]) bad[n] = 1;
      });
    });
    var startOf = {};
    r.steps.forEach(function (s) { if (s[2] < s[3]) startOf[s[2]] = s; });
    var ol = el('ol', { 'class': 'dmesg' });
    var t = 0;
    for (var i = 0, n = 0; i < r.log.length; i += 2, n++) {
      t += r.log[i];
      if (startOf[n]) ol.appendChild(el('li', { 'class': 'step' }, 'step ' + startOf[n][0] + ': ' + S[startOf[n][1]]));
      var li = el('li', { id: 'l-' + r.i + '-' + n, 'class': bad[n] ? 'miss' : by[n] ? 'hit' : '' });
      li.appendChild(el('span', { 'class': 'n' }, String(n + 1)));
      li.appendChild(document.createTextNode(stamp(t) + ' ' + S[r.log[i + 1]]));
      if (by[n]) {
        li.appendChild(el('span', { 'class': 'by' }, (bad[n] ? 'failed: ' : 'matched by ') + by[n].join(', ')));
        li.title = 'matched by ' + by[n].join(', ');
      }
      ol.appendChild(li);
    }
    return ol;
  }

  function focusLine(r, n) {
    var li = document.getElementById('l-' + r.i + '-' + n);
    if (!li) return;
    Array.prototype.forEach.call(document.querySelectorAll('li.focus'), function (x) { x.classList.remove('focus'); });
    li.classList.add('focus');
    li.scrollIntoView({ block: 'center' });
  }

  function mark(kind, ok, x, y) {
    var c = ok ? COLORS[kind] : '#cf222e';
    switch (kind) {
      case 'probe': return sv('circle', { cx: x, cy: y, r: 5, fill: c });
      case 'defer': return sv('path', { d: 'M' + (x - 5) + ' ' + (y + 4) + ' L' + x + ' ' + (y - 5) + ' L' + (x + 5) + ' ' + (y + 4) + ' Z', fill: c });
      case 'bind': return sv('rect', { x: x - 4, y: y - 4, width: 8, height: 8, fill: c });
      case 'unbind': return sv('rect', { x: x - 4, y: y - 4, width: 8, height: 8, fill: '#fff', stroke: c, 'stroke-width': 2 });
      case 'fault': return sv('path', { d: 'M' + x + ' ' + (y - 6) + ' L' + (x + 6) + ' ' + y + ' L' + x + ' ' + (y + 6) + ' L' + (x - 6) + ' ' + y + ' Z', fill: COLORS.fault });
      default: return sv('path', { d: 'M' + (x - 5) + ' ' + (y - 5) + ' L' + (x + 5) + ' ' + (y + 5) + ' M' + (x + 5) + ' ' + (y - 5) + ' L' + (x - 5) + ' ' + (y + 5), stroke: COLORS.report, 'stroke-width': 3 });
    }
  }

  function timeline(r) {
    var rows = [], rowOf = {};
    r.events.forEach(function (e) {
      var d = S[e[1]];
      if (rowOf[d] === undefined) { rowOf[d] = rows.length; rows.push(d); }
    });
    var W = 960, L = 220, R = 20, H = 22, top = 34;
    var height = top + Math.max(1, rows.length) * H + 24;
    var end = Math.max(1, r.end);
    r.events.forEach(function (e) { if (e[0] > end) end = e[0]; });
    var X = function (u) { return L + (u / end) * (W - L - R); };
    var svg = sv('svg', { width: W, height: height, viewBox: '0 0 ' + W + ' ' + height, role: 'img', 'class': 'timeline' });
    svg.appendChild(sv('title', null, 'timeline of ' + r.label));
    var prevEnd = 0;
    r.steps.forEach(function (s, i) {
      var x0 = X(prevEnd), x1 = X(Math.max(s[4], prevEnd));
      if (i % 2 === 0) svg.appendChild(sv('rect', { 'class': 'band', x: x0, y: 14, width: Math.max(1, x1 - x0), height: height - 38 }));
      var t = sv('text', { x: x0 + 2, y: 11 }, s[0] + ' ' + S[s[1]]);
      t.appendChild(sv('title', null, 'step ' + s[0] + ': ' + S[s[1]] + ' until ' + stamp(s[4])));
      svg.appendChild(t);
      prevEnd = s[4];
    });
    rows.forEach(function (d, i) {
      var y = top + i * H;
      svg.appendChild(sv('line', { 'class': 'row', x1: L, x2: W - R, y1: y, y2: y }));
      svg.appendChild(sv('text', { x: 4, y: y + 4 }, d === '' ? '(kernel)' : d));
    });
    var ay = height - 18;
    svg.appendChild(sv('line', { 'class': 'axis', x1: L, x2: W - R, y1: ay, y2: ay }));
    for (var k = 0; k <= 4; k++) {
      var u = Math.round((end * k) / 4);
      svg.appendChild(sv('line', { 'class': 'axis', x1: X(u), x2: X(u), y1: ay, y2: ay + 4 }));
      svg.appendChild(sv('text', { x: X(u), y: ay + 15, 'text-anchor': k === 0 ? 'start' : k === 4 ? 'end' : 'middle' }, (u / 1e6).toFixed(6) + ' s'));
    }
    r.events.forEach(function (e) {
      var kind = KINDS[e[2]], y = top + rowOf[S[e[1]]] * H, x = X(e[0]);
      var m = mark(kind, e[3] === 1, x, y);
      var text = e[4] >= 0 ? S[e[4]] : e[5] >= 0 ? S[r.log[2 * e[5] + 1]] : '';
      m.setAttribute('class', 'mark ' + kind);
      m.setAttribute('data-kind', kind);
      m.appendChild(sv('title', null, kind + (e[3] ? '' : ' (failed)') + ' ' + (S[e[1]] || 'kernel') + ' at ' + stamp(e[0]) + ': ' + text));
      if (e[5] >= 0) { m.style.cursor = 'pointer'; m.addEventListener('click', function () { focusLine(r, e[5]); }); }
      svg.appendChild(m);
    });
    var wrap = el('div');
    wrap.appendChild(svg);
    var legend = el('p', { 'class': 'legend' });
    KINDS.forEach(function (k) {
      var s = el('span');
      var ic = sv('svg', { width: 14, height: 14 });
      ic.appendChild(mark(k, true, 7, 7));
      s.appendChild(ic);
      s.appendChild(document.createTextNode(' ' + k));
      legend.appendChild(s);
    });
    wrap.appendChild(legend);
    return wrap;
  }

  // board topology: IOMMUs on the left, their clients on the right, suppliers as dashed arcs
  var boardsEl = document.getElementById('boards');
  D.boards.forEach(function (bd) {
    var box = el('div', { 'class': 'board', id: 'board-' + bd.id });
    box.appendChild(el('h3', null, bd.id + ' - ' + bd.model));
    box.appendChild(el('p', { 'class': 'meta' }, bd.arch + ', ' + bd.firmware + (bd.compatible ? ', compatible: ' + bd.compatible.join(', ') : '') + ' - ' + bd.iommus.length + ' IOMMUs, ' + bd.devices.length + ' devices'));
    var H = 20, top = 24, W = 960, xI = 10, wI = 300, xD = 520, wD = 330;
    var n = Math.max(bd.iommus.length, bd.devices.length, 1);
    var height = top + n * H + 10;
    var svg = sv('svg', { width: W, height: height, viewBox: '0 0 ' + W + ' ' + height, role: 'img', 'class': 'topology' });
    svg.appendChild(sv('title', null, 'topology of ' + bd.id));
    svg.appendChild(sv('text', { x: xI, y: 14 }, 'IOMMUs'));
    svg.appendChild(sv('text', { x: xD, y: 14 }, 'devices (driver)'));
    var yI = {}, yD = {};
    bd.iommus.forEach(function (m, i) { yI[m.name] = top + i * H; });
    bd.devices.forEach(function (d, i) { yD[d.name] = top + i * H; });
    bd.devices.forEach(function (d) {
      d.iommus.forEach(function (ref) {
        if (yI[ref.iommu] === undefined) return;
        var l = sv('line', { x1: xI + wI, y1: yI[ref.iommu], x2: xD, y2: yD[d.name], stroke: '#0969da', 'stroke-opacity': 0.5 });
        l.appendChild(sv('title', null, d.name + ' is a client of ' + ref.iommu + (ref.ids.length ? ' (ids ' + ref.ids.join(', ') + ')' : '')));
        svg.appendChild(l);
      });
      d.suppliers.forEach(function (s) {
        if (yD[s] === undefined) return;
        var y1 = yD[d.name], y2 = yD[s], x = xD + wD;
        var p = sv('path', { d: 'M' + x + ' ' + y1 + ' C' + (x + 60) + ' ' + y1 + ' ' + (x + 60) + ' ' + y2 + ' ' + x + ' ' + y2, fill: 'none', stroke: '#bf8700', 'stroke-dasharray': '4 3' });
        p.appendChild(sv('title', null, d.name + ' waits for its supplier ' + s));
        svg.appendChild(p);
      });
    });
    bd.iommus.forEach(function (m) {
      if (m.main && yI[m.main] !== undefined) {
        var p = sv('path', { d: 'M' + xI + ' ' + yI[m.name] + ' C' + (xI - 8) + ' ' + yI[m.name] + ' ' + (xI - 8) + ' ' + yI[m.main] + ' ' + xI + ' ' + yI[m.main], fill: 'none', stroke: '#8250df', 'stroke-dasharray': '2 2' });
        p.appendChild(sv('title', null, m.name + ' hangs off ' + m.main));
        svg.appendChild(p);
      }
      var t = sv('text', { x: xI + 4, y: yI[m.name] + 4 }, m.name + ' [' + m.driver + ']' + (m.status === 'disabled' ? ' (disabled)' : ''));
      svg.appendChild(t);
    });
    bd.devices.forEach(function (d) {
      svg.appendChild(sv('text', { x: xD + 4, y: yD[d.name] + 4 }, d.name + (d.driver ? ' (' + d.driver + ')' : '') + (d.present ? '' : ' [hot-plug]') + (d.status === 'disabled' ? ' (disabled)' : '')));
    });
    box.appendChild(svg);
    // the same as text
    var ul = el('ul', { 'class': 'topo-text' });
    bd.iommus.forEach(function (m) {
      var clients = bd.devices.filter(function (d) { return d.iommus.some(function (x) { return x.iommu === m.name; }); }).map(function (d) { return d.name; });
      ul.appendChild(el('li', null, 'IOMMU ' + m.name + ' (' + m.driver + ')' + (m.main ? ', under ' + m.main : '') + ': ' + (clients.length ? clients.join(', ') : 'no clients')));
    });
    bd.devices.forEach(function (d) {
      if (d.suppliers.length) ul.appendChild(el('li', null, d.name + ' waits for ' + d.suppliers.join(', ')));
    });
    box.appendChild(ul);
    boardsEl.appendChild(box);
  });
  document.body.setAttribute('data-ready', '1');
})();
`;
