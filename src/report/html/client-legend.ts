// The HTML page's short labels and their key, as browser script text that client.ts inlines
// inside its closure (it uses el from there). A chart axis or a table header that shows
// `inv-plain-1` as `1` says so beside it. Plain ES2020, no backticks.

/** `labels(names)`: short labels when they stay distinct; `labelKey(container, names, short)`: the key under them. */
export const LEGEND_RENDERER = String.raw`
  function shortName(name) { var parts = name.split('-'); return parts.length >= 3 ? parts[parts.length - 1] : name; }
  /** Short labels when they stay distinct, else the full names. */
  function labels(names) {
    var short = names.map(shortName);
    return new Set(short).size === short.length ? short : names.slice();
  }
  /** "key: 1 = inv-plain-1, 2 = inv-plain-2" under what showed the short labels; nothing when none was shortened. */
  function labelKey(container, names, short) {
    var pairs = names.map(function (name, index) { return [short[index], name]; }).filter(function (pair) { return pair[0] !== pair[1]; });
    if (pairs.length === 0) return null;
    var key = el('p', { className: 'key meta', 'data-key': String(pairs.length) }, [el('span', { text: 'key: ' })].concat(pairs.map(function (pair, index) {
      return el('span', { className: 'key-entry' }, [el('strong', { text: pair[0] }), ' = ' + pair[1] + (index < pairs.length - 1 ? ', ' : '')]);
    })));
    container.appendChild(key);
    return key;
  }
`;
