// The HTML page's charts (shares, timeline, percentiles, spectrum), as browser script text that
// client.ts inlines inside its closure (it uses doc, el, table, chart, axes, color, cssVar, labels,
// labelKey, fmtMs, fmtPct, PERCENTILES and IDLE_LABEL from there). Plain ES2020, no backticks.

/** `sharesChart`, `timelineChart`, `percentilesChart`, `spectrumChart` and `partialFrom`. */
export const CHARTS_RENDERER = String.raw`
  /** Bars: one series per backend (its bar at its own x), and the fair share as a dashed line. */
  function sharesChart(view, container, report) {
    var names = report.backends.map(function (backend) { return backend.name; });
    var short = labels(names);
    // Expected backends that never answered have no name: one slot at 0 %, labelled as the table labels them.
    var idle = doc.idleWithoutRow || 0;
    var slots = report.backends.map(function (backend) { return { name: backend.name, share: backend.share }; });
    if (idle > 0) slots.push({ name: idle === 1 ? IDLE_LABEL : '+' + idle + ' idle ' + IDLE_LABEL, share: 0, idle: true });
    var axisLabels = short.concat(idle > 0 ? [idle === 1 ? 'idle' : idle + ' idle'] : []);
    var xs = slots.map(function (_, index) { return index; });
    var data = [xs];
    var series = [{ label: 'backend' }];
    slots.forEach(function (backend, index) {
      data.push(xs.map(function (x) { return x === index ? backend.share * 100 : null; }));
      series.push({ label: backend.name, stroke: color(index), fill: color(index), width: 0, paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false },
        value: function (u, value) { return value == null ? '' : value.toFixed(1) + ' %'; } });
    });
    data.push(xs.map(function () { return report.skew.fairShare * 100; }));
    series.push({ label: 'fair share', stroke: cssVar('--fg'), width: 1.5, dash: [6, 4], points: { show: false }, value: function (u, value) { return value == null ? '' : value.toFixed(1) + ' %'; } });
    chart(view, container, {
      series: series,
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, slots.length - 0.5)] }, y: { range: [0, Math.max(100 * report.skew.fairShare * 1.2, 100 * Math.max.apply(null, [0].concat(report.backends.map(function (b) { return b.share; }))) * 1.1, 1)] } },
      axes: axes('backend', 'share of RPCs, %', function (u, splits) { return splits.map(function (split) { return Number.isInteger(split) && axisLabels[split] !== undefined ? axisLabels[split] : ''; }); }),
      cursor: { points: { show: false } },
    }, data);
    labelKey(container, names, short);
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
`;
