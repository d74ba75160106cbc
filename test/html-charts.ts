/// <reference lib="dom" />
// What the HTML report drew, read from a page loaded in Chromium: each chart's view and the
// labels of its series (the page's own window.grpclbProbe, client.ts).
import type { Page } from 'puppeteer-core';

/** Each chart's view and its series labels (the x series left out), in drawing order. */
export function drawnCharts(page: Page): Promise<{ view: string; series: string[] }[]> {
  return page.evaluate(() =>
    (window as unknown as { grpclbProbe: { charts: { view: string; chart: { series: { label?: string }[] } }[] } }).grpclbProbe.charts.map((entry) => ({
      view: entry.view,
      series: entry.chart.series.slice(1).map((series) => String(series.label)),
    })),
  );
}
