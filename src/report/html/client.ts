// The HTML report's browser script, as text the page inlines. The script reads the embedded
// document (page.ts) and draws each view with uPlot; it formats numbers but computes none that
// the JSON report already has. Plain ES2020, no backticks (a TS template). The renderers live
// one concern a file (client-*.ts) and are inlined inside this closure.
import { CHARTS_RENDERER } from './client-charts.js';
import { DIFF_RENDERER } from './client-diff.js';
import { LAB_RENDERER } from './client-lab.js';
import { LEGEND_RENDERER } from './client-legend.js';
import { STREAMS_RENDERER } from './client-streams.js';
import { TABLES_RENDERER } from './client-tables.js';
import { XDS_RENDERER } from './client-xds.js';
import { IDLE_LABEL } from '../table.js';

export { PAGE_STYLE } from './client-style.js';

/** The browser script: window.grpclbProbe = {document, charts: [{view, chart}]} once drawn. */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var doc = JSON.parse(document.getElementById('grpclb-probe-data').textContent);
  var root = document.getElementById('report');
  var charts = []; window.grpclbProbe = { document: doc, charts: charts };
  var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  var IDLE_LABEL = ${JSON.stringify(IDLE_LABEL)};
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
${LEGEND_RENDERER}
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
${TABLES_RENDERER}${CHARTS_RENDERER}
  function renderRun(report) {
    var names = report.backends.map(function (backend) { return backend.name; });
    verdictCard(report, section('verdict', 'Verdict'));
    var shares = section('shares', 'Shares per backend');
    sharesChart('shares', shares, report);
    backendsTable(shares, report);
    xdsSection(report);
    timelineChart('timeline', section('timeline', 'Timeline'), report, names, report.elapsedMs, 280);
    if (report.streams) streamsChart('streams', section('streams', 'Open streams per backend'), report);
    var latency = section('latency', 'Latency per backend');
    percentilesChart('percentiles', latency, report.backends.map(function (backend) { return { name: backend.name, rpcs: backend.rpcs, latencyMs: backend.latencyMs }; }));
    spectrumChart('distribution', latency, names);
    heatmap('heatmap', section('heatmap', 'Channels \u00d7 backends'), report);
  }
${LAB_RENDERER}${DIFF_RENDERER}${STREAMS_RENDERER}${XDS_RENDERER}
  var KINDS = { run: renderRun, lab: renderLab, scenario: renderScenario, diff: renderDiff };
  var render = KINDS[doc.kind];
  if (!render) throw new Error('grpclb-probe: no renderer for document kind ' + doc.kind);
  render(doc.report);
  document.body.setAttribute('data-rendered', 'true');
})();
`;
