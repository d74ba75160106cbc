#!/usr/bin/env node
// `npm run sea`: dist/grpclb-probe-linux-x64, a Node single executable application (Node docs,
// "Single executable applications"): the CommonJS bundle (scripts/bundle.mjs) turned into a
// preparation blob with `node --experimental-sea-config`, injected with postject into a copy
// of the running `node` binary at the NODE_SEA_FUSE sentinel. Runs where that node runs:
// linux-x64 with glibc 2.28+ and libstdc++ (not Alpine/musl: use the image or the bundle there).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inject } from 'postject';
import { buildBundle, ROOT } from './bundle.mjs';

/** The fuse Node's SEA support looks for (Node docs; `node` >= 18.16 / 20). */
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stderr.write(`sea: builds dist/grpclb-probe-linux-x64 on linux-x64 only (this is ${process.platform}-${process.arch})\n`);
  process.exit(2);
}
const work = join(ROOT, 'dist', 'sea');
mkdirSync(work, { recursive: true });
const script = join(work, 'grpclb-probe.cjs');
const blob = join(work, 'sea-prep.blob');
const config = join(work, 'sea-config.json');
const executable = join(ROOT, 'dist', 'grpclb-probe-linux-x64');

await buildBundle('cjs', script);
writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
copyFileSync(process.execPath, executable);
chmodSync(executable, 0o755);
await inject(executable, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SENTINEL_FUSE });
process.stdout.write(`sea: ${relative(ROOT, executable)} (${(statSync(executable).size / 1024 / 1024).toFixed(0)} MB, node ${process.version})\n`);
