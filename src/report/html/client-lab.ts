// The HTML page's renderers of a lab comparison and of a played scenario, as browser script
// text that client.ts inlines inside its closure (it uses doc, el, section, table, chart, axes, color,
// labels, fmtMs and the chart renderers from there). Plain ES2020, no backticks.

/** `renderLab(lab)` and `renderScenario(doc)`, each ending with `lessonSection()`. */
export const LAB_RENDERER = String.raw`
  /** The "What this means" paragraph the table and markdown end with (the page's lesson). */
  function lessonSection() {
    if (!doc.lesson) return;
    section('lesson', 'What this means').appendChild(el('p', { className: 'lesson', text: doc.lesson }));
  }

  /** The lab document's judged skew (report/lab.ts skewText): the figure, and what it is against when that is the weights. */
  function skewText(judged) {
    if (judged.value === null) return '-';
    if (judged.against === 'even') return judged.value.toFixed(2);
    return judged.value.toFixed(2) + ' against the xDS weights ' + judged.weights + (judged.evenSplit === null ? '' : ' (' + judged.evenSplit.toFixed(2) + ' against an even split)');
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
        result.backends.length + ' of ' + lab.lab.replicas, el('td', { 'data-skew-against': setup.skew.against, text: skewText(setup.skew) }), fmtMs(result.latencyMs.p50),
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
    labelKey(shares, names, short);

    var timelines = section('timeline', 'Timelines, one time axis');
    var xMax = Math.max.apply(null, [0].concat(setups.map(function (setup) { return setup.result.elapsedMs; })));
    setups.forEach(function (setup) {
      timelines.appendChild(el('h3', {}, [setup.setup, el('span', { className: 'badge', text: setup.verdict })]));
      timelineChart('timeline:' + setup.setup, timelines, setup.result, names, xMax, 150);
    });

    var latency = section('latency', 'Latency per setup');
    percentilesChart('percentiles', latency, setups.map(function (setup, index) { return { name: setup.setup, rpcs: setup.result.rpcs.ok, latencyMs: setup.result.latencyMs, colorIndex: index }; }));
    spectrumChart('distribution', latency, setups.map(function (setup) { return setup.setup; }));
    lessonSection();
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
      // The xds setup's events repeat the control plane's pushes (on its run's clock): the scenario's copy is kept.
      var own = (setup.result.events || []).filter(function (event) { return event.kind.indexOf('xds-endpoint-') !== 0; });
      var withEvents = Object.assign({}, setup.result, { events: doc.events.concat(own).sort(function (a, b) { return a.atMs - b.atMs; }) });
      timelineChart('timeline:' + setup.setup, timelines, withEvents, names, xMax, 150);
    });
    var latency = section('latency', 'Latency per setup');
    percentilesChart('percentiles', latency, setups.map(function (setup, index) { return { name: setup.setup, rpcs: setup.result.rpcs.ok, latencyMs: setup.result.latencyMs, colorIndex: index }; }));
    spectrumChart('distribution', latency, setups.map(function (setup) { return setup.setup; }));
    lessonSection();
  }
`;
