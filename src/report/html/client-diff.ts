// The HTML page's renderer of a diff of two runs, as browser script text that client.ts
// inlines inside its closure (it uses el, section, table, chart, axes, color, labels, labelKey, fmtMs,
// fmtPct and spectrumChart from there). Plain ES2020, no backticks.

/** `renderDiff(report)`: the verdicts and the improvement, the figures, shares before and after, the spectra. */
export const DIFF_RENDERER = String.raw`
  function renderDiff(diff) {
    function fixed(value, digits) { return value == null ? '-' : value.toFixed(digits); }
    var verdicts = section('verdict', 'Before and after');
    verdicts.appendChild(el('div', { className: 'card' }, [
      el('p', {}, [el('span', { className: 'verdict ' + diff.before.verdict, 'data-verdict': diff.before.verdict, text: diff.before.verdict }), '\u2192 ',
        el('span', { className: 'verdict ' + diff.after.verdict, 'data-verdict': diff.after.verdict, text: diff.after.verdict })]),
      el('p', { className: diff.improvements.length ? 'pass' : 'fail', 'data-improved': String(diff.improvements.length > 0),
        text: diff.improvements.length ? 'improved: ' + diff.improvements.join(', ') : 'not improved' }),
      el('p', { className: 'meta', text: 'before ' + diff.before.file + ': ' + diff.before.target + ', started ' + diff.before.startedAt + ', LB policy ' + (diff.before.lbPolicy || 'channel default') + '. ' + diff.before.cause }),
      el('p', { className: 'meta', text: 'after ' + diff.after.file + ': ' + diff.after.target + ', started ' + diff.after.startedAt + ', LB policy ' + (diff.after.lbPolicy || 'channel default') + '. ' + diff.after.cause }),
    ]));
    var rows = [
      ['skew', fixed(diff.before.skew, 2), fixed(diff.after.skew, 2)],
      ['Jain', fixed(diff.before.jainIndex, 3), fixed(diff.after.jainIndex, 3)],
      ['backends', diff.before.backends + ' of ' + diff.before.expectedBackends, diff.after.backends + ' of ' + diff.after.expectedBackends],
      ['error rate', fmtPct(diff.before.errorRate), fmtPct(diff.after.errorRate)],
      ['p50 ms', fmtMs(diff.before.p50Ms), fmtMs(diff.after.p50Ms)],
      ['p99 ms', fmtMs(diff.before.p99Ms), fmtMs(diff.after.p99Ms)],
    ];
    verdicts.appendChild(table(['', 'before', 'after'], rows));
    var shares = section('shares', 'Shares per backend, before and after');
    var names = diff.backends.map(function (backend) { return backend.name; });
    var short = labels(names);
    var xs = names.map(function (_, index) { return index; });
    var percentOf = function (side) { return side ? side.share * 100 : 0; };
    var bars = function (offset) { return uPlot.paths.bars({ size: [0.35, 60], align: offset }); };
    chart('shares', shares, {
      series: [{ label: 'backend' },
        { label: 'before', stroke: color(0), fill: color(0), width: 0, paths: bars(-1), points: { show: false }, value: function (u, value) { return value == null ? '' : value.toFixed(1) + ' %'; } },
        { label: 'after', stroke: color(1), fill: color(1), width: 0, paths: bars(1), points: { show: false }, value: function (u, value) { return value == null ? '' : value.toFixed(1) + ' %'; } }],
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, names.length - 0.5)] }, y: { range: [0, 100] } },
      axes: axes('backend', 'share of RPCs, %', function (u, splits) { return splits.map(function (split) { return Number.isInteger(split) && short[split] !== undefined ? short[split] : ''; }); }),
      cursor: { points: { show: false } },
    }, [xs, diff.backends.map(function (backend) { return percentOf(backend.before); }), diff.backends.map(function (backend) { return percentOf(backend.after); })]);
    labelKey(shares, names, short);
    shares.appendChild(table(['backend', '', 'before', 'after', 'share change'], diff.backends.map(function (backend) {
      var side = function (value) { return value ? fmtPct(value.share) + ' (' + value.rpcs + ')' : '-'; };
      return [el('td', { className: 'text', text: backend.name }), el('td', { className: 'left', text: backend.presence === 'both' ? '' : backend.presence }),
        side(backend.before), side(backend.after), (backend.shareChange >= 0 ? '+' : '') + (backend.shareChange * 100).toFixed(1) + ' pp'];
    })));
    spectrumChart('distribution', section('latency', 'Latency before and after'), ['before', 'after']);
  }
`;
