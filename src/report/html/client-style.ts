// The HTML report's stylesheet, as text the page inlines (page.ts): light and dark schemes,
// the verdict colours, tables, charts and print rules.

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
.u-legend th, .u-legend td { border: none; padding: 1px 4px; } .u-legend .u-value:empty { display: none; }
.warn { color: var(--warn); font-weight: 600; } .badge.warn { color: var(--warn); border-color: var(--warn); }
.key-entry { white-space: nowrap; }
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
