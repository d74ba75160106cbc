// esbuild plugin for a single-file bundle: replaces src/report/html/assets.ts (which reads
// uPlot from node_modules at run time) with a module holding the same texts, read now.
// Usage (after `npm run build`, which it reads dist/ from): esbuild.build({ ..., plugins: [htmlAssetsPlugin()] })
/** @returns {import('esbuild').Plugin} */
export function htmlAssetsPlugin() {
  return {
    name: 'grpclb-probe-html-assets',
    setup(build) {
      build.onLoad({ filter: /[\\/]report[\\/]html[\\/]assets\.(ts|js)$/ }, async (args) => {
        // Run the real module once, here, and freeze its answer into the bundle.
        const real = await import(args.path.endsWith('.ts') ? args.path.replace(/[\\/]src[\\/]/, '/dist/').replace(/\.ts$/, '.js') : args.path);
        const assets = real.chartAssets();
        return {
          loader: 'js',
          contents:
            `export const UPLOT_FILES = ${JSON.stringify(real.UPLOT_FILES)};\n` +
            `const assets = ${JSON.stringify(assets)};\n` +
            'export function chartAssets() { return assets; }\n' +
            `export const withoutUrls = (script) => script;\n`,
        };
      });
    },
  };
}
