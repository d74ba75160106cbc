#!/usr/bin/env node
// The CLI as esbuild bundled it (scripts/bundle-bin.mjs, part of `npm run build`): a start loads a
// few modules instead of some 400, which kubectl exec, CI steps and every spawned test pay for.
import '../dist/bin/grpclb-probe.mjs';
