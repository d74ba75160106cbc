// The HTML page's verdict card, backends table and channel x backend matrix, as browser script
// text that client.ts inlines inside its closure (it uses el, table, cssVar, labels, labelKey,
// fmtMs and fmtPct from there). Plain ES2020, no backticks.

/** `verdictCard(report, container)`, `backendsTable(container, report)` and `heatmap(view, container, report)`. */
export const TABLES_RENDERER = String.raw`
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
    if (report.endOfRun && report.endOfRun.headline) card.appendChild(el('p', { className: 'warn', 'data-lost': String(report.endOfRun.lost.length), text: report.endOfRun.headline }));
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

  /**
   * One row per backend: RPCs, share, failed, peers, and pod, node and zone when the run asked
   * Kubernetes (--k8s); a backend lost mid-run (endOfRun.lost) in amber, with its last RPC.
   */
  function backendsTable(container, report) {
    var lost = {};
    ((report.endOfRun && report.endOfRun.lost) || []).forEach(function (entry) { lost[entry.backend] = entry.lastRpcAtMs; });
    var placed = ['pod', 'node', 'zone'].filter(function (field) { return report.backends.some(function (backend) { return backend[field] != null; }); });
    var rows = report.backends.map(function (backend) {
      var isLost = lost[backend.name] !== undefined;
      var name = el('td', { className: 'text' + (isLost ? ' warn' : ''), text: backend.name }, isLost ? [el('span', { className: 'badge warn', text: 'lost: last RPC at ' + (lost[backend.name] / 1000).toFixed(1) + ' s' })] : []);
      return [name, backend.rpcs, fmtPct(backend.share), backend.failed].concat(placed.map(function (field) { return el('td', { className: 'left', text: backend[field] == null ? '-' : backend[field] }); }))
        .concat([el('td', { className: 'text', text: backend.peers.join(', ') })]);
    });
    var list = table(['backend', 'RPCs', 'share', 'failed'].concat(placed).concat(['peers']), rows);
    list.className = 'backends';
    rows.forEach(function (_, index) { if (lost[report.backends[index].name] !== undefined) list.tBodies[0].rows[index].setAttribute('data-lost', 'true'); });
    container.appendChild(list);
  }

  /** Channel x backend matrix: RPCs per cell, shaded by the row's share; merged rows name their client pod. */
  function heatmap(view, container, report) {
    var names = report.backends.map(function (backend) { return backend.name; });
    var short = labels(names);
    var accent = cssVar('--accent');
    var merged = report.channelMatrix.some(function (row) { return row.client != null; });
    var rows = report.channelMatrix.map(function (row) {
      var total = names.reduce(function (sum, name) { return sum + (row.backends[name] || 0); }, 0);
      var label = (row.client != null ? row.client + ' · ' : '') + 'channel ' + row.channel;
      return [el('td', { className: 'text', 'data-client': row.client == null ? '' : row.client, text: label })].concat(names.map(function (name) {
        var count = row.backends[name] || 0;
        var cell = el('td', { className: 'cell', text: String(count), 'data-backend': name });
        if (total > 0 && count > 0) cell.style.background = 'color-mix(in srgb, ' + accent + ' ' + Math.round(15 + 70 * count / total) + '%, transparent)';
        return cell;
      })).concat([String(row.failed), String(row.switches), el('td', { className: 'text', text: row.peers.join(', ') })]);
    });
    var matrix = table([merged ? 'client pod · channel' : 'channel'].concat(short).concat(['failed', 'switches', 'peers']), rows);
    matrix.className = 'heat';
    matrix.setAttribute('data-chart', view);
    container.appendChild(matrix);
    labelKey(container, names, short);
    container.appendChild(el('figcaption', { text: 'Successful RPCs per channel and backend; a switch is an RPC answered by another backend than the one before it on that channel.' }));
  }
`;
