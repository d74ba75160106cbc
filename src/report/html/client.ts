// The HTML report's stylesheet and browser script, as text the page inlines. The script reads
// the embedded document (page.ts) and draws each view with uPlot; it formats numbers but
// computes none that the JSON report already has. Plain ES2020, no backticks (a TS template).
import { DIFF_RENDERER } from './client-diff.js';
import { STREAMS_RENDERER } from './client-streams.js';

/** Light and dark schemes (prefers-color-scheme), laptop-width layout, print rules. */
export const PAGE_STYLE = String.raw`
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d232a; --muted: #5b6570; --grid: #e3e7eb; --card: #f6f8fa;
  --border: #d6dbe0; --good: #1a7f37; --warn: #9a6700; --bad: #cf222e; --accent: #0969da; --mark: #8250df; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9aa6b2; --grid: #2a313a; --card: #161b22;
    --border: #30363d; --good: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #4493f8; --mark: #a371f7; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 20px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--border); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 14px 0 4px; }
p, ul { margin: 6px 0; }
.meta { color: var(--muted); font-size: 13px; }
.verdict { display: inline-block; font-weight: 700; font-size: 18px; padding: 2px 10px; border-radius: 6px; color: #fff; margin-right: 8px; }
.verdict.BALANCED { background: var(--good); } .verdict.PARTIAL, .verdict.UNKNOWN { background: var(--warn); }
.verdict.PINNED, .verdict.UNSTABLE { background: var(--bad); }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 12px 16px; }
.pass { color: var(--good); font-weight: 600; } .fail { color: var(--bad); font-weight: 600; }
.note { color: var(--muted); }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--border); padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td { white-space: nowrap; }
td.text { text-align: left; white-space: normal; } td.left { text-align: left; }
.heat td.cell { min-width: 56px; }
figure { margin: 8px 0; } figcaption { color: var(--muted); font-size: 13px; }
.chart { width: 100%; }
.u-legend { font-size: 12px; }
.events { font-size: 13px; }
.events li::marker { color: var(--mark); }
.badge { font-size: 11px; color: var(--muted); border: 1px solid var(--border); border-radius: 4px; padding: 0 4px; margin-left: 6px; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444; --grid: #ddd; --card: #ffffff; --border: #bbb; }
  body { font-size: 11pt; } main { max-width: none; padding: 0; }
  section { break-inside: avoid; }
  .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  td.cell { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** The browser script: window.grpclbProbe = {document, charts: [{view, chart}]} once drawn. */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var doc = JSON.parse(document.getElementById('grpclb-probe-data').textContent);
  var root = document.getElementById('report');
  var charts = []; window.grpclbProbe = { document: doc, charts: charts };
  var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  var PERCENTILES = [['p50', 'p50'], ['p90', 'p90'], ['p95', 'p95'], ['p99', 'p99'], ['p999', 'p99.9'], ['max', 'max']];

  function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key === 'className') node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child); });
    return node;
  }
  function fmtMs(ms) { return ms == null ? '-' : ms < 10 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0); }
  function fmtPct(fraction) { return (fraction * 100).toFixed(1) + ' %'; }
  function color(index) { return PALETTE[index % PALETTE.length]; }
  function shortName(name) { var parts = name.split('-'); return parts.length >= 3 ? parts[parts.length - 1] : name; }
  /** Short labels when they stay distinct, else the full names. */
  function labels(names) {
    var short = names.map(shortName);
    return new Set(short).size === short.length ? short : names.slice();
  }
  function section(view, title) {
    var node = el('section', { 'data-view': view }, [el('h2', { text: title })]);
    root.appendChild(node);
    return node;
  }
  function table(head, rows) {
    return el('table', {}, [
      el('thead', {}, [el('tr', {}, head.map(function (cell) { return el('th', { text: cell }); }))]),
      el('tbody', {}, rows.map(function (row) { return el('tr', {}, row.map(function (cell) { return typeof cell === 'object' ? cell : el('td', { text: String(cell) }); })); })),
    ]);
  }
  function axes(xLabel, yLabel, xValues) {
    var fg = cssVar('--fg'); var grid = cssVar('--grid');
    var x = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, label: xLabel };
    if (xValues) x.values = xValues;
    return [x, { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, label: yLabel, size: 60 }];
  }
  function chart(view, container, options, data) {
    var figure = el('figure', { className: 'chart', 'data-chart': view });
    container.appendChild(figure);
    options.width = Math.max(320, figure.clientWidth || container.clientWidth || 900);
    options.height = options.height || 260;
    var plot = new uPlot(options, data, figure);
    charts.push({ view: view, chart: plot });
    return figure;
  }
  function resizeAll(width) {
    charts.forEach(function (entry) {
      var figure = entry.chart.root.parentNode;
      entry.chart.setSize({ width: width || Math.max(320, figure.clientWidth), height: entry.chart.height });
    });
  }
  ['resize', 'afterprint'].forEach(function (name) { window.addEventListener(name, function () { resizeAll(); }); });
  window.addEventListener('beforeprint', function () { resizeAll(680); });

  /** Verdict, cause, fix, notes, gates, and the run's key numbers. */
  function verdictCard(report, container) {
    var diagnosis = report.diagnosis;
    var card = el('div', { className: 'card' }, [
      el('p', {}, [el('span', { className: 'verdict ' + diagnosis.verdict, 'data-verdict': diagnosis.verdict, text: diagnosis.verdict }), diagnosis.cause]),
      diagnosis.fix ? el('p', {}, [el('strong', { text: 'fix: ' }), diagnosis.fix]) : null,
    ]);
    if (diagnosis.notes.length > 0) card.appendChild(el('ul', {}, diagnosis.notes.map(function (note) { return el('li', { className: 'note', text: note }); })));
    if (report.gates.length > 0) {
      card.appendChild(el('ul', { className: 'gates' }, report.gates.map(function (gate) {
        return el('li', {}, ['gate ' + gate.gate + ' ', el('span', { className: gate.passed ? 'pass' : 'fail', text: gate.passed ? 'pass' : 'FAIL' }), ': ' + (gate.display || 'limit ' + gate.limit + ', measured ' + gate.measured)]);
      })));
    }
    if (report.stopReason === 'interrupted') card.appendChild(el('p', { className: 'fail', text: 'interrupted: partial results' }));
    container.appendChild(card);
    var skew = report.skew;
    var failed = Object.keys(report.rpcs.byStatus).filter(function (status) { return status !== 'OK'; }).map(function (status) { return status + ' ' + report.rpcs.byStatus[status]; });
    container.appendChild(el('p', { className: 'meta', text:
      'target ' + report.target + ' \u00b7 LB policy ' + (report.lbPolicy === null ? 'channel default' : report.lbPolicy + ' (asked for)') +
      ' \u00b7 ' + report.channels + ' channel' + (report.channels === 1 ? '' : 's') + ' \u00b7 concurrency ' + report.concurrency +
      (report.rps === null ? '' : ' \u00b7 rate ' + report.rps + ' RPC/s') + ' \u00b7 started ' + report.startedAt +
      (report.client && report.client.hostname ? ' from ' + report.client.hostname : '') + (report.tool ? ' \u00b7 ' + report.tool.name + ' ' + report.tool.version : '') }));
    container.appendChild(el('p', { className: 'meta', text:
      'RPCs ' + report.rpcs.ok + ' ok, ' + report.rpcs.failed + ' failed' + (failed.length ? ' (' + failed.join(', ') + ')' : '') +
      ' \u00b7 ' + report.backends.length + ' backends, ' + report.peers.length + ' peers \u00b7 ' + (report.elapsedMs / 1000).toFixed(2) + ' s, ' +
      report.rpcsPerSecond.toFixed(0) + ' RPC/s \u00b7 p50 ' + fmtMs(report.latencyMs.p50) + ' ms, p99 ' + fmtMs(report.latencyMs.p99) + ' ms' +
      (skew.totalRpcs > 0 ? ' \u00b7 skew ' + skew.skew.toFixed(2) + ' (fair share ' + fmtPct(skew.fairShare) + ' of ' + skew.expectedBackends + ')' : '') +
      (skew.chiSquare ? ' \u00b7 chi-square p ' + (skew.chiSquare.pValue < 0.001 ? '< 0.001' : skew.chiSquare.pValue.toFixed(3)) : '') }));
    if (report.resolvedAddresses) container.appendChild(el('p', { className: 'meta', text: 'resolves to ' + report.resolvedAddresses.join(', ') }));
    report.errors.slice(0, 5).forEach(function (error) { container.appendChild(el('p', { className: 'meta', text: error.count + ' x ' + error.status + ': ' + error.details })); });
  }

  /** Bars: one series per backend (its bar at its own x), and the fair share as a dashed line. */
  function sharesChart(view, container, report) {
    var names = report.backends.map(function (backend) { return backend.name; });
    var short = labels(names);
    var xs = names.map(function (_, index) { return index; });
    var data = [xs];
    var series = [{ label: 'backend' }];
    report.backends.forEach(function (backend, index) {
      data.push(xs.map(function (x) { return x === index ? backend.share * 100 : null; }));
      series.push({ label: backend.name, stroke: color(index), fill: color(index), width: 0, paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false },
        value: function (u, value) { return value == null ? '' : value.toFixed(1) + ' %'; } });
    });
    data.push(xs.map(function () { return report.skew.fairShare * 100; }));
    series.push({ label: 'fair share', stroke: cssVar('--fg'), width: 1.5, dash: [6, 4], points: { show: false }, value: function (u, value) { return value == null ? '' : value.toFixed(1) + ' %'; } });
    chart(view, container, {
      series: series,
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, names.length - 0.5)] }, y: { range: [0, Math.max(100 * report.skew.fairShare * 1.2, 100 * Math.max.apply(null, [0].concat(report.backends.map(function (b) { return b.share; }))) * 1.1, 1)] } },
      axes: axes('backend', 'share of RPCs, %', function (u, splits) { return splits.map(function (split) { return Number.isInteger(split) && short[split] !== undefined ? short[split] : ''; }); }),
      cursor: { points: { show: false } },
    }, data);
    var notes = [];
    if (report.skew.idleBackends > 0) notes.push(report.skew.idleBackends + ' expected backend' + (report.skew.idleBackends === 1 ? '' : 's') + ' got no RPC (0 %)');
    if (report.skew.starvedBackends > 0) notes.push(report.skew.starvedBackends + ' starved (under half the fair share)');
    container.appendChild(el('figcaption', { text: 'Fair share ' + fmtPct(report.skew.fairShare) + ' over ' + report.skew.expectedBackends + ' backends (' + report.skew.expectedFrom + ')' + (notes.length ? '; ' + notes.join('; ') : '') }));
  }

  /** The last interval is partial when the run ended inside it. */
  function partialFrom(result) {
    var buckets = result.timeline.buckets;
    var last = buckets[buckets.length - 1];
    return last && last.startMs + result.timeline.intervalMs > result.elapsedMs + 1 ? last.startMs : null;
  }

  /** RPCs per interval stacked per backend (bands), failures as a line, events as marks. */
  function timelineChart(view, container, result, names, xMaxMs, height) {
    var timeline = result.timeline;
    var buckets = timeline.buckets;
    var events = result.events || [];
    var end = buckets.length === 0 ? 0 : Math.min(buckets[buckets.length - 1].startMs + timeline.intervalMs, Math.max(result.elapsedMs, buckets[buckets.length - 1].startMs));
    var xs = buckets.map(function (bucket) { return bucket.startMs / 1000; }).concat([end / 1000]);
    var raw = names.map(function (name) { var values = buckets.map(function (bucket) { return bucket.rpcs[name] || 0; }); return values.concat([values[values.length - 1] || 0]); });
    var sums = xs.map(function () { return 0; }), data = [xs];
    var series = [{ label: 't, s', value: function (u, value) { return value == null ? '' : value.toFixed(1) + ' s'; } }];
    var bands = [];
    var stepped = uPlot.paths.stepped({ align: 1 });
    names.forEach(function (name, index) {
      sums = sums.map(function (sum, at) { return sum + raw[index][at]; });
      data.push(sums.slice());
      series.push({ label: name, stroke: color(index), fill: color(index) + 'b0', width: 1, paths: stepped, points: { show: false },
        value: (function (values) { return function (u, value, seriesIndex, at) { return at == null ? '' : String(values[at]); }; })(raw[index]) });
      if (index > 0) bands.push({ series: [index + 1, index] });
    });
    var failedRaw = buckets.map(function (bucket) { return bucket.failed; }).concat([buckets.length ? buckets[buckets.length - 1].failed : 0]), anyFailed = failedRaw.some(function (value) { return value > 0; });
    var asked = buckets.map(function (bucket) { return bucket.askedRps == null ? null : bucket.askedRps * timeline.intervalMs / 1000; });
    if (asked.some(function (value) { return value != null; })) { data.push(asked.concat([asked[asked.length - 1]])); series.push({ label: 'asked', stroke: cssVar('--mark'), width: 2, dash: [6, 3], paths: stepped, points: { show: false } }); }
    if (anyFailed) {
      // Failures on their own right-hand scale: thousands of fast failures would flatten the RPCs.
      data.push(failedRaw);
      series.push({ label: 'failed', scale: 'failed', stroke: cssVar('--bad'), width: 2, dash: [3, 3], paths: stepped, points: { show: false } });
    }
    var partialStart = partialFrom(result);
    var mark = cssVar('--mark'); var muted = cssVar('--muted');
    var draw = function (u) {
      var ctx = u.ctx; var top = u.bbox.top; var bottom = u.bbox.top + u.bbox.height;
      ctx.save();
      if (partialStart !== null) {
        var left = u.valToPos(partialStart / 1000, 'x', true); var right = u.valToPos(end / 1000, 'x', true);
        ctx.fillStyle = muted + '40'; ctx.fillRect(left, top, Math.max(1, right - left), bottom - top);
        ctx.fillStyle = muted; ctx.font = (11 * devicePixelRatio) + 'px system-ui'; ctx.fillText('partial', left + 3, top + 12 * devicePixelRatio);
      }
      ctx.strokeStyle = mark; ctx.fillStyle = mark; ctx.lineWidth = devicePixelRatio; ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      events.forEach(function (event, index) {
        var x = u.valToPos(event.atMs / 1000, 'x', true);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
        ctx.font = (11 * devicePixelRatio) + 'px system-ui'; ctx.fillText(String(index + 1), x + 2, top + 24 * devicePixelRatio);
      });
      ctx.restore();
    };
    var figure = chart(view, container, {
      height: height,
      series: series, bands: bands,
      scales: { x: { time: false, range: [0, Math.max(xMaxMs, end, 1) / 1000] }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.05)]; } },
        failed: { range: function (u, min, max) { return [0, Math.max(1, max * 1.05)]; } } },
      axes: axes('seconds since the start', 'RPCs per ' + (timeline.intervalMs / 1000) + ' s').concat(anyFailed
        ? [{ scale: 'failed', side: 1, stroke: cssVar('--bad'), grid: { show: false }, ticks: { stroke: cssVar('--grid'), width: 1 }, label: 'failed per ' + (timeline.intervalMs / 1000) + ' s', size: 60 }]
        : []),
      hooks: { draw: [draw] },
    }, data);
    var caption = [];
    if (partialStart !== null) caption.push('the last interval (from ' + (partialStart / 1000).toFixed(1) + ' s) is partial: the run ended inside it, so it holds fewer RPCs without a drop');
    if (caption.length) figure.appendChild(el('figcaption', { text: caption.join('; ') }));
    if (events.length > 0) {
      container.appendChild(el('ol', { className: 'events', 'data-events': String(events.length) }, events.map(function (event) {
        return el('li', { text: (event.atMs / 1000).toFixed(2) + ' s  ' + event.kind + (event.backend ? ' ' + event.backend : '') + (event.address ? ' ' + event.address : '') + (event.channel != null ? ' channel ' + event.channel : '') + ': ' + event.detail });
      })));
    }
  }

  /** p50..p99.9 and max: one line per series over the percentile names. */
  function percentilesChart(view, container, rows) {
    var xs = PERCENTILES.map(function (_, index) { return index; });
    var data = [xs];
    var series = [{ label: 'percentile', value: function (u, value) { return value == null ? '' : PERCENTILES[value][1]; } }];
    rows.forEach(function (row, index) {
      data.push(PERCENTILES.map(function (entry) { return row.latencyMs[entry[0]]; }));
      series.push({ label: row.name, stroke: color(row.colorIndex == null ? index : row.colorIndex), width: 2, points: { show: true, size: 6 }, value: function (u, value) { return value == null ? '' : fmtMs(value) + ' ms'; } });
    });
    chart(view, container, {
      series: series,
      scales: { x: { time: false, range: [-0.2, PERCENTILES.length - 0.8] }, y: { distr: 3 } },
      axes: axes('percentile', 'latency, ms (log)', function (u, splits) { return splits.map(function (split) { return Number.isInteger(split) && PERCENTILES[split] ? PERCENTILES[split][1] : ''; }); }),
    }, data);
    container.appendChild(table(['', 'RPCs'].concat(PERCENTILES.map(function (entry) { return entry[1] + ' ms'; })).concat(['mean ms']), rows.map(function (row) {
      return [el('td', { className: 'text', text: row.name }), String(row.rpcs)].concat(PERCENTILES.map(function (entry) { return fmtMs(row.latencyMs[entry[0]]); })).concat([fmtMs(row.latencyMs.mean)]);
    })));
  }

  /** The latency spectrum: latency against 1/(1-p) on a log axis, one line per series. */
  function spectrumChart(view, container, names, colorIndex) {
    var spectrum = doc.spectrum;
    var xs = spectrum.percentiles.map(function (percentile) { return 1 / (1 - percentile / 100); });
    var data = [xs];
    var series = [{ label: 'percentile', value: function (u, value) { return value == null ? '' : (100 - 100 / value).toFixed(2) + ' %'; } }];
    names.forEach(function (name, index) {
      data.push(spectrum.series[name] || xs.map(function () { return null; }));
      series.push({ label: name, stroke: color(colorIndex ? colorIndex(name, index) : index), width: 2, points: { show: false }, value: function (u, value) { return value == null ? '' : fmtMs(value) + ' ms'; } });
    });
    var ticks = [1, 2, 10, 100, 1000].filter(function (tick) { return tick <= xs[xs.length - 1]; });
    var xAxis = axes('percentile (1/(1-p) on a log axis)', 'latency, ms (log)', function (u, splits) {
      var names = { 1: '0%', 2: '50%', 10: '90%', 100: '99%', 1000: '99.9%' };
      return splits.map(function (split) { return names[Math.round(split)] || ''; });
    });
    xAxis[0].splits = function () { return ticks; };
    chart(view, container, {
      series: series,
      scales: { x: { time: false, distr: 3, range: [1, xs[xs.length - 1]] }, y: { distr: 3 } },
      axes: xAxis,
    }, data);
    container.appendChild(el('figcaption', { text: 'From each hdr histogram; percentiles finer than the RPC count supports are left out.' }));
  }

  /** Channel x backend matrix: RPCs per cell, shaded by the row's share. */
  function heatmap(view, container, report) {
    var names = report.backends.map(function (backend) { return backend.name; });
    var short = labels(names);
    var accent = cssVar('--accent');
    var rows = report.channelMatrix.map(function (row) {
      var total = names.reduce(function (sum, name) { return sum + (row.backends[name] || 0); }, 0);
      return [el('td', { text: 'channel ' + row.channel })].concat(names.map(function (name) {
        var count = row.backends[name] || 0;
        var cell = el('td', { className: 'cell', text: String(count), 'data-backend': name });
        if (total > 0 && count > 0) cell.style.background = 'color-mix(in srgb, ' + accent + ' ' + Math.round(15 + 70 * count / total) + '%, transparent)';
        return cell;
      })).concat([String(row.failed), String(row.switches), el('td', { className: 'text', text: row.peers.join(', ') })]);
    });
    var matrix = table(['channel'].concat(short).concat(['failed', 'switches', 'peers']), rows);
    matrix.className = 'heat';
    matrix.setAttribute('data-chart', view);
    container.appendChild(matrix);
    container.appendChild(el('figcaption', { text: 'Successful RPCs per channel and backend; a switch is an RPC answered by another backend than the one before it on that channel.' }));
  }

  function renderRun(report) {
    var names = report.backends.map(function (backend) { return backend.name; });
    verdictCard(report, section('verdict', 'Verdict'));
    sharesChart('shares', section('shares', 'Shares per backend'), report);
    timelineChart('timeline', section('timeline', 'Timeline'), report, names, report.elapsedMs, 280);
    if (report.streams) streamsChart('streams', section('streams', 'Open streams per backend'), report);
    var latency = section('latency', 'Latency per backend');
    percentilesChart('percentiles', latency, report.backends.map(function (backend) { return { name: backend.name, rpcs: backend.rpcs, latencyMs: backend.latencyMs }; }));
    spectrumChart('distribution', latency, names);
    heatmap('heatmap', section('heatmap', 'Channels \u00d7 backends'), report);
  }

  function renderLab(lab) {
    var setups = lab.setups;
    var names = lab.lab.backends.map(function (backend) { return backend.name; });
    setups.forEach(function (setup) { setup.result.backends.forEach(function (backend) { if (names.indexOf(backend.name) < 0) names.push(backend.name); }); });
    var short = labels(names);
    var verdicts = section('verdict', 'Verdicts');
    verdicts.appendChild(el('p', { className: 'meta', text: lab.lab.replicas + ' Greeter pods: ' + lab.lab.backends.map(function (backend) { return backend.name + ' (' + backend.address + ')'; }).join(', ') }));
    verdicts.appendChild(table(['setup', 'connects to', 'LB policy', 'hit', 'skew', 'p50 ms', 'verdict', 'why', 'fix'], setups.map(function (setup) {
      var result = setup.result;
      return [el('td', { text: setup.setup }), el('td', { className: 'left', text: setup.connectsTo }), el('td', { className: 'left', text: setup.lbPolicy || 'default' }),
        result.backends.length + ' of ' + lab.lab.replicas, result.skew.totalRpcs > 0 ? result.skew.skew.toFixed(2) : '-', fmtMs(result.latencyMs.p50),
        el('td', { className: 'left' }, [el('span', { className: 'verdict ' + setup.verdict, 'data-verdict': setup.verdict, text: setup.verdict })]),
        el('td', { className: 'text', text: setup.reason }), el('td', { className: 'text', text: setup.fix || '' })];
    })));
    lab.skipped.forEach(function (skipped) { verdicts.appendChild(el('p', { className: 'note', text: 'skipped ' + skipped.setup + ': ' + skipped.reason })); });
    if (lab.interrupted) verdicts.appendChild(el('p', { className: 'fail', text: 'interrupted: partial results' }));

    var shares = section('shares', 'Shares per setup');
    var xs = setups.map(function (_, index) { return index; });
    var data = [xs]; var series = [{ label: 'setup' }]; var bands = []; var sums = xs.map(function () { return 0; });
    var bars = uPlot.paths.bars({ size: [0.6, 120] });
    names.forEach(function (name, index) {
      var raw = setups.map(function (setup) { var found = setup.result.backends.filter(function (backend) { return backend.name === name; })[0]; return found ? found.share * 100 : 0; });
      sums = sums.map(function (sum, at) { return sum + raw[at]; });
      data.push(sums.slice());
      series.push({ label: name, stroke: color(index), fill: color(index), width: 0, paths: bars, points: { show: false }, value: function (u, value, seriesIndex, at) { return at == null ? '' : raw[at].toFixed(1) + ' %'; } });
      if (index > 0) bands.push({ series: [index + 1, index] });
    });
    chart('shares', shares, {
      series: series, bands: bands,
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, setups.length - 0.5)] }, y: { range: [0, 100] } },
      axes: axes('setup', 'share of RPCs, % (stacked)', function (u, splits) { return splits.map(function (split) { return Number.isInteger(split) && setups[split] ? setups[split].setup : ''; }); }),
      cursor: { points: { show: false } },
    }, data);
    shares.appendChild(el('figcaption', { text: 'Each bar is one setup\u2019s RPCs split by pod (' + short.join(', ') + '); equal slices are a balanced setup, one slice a pinned one.' }));

    var timelines = section('timeline', 'Timelines, one time axis');
    var xMax = Math.max.apply(null, [0].concat(setups.map(function (setup) { return setup.result.elapsedMs; })));
    setups.forEach(function (setup) {
      timelines.appendChild(el('h3', {}, [setup.setup, el('span', { className: 'badge', text: setup.verdict })]));
      timelineChart('timeline:' + setup.setup, timelines, setup.result, names, xMax, 150);
    });

    var latency = section('latency', 'Latency per setup');
    percentilesChart('percentiles', latency, setups.map(function (setup, index) { return { name: setup.setup, rpcs: setup.result.rpcs.ok, latencyMs: setup.result.latencyMs, colorIndex: index }; }));
    spectrumChart('distribution', latency, setups.map(function (setup) { return setup.setup; }));
  }

  function renderScenario(doc) {
    var setups = doc.setups;
    var names = [];
    var add = function (name) { if (name && names.indexOf(name) < 0) names.push(name); };
    setups.forEach(function (setup) { setup.result.backends.forEach(function (backend) { add(backend.name); }); });
    doc.events.forEach(function (event) { add(event.backend); });
    var answers = section('verdict', 'Scenario ' + doc.scenario);
    answers.appendChild(table(['setup', 'LB policy', 'answer'], setups.map(function (setup) {
      return [el('td', { text: setup.setup }), el('td', { className: 'left', text: setup.lbPolicy || 'default' }), el('td', { className: 'text', text: setup.answer })];
    })));
    doc.skipped.forEach(function (skipped) { answers.appendChild(el('p', { className: 'note', text: 'skipped ' + skipped.setup + ': ' + skipped.reason })); });
    if (doc.interrupted) answers.appendChild(el('p', { className: 'fail', text: 'interrupted: partial results' }));
    var timelines = section('timeline', 'Timelines, one clock (numbered marks: the pod events)');
    var xMax = Math.max.apply(null, [0].concat(setups.map(function (setup) { return setup.result.elapsedMs; })));
    setups.forEach(function (setup) {
      timelines.appendChild(el('h3', {}, [setup.setup]));
      var withEvents = Object.assign({}, setup.result, { events: doc.events.concat(setup.result.events || []).sort(function (a, b) { return a.atMs - b.atMs; }) });
      timelineChart('timeline:' + setup.setup, timelines, withEvents, names, xMax, 150);
    });
    var latency = section('latency', 'Latency per setup');
    percentilesChart('percentiles', latency, setups.map(function (setup, index) { return { name: setup.setup, rpcs: setup.result.rpcs.ok, latencyMs: setup.result.latencyMs, colorIndex: index }; }));
    spectrumChart('distribution', latency, setups.map(function (setup) { return setup.setup; }));
  }
${DIFF_RENDERER}${STREAMS_RENDERER}
  var KINDS = { run: renderRun, lab: renderLab, scenario: renderScenario, diff: renderDiff };
  var render = KINDS[doc.kind];
  if (!render) throw new Error('grpclb-probe: no renderer for document kind ' + doc.kind);
  render(doc.report);
  document.body.setAttribute('data-rendered', 'true');
})();
`;
