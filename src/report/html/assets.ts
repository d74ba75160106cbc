// The chart library the HTML report inlines: uPlot's browser build and stylesheet, read from
// node_modules. The one place that locates them, so a bundle can replace this module alone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's browser script (defines the global `uPlot`) and its stylesheet, as text. */
export interface ChartAssets {
  readonly script: string;
  readonly style: string;
}

/** The package files read, relative to the `uplot` package (1.6.x `dist/`). */
export const UPLOT_FILES = { script: 'uplot/dist/uPlot.iife.min.js', style: 'uplot/dist/uPlot.min.css' } as const;

let cached: ChartAssets | null = null;

/**
 * uPlot's files, read once per process with Node's module resolution from this file (so from
 * the package's node_modules, wherever it is installed). The leading `/*! https://... *\/`
 * banner becomes the same notice without a URL, so the page holds no URL at all.
 * A single-file bundle (esbuild) replaces this module with one that returns the same texts
 * inlined at build time: see `scripts/html-assets-plugin.mjs`.
 * @throws Error (ENOENT) when uplot is not installed.
 */
export function chartAssets(): ChartAssets {
  if (cached === null) {
    const require = createRequire(import.meta.url);
    const read = (file: string): string => readFileSync(require.resolve(file), 'utf8');
    cached = { script: withoutUrls(read(UPLOT_FILES.script)), style: read(UPLOT_FILES.style) };
  }
  return cached;
}

/** `/*! https://github.com/leeoniya/uPlot (v1.6.32) *\/` -> `/*! uPlot (v1.6.32), MIT license, github.com/leeoniya/uPlot *\/` */
export function withoutUrls(script: string): string {
  return script.replace(/^\/\*!\s*https?:\/\/(github\.com\/leeoniya\/uPlot)\s*(\([^)]*\))?\s*\*\//, '/*! uPlot $2, MIT license, $1 */');
}
