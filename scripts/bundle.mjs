#!/usr/bin/env node
// `npm run bundle`: dist/grpclb-probe.mjs, the CLI with every dependency, the protos and the ink
// UI in one file that runs with `node` alone. scripts/sea.mjs builds its CommonJS variant.
//
// Files read at run time are embedded and served from a virtual folder (EMBEDDED_ROOT): our
// protos and package.json (found through `import.meta.url`), and the protos that
// grpc-health-check and @grpc/reflection load from `__dirname`. The bundle rewrites those
// expressions to paths under EMBEDDED_ROOT and patches node:fs to answer them from memory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { htmlAssetsPlugin } from './html-assets-plugin.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where embedded files appear to live; no real path starts with it. */
export const EMBEDDED_ROOT = '/grpclb-probe.embedded';
/** Folders (relative to ROOT) whose .proto files are embedded: ours, and those of packages that load protos from disk. */
const PROTO_FOLDERS = [
  'protos',
  'node_modules/grpc-health-check/proto',
  'node_modules/@grpc/reflection/build/proto/grpc',
  // grpc-js: channelz and ORCA (weighted_round_robin's load reports).
  'node_modules/@grpc/grpc-js/proto',
  // xDS: the client's resources (xds-client.js, csds.js) and the lab's control plane.
  'node_modules/@grpc/grpc-js-xds/deps',
];
/** Binary files read at run time (re2-wasm, which xDS regex matchers use, reads its module from `__dirname`). */
const BINARY_FILES = ['node_modules/re2-wasm/build/wasm/re2.wasm'];
/** Packages whose code finds its files through `__dirname`. */
export const DIRNAME_PACKAGES = /node_modules[\\/](grpc-health-check|@grpc[\\/](reflection|grpc-js|grpc-js-xds)|re2-wasm)[\\/].*\.js$/;
/** @grpc/grpc-js-xds's main, where the bundle says it is (its deps/ are embedded beside it). */
const XDS_MAIN = 'node_modules/@grpc/grpc-js-xds/build/src/index.js';
/**
 * Source expressions that locate @grpc/grpc-js-xds through Node's resolution at run time, and what
 * the bundle puts instead: a `require` esbuild bundles (so the plugin registers with the bundled
 * grpc-js, not a second copy), and the embedded path of its main.
 */
export const XDS_LOOKUPS = {
  'src/grpc/channel.ts': ["createRequire(import.meta.url)('@grpc/grpc-js-xds')", "require('@grpc/grpc-js-xds')"],
  'src/grpc/xds-protos.ts': ["createRequire(import.meta.url).resolve('@grpc/grpc-js-xds')", null],
  'src/grpc/xds-bootstrap.ts': ["createRequire(import.meta.url)('@grpc/grpc-js-xds/build/src/xds-bootstrap.js')", "require('@grpc/grpc-js-xds/build/src/xds-bootstrap.js')"],
};

function filesUnder(folder, suffix) {
  const absolute = join(ROOT, folder);
  return readdirSync(absolute, { recursive: true })
    .map((entry) => join(folder, entry))
    .filter((path) => path.endsWith(suffix) && statSync(join(ROOT, path)).isFile());
}

function virtualPath(absolute) {
  return `${EMBEDDED_ROOT}/${relative(ROOT, absolute).split(sep).join('/')}`;
}

/** The files to embed: virtual path -> text. */
export function embeddedFiles() {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const files = { [`${EMBEDDED_ROOT}/package.json`]: JSON.stringify({ name: manifest.name, version: manifest.version }) };
  for (const folder of PROTO_FOLDERS) {
    for (const path of filesUnder(folder, '.proto')) files[virtualPath(join(ROOT, path))] = readFileSync(join(ROOT, path), 'utf8');
  }
  return files;
}

/** The binary files to embed: virtual path -> base64. */
function embeddedBinaries() {
  return Object.fromEntries(BINARY_FILES.map((path) => [virtualPath(join(ROOT, path)), readFileSync(join(ROOT, path)).toString('base64')]));
}

/** The module run first: node:fs answers paths under EMBEDDED_ROOT from the embedded files. */
function embeddedFsModule() {
  return `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';
const ROOT = ${JSON.stringify(EMBEDDED_ROOT)};
const FILES = new Map(Object.entries(${JSON.stringify(embeddedFiles())}));
const BINARIES = new Map(Object.entries(${JSON.stringify(embeddedBinaries())}));
function embedded(path) {
  const text = path instanceof URL ? (path.protocol === 'file:' ? fileURLToPath(path) : '') : typeof path === 'string' ? path : '';
  return text === ROOT || text.startsWith(ROOT + '/') ? text : null;
}
function missing(syscall, path) {
  return Object.assign(new Error(\`ENOENT: no such file or directory, \${syscall} '\${path}'\`), { code: 'ENOENT', errno: -2, syscall, path });
}
const { readFileSync, accessSync, existsSync } = fs;
fs.readFileSync = function (path, options) {
  const key = embedded(path);
  if (key === null) return readFileSync.apply(this, arguments);
  const encoding = typeof options === 'string' ? options : options?.encoding;
  const binary = BINARIES.get(key);
  if (binary !== undefined) return encoding ? Buffer.from(binary, 'base64').toString(encoding) : Buffer.from(binary, 'base64');
  const text = FILES.get(key);
  if (text === undefined) throw missing('open', key);
  return encoding ? text : Buffer.from(text);
};
fs.accessSync = function (path) {
  const key = embedded(path);
  if (key === null) return accessSync.apply(this, arguments);
  if (!FILES.has(key) && !BINARIES.has(key)) throw missing('access', key);
};
fs.existsSync = function (path) {
  const key = embedded(path);
  return key === null ? existsSync.apply(this, arguments) : FILES.has(key) || BINARIES.has(key);
};
syncBuiltinESMExports();
`;
}

/** Replaces `pattern` in `text`, failing the build when it is not there (a dependency changed). */
export function mustReplace(text, pattern, replacement, file) {
  if (!text.includes(pattern)) throw new Error(`bundle: "${pattern}" not found in ${file}; the dependency changed, update scripts/bundle.mjs`);
  return text.split(pattern).join(replacement);
}

function embedPlugin(format) {
  return {
    name: 'grpclb-probe-embed',
    setup(build) {
      build.onResolve({ filter: /^grpclb-probe:embedded-fs$/ }, () => ({ path: 'embedded-fs', namespace: 'grpclb-probe' }));
      build.onLoad({ filter: /.*/, namespace: 'grpclb-probe' }, () => ({ contents: embeddedFsModule(), loader: 'js', resolveDir: ROOT }));
      // Our sources: import.meta.url -> the file's URL under EMBEDDED_ROOT (package.json, protos/ beside it).
      build.onLoad({ filter: /[\\/]src[\\/].*\.tsx?$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        const lookup = XDS_LOOKUPS[relative(ROOT, args.path).split(sep).join('/')];
        if (lookup !== undefined) text = mustReplace(text, lookup[0], lookup[1] ?? JSON.stringify(virtualPath(join(ROOT, XDS_MAIN))), args.path);
        const contents = text.split('import.meta.url').join(JSON.stringify(pathToFileURL(virtualPath(args.path)).href));
        return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
      build.onLoad({ filter: DIRNAME_PACKAGES }, (args) => ({
        contents: readFileSync(args.path, 'utf8').split('__dirname').join(JSON.stringify(virtualPath(dirname(args.path)))),
        loader: 'js',
      }));
      // ink loads react-devtools-core (not installed) when DEV=true: leave it out.
      build.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
        args.importer.includes(`${sep}ink${sep}`) ? { path: 'ink-devtools', namespace: 'grpclb-probe-empty' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'grpclb-probe-empty' }, () => ({ contents: 'export {};', loader: 'js' }));
      if (format !== 'cjs') return;
      // CommonJS has no top-level await: ink awaits only in DEV mode; yoga awaits its wasm,
      // which the CJS entry awaits instead (through `yogaReady`) before the CLI starts.
      build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        text = mustReplace(text, "await import('./devtools.js');", '', args.path);
        text = mustReplace(text, '? await loadPackageJson()', '? { name: undefined, version: undefined }', args.path);
        return { contents: text, loader: 'js' };
      });
      build.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        text = mustReplace(
          text,
          'const Yoga = wrapAssembly(await loadYoga());\nexport default Yoga;',
          'let Yoga;\nexport const yogaReady = loadYoga().then((module) => { Yoga = wrapAssembly(module); });\n' +
            'export default new Proxy({}, { get: (_, key) => Yoga[key] });',
          args.path,
        );
        return { contents: text, loader: 'js' };
      });
    },
  };
}

/**
 * Builds the bundle.
 * @param format `esm` (dist/grpclb-probe.mjs, for `node`) or `cjs` (for Node's single executable).
 */
export async function buildBundle(format, outfile) {
  const entry =
    format === 'esm'
      ? "import 'grpclb-probe:embedded-fs';\nimport './src/cli/index.ts';\n"
      : "import 'grpclb-probe:embedded-fs';\nimport { yogaReady } from 'yoga-layout';\nvoid yogaReady.then(() => import('./src/cli/index.ts'));\n";
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: `grpclb-probe-entry.${format === 'esm' ? 'mjs' : 'cjs'}`, loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    // React picks its production build; ink's live view behaves as under `node bin/`.
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: {
      js:
        format === 'esm'
          ? "#!/usr/bin/env node\nimport { createRequire as __grpclbProbeCreateRequire } from 'node:module';\nconst require = __grpclbProbeCreateRequire(import.meta.url);"
          : '',
    },
    // uPlot's texts for the HTML report are frozen in first (it reads dist/: `npm run build` before).
    plugins: [htmlAssetsPlugin(), embedPlugin(format)],
    metafile: true,
  });
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = join(ROOT, 'dist', 'grpclb-probe.mjs');
  await buildBundle('esm', outfile);
  process.stdout.write(`bundle: ${relative(ROOT, outfile)} (${(statSync(outfile).size / 1024 / 1024).toFixed(1)} MB)\n`);
}
