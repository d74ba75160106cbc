#!/usr/bin/env node
// `npm run build`'s second step: dist/bin/, what bin/grpclb-probe.js runs. The CLI and its
// dependencies bundled by esbuild and split at each lazily imported subcommand, so a start
// loads a few modules instead of some 400 (`run` with a usage error: about a third of the CPU
// of the unbundled dist/cli/index.js; `--version` as little as before).
//
// Unlike the single-file bundle (scripts/bundle.mjs) nothing is embedded: files read at run time
// (our protos and package.json, the protos and wasm of packages that find them through
// `__dirname`, uPlot) are read where they are installed, relative to dist/bin/, so node_modules
// must sit beside dist/ as npm installs it.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import * as esbuild from 'esbuild';
import { DIRNAME_PACKAGES, ROOT, XDS_LOOKUPS, mustReplace } from './bundle.mjs';

const OUT = join(ROOT, 'dist', 'bin');
/** `path` relative to dist/bin/, as a URL path. */
const fromOut = (path) => relative(OUT, path).split(sep).join('/');

/** import.meta.url and __dirname as the unbundled file would see them, computed at run time. */
const locationsPlugin = {
  name: 'grpclb-probe-locations',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.tsx?$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      // @grpc/grpc-js-xds must register with the bundled grpc-js, so it is bundled too.
      const lookup = XDS_LOOKUPS[relative(ROOT, args.path).split(sep).join('/')];
      if (lookup?.[1]) text = mustReplace(text, lookup[0], lookup[1], args.path);
      const contents = text.split('import.meta.url').join(`new URL(${JSON.stringify(fromOut(args.path))}, import.meta.url).href`);
      return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
    // CommonJS modules: no import.meta of their own; __bundleDir comes from the chunk's banner.
    build.onLoad({ filter: DIRNAME_PACKAGES }, (args) => ({
      contents: readFileSync(args.path, 'utf8').split('__dirname').join(`require('node:path').join(__bundleDir, ${JSON.stringify(fromOut(dirname(args.path)))})`),
      loader: 'js',
    }));
  },
};

/** Builds dist/bin/ (removing what an earlier build left). */
export async function buildBin() {
  rmSync(OUT, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { 'grpclb-probe': join(ROOT, 'src', 'cli', 'index.ts') },
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    // ink loads react-devtools-core (not installed) only when DEV=true.
    external: ['react-devtools-core'],
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: {
      js:
        "import { createRequire as __grpclbProbeCreateRequire } from 'node:module';\n" +
        "import { fileURLToPath as __grpclbProbeFileUrlToPath } from 'node:url';\n" +
        'const require = __grpclbProbeCreateRequire(import.meta.url);\n' +
        "const __bundleDir = __grpclbProbeFileUrlToPath(new URL('.', import.meta.url));",
    },
    plugins: [locationsPlugin],
  });
}

await buildBin();
