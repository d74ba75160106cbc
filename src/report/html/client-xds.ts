// The HTML page's xDS block of an xds: run: what the client was told (the JSON's `xds` field, the
// CSDS view of src/result/xds.ts), as browser script text that client.ts inlines inside its
// closure (it uses el, section, table and fmtPct from there). Plain ES2020, no backticks.

/**
 * `xdsSection(report)`: nothing without `report.xds`; its error when CSDS could not be read; else
 * the resources (kind, name, status, version, the NACKed version and the client's reason), the
 * clusters (LB policy, EDS resource) and the endpoints (locality, priority, weights, health, the
 * share the weights ask for). Every server string goes in as text (textContent), never as markup.
 */
export const XDS_RENDERER = String.raw`
  function xdsSection(report) {
    var view = report.xds;
    if (!view || (view.error === null && view.resources.length === 0)) return;
    var container = section('xds', 'xDS: what the client was told (CSDS)');
    if (view.error !== null) {
      container.appendChild(el('p', { className: 'warn', 'data-xds-error': 'true', text: 'what the client was told is unknown: ' + view.error }));
      return;
    }
    var resources = table(['kind', 'name', 'status', 'version', 'refused'], view.resources.map(function (resource) {
      var status = el('td', { className: 'left' + (resource.nack ? ' fail' : ''), text: resource.status });
      var refused = resource.nack ? 'v' + resource.nack.version + ': ' + resource.nack.details : '';
      return [el('td', { text: resource.kind }), el('td', { className: 'text', text: resource.name }), status, el('td', { className: 'left', text: resource.version }), el('td', { className: 'text', text: refused })];
    }));
    resources.className = 'xds-resources';
    container.appendChild(resources);
    if (view.clusters.length > 0) {
      var clusters = table(['cluster', 'LB policy', 'endpoints from (EDS)'], view.clusters.map(function (cluster) {
        return [el('td', { className: 'text', text: cluster.name }), el('td', { className: 'left', text: cluster.lbPolicy }), el('td', { className: 'text', text: cluster.edsServiceName })];
      }));
      clusters.className = 'xds-clusters';
      container.appendChild(clusters);
    }
    if (view.endpoints.length === 0) return;
    var endpoints = table(['endpoints of', 'address', 'locality', 'priority', 'locality weight', 'endpoint weight', 'health', 'expected share'], view.endpoints.map(function (endpoint) {
      return [el('td', { className: 'text', text: endpoint.cluster }), el('td', { className: 'left', text: endpoint.address }), el('td', { className: 'left', text: endpoint.locality }),
        endpoint.priority, endpoint.localityWeight, endpoint.endpointWeight, el('td', { className: 'left', text: endpoint.health }), fmtPct(endpoint.expectedShare)];
    }));
    endpoints.className = 'xds-endpoints';
    container.appendChild(endpoints);
    container.appendChild(el('figcaption', { text: 'Expected share: what the weights ask for under gRPC\u2019s default xDS policies (lowest priority only, each locality its weight over the sum, round_robin inside); 0 for an endpoint not used.' }));
  }
`;
