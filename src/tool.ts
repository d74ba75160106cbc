// The tool's identity, stamped on every JSON result so results from many pods can be merged
// and told apart: name and version (package.json, embedded by the bundle). The schema version is
// src/result/json-document.ts's.
import { readFileSync } from 'node:fs';
import type { ToolInfo } from './result/json-document.js';

function readManifest(): ToolInfo {
  // The single-file bundle serves this path from its embedded files (scripts/bundle.mjs).
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: manifest.name, version: manifest.version };
}

let cached: ToolInfo | undefined;

/** Name and version from package.json, read once. */
export function toolInfo(): ToolInfo {
  cached ??= readManifest();
  return cached;
}
