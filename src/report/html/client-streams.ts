// The HTML page's open-streams chart of a streaming run, as browser script text that client.ts
// inlines inside its closure (it uses el, section, table, chart, axes, color and fmtPct from
// there). Plain ES2020, no backticks.

/** `streamsChart(view, container, report)`: open streams per backend over time, and who holds them. */
export const STREAMS_RENDERER = String.raw`
  function streamsChart(view, container, report) {
    var streams = report.streams;
    var timeline = streams.openTimeline;
    var names = streams.backends.map(function (backend) { return backend.name; });
    var xs = [0].concat(timeline.buckets.map(function (bucket) { return (bucket.startMs + timeline.intervalMs) / 1000; }));
    var data = [xs]; var series = [{ label: 't, s', value: function (u, value) { return value == null ? '' : value.toFixed(1) + ' s'; } }];
    var stepped = uPlot.paths.stepped({ align: 1 });
    names.forEach(function (name, index) {
      data.push([0].concat(timeline.buckets.map(function (bucket) { return bucket.open[name] || 0; })));
      series.push({ label: name, stroke: color(index), width: 2, paths: stepped, points: { show: false } });
    });
    chart(view, container, {
      series: series,
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } } },
      axes: axes('seconds since the start', 'open streams'),
    }, data);
    container.appendChild(el('figcaption', { text: 'Streams open on each backend at the end of each ' + (timeline.intervalMs / 1000) + ' s interval: a stream stays on the backend it was opened on until it ends.' }));
    container.appendChild(table(['backend', 'streams opened', 'share', 'open at the end', 'messages'], streams.backends.map(function (backend) {
      return [el('td', { className: 'text', text: backend.name }), backend.opened, fmtPct(streams.opened > 0 ? backend.opened / streams.opened : 0), backend.openAtEnd, backend.received];
    })));
    var ends = Object.keys(streams.endsByReason).filter(function (reason) { return streams.endsByReason[reason] > 0; });
    container.appendChild(el('p', { className: 'meta', text: streams.opened + ' ' + streams.kind + ' streams opened, ' + streams.openAtEnd + ' open at the end; ended during the run: ' +
      (ends.length ? ends.map(function (reason) { return reason + ' ' + streams.endsByReason[reason]; }).join(', ') : 'none') }));
  }
`;
