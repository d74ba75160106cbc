// The tool's identity, stamped on every JSON result so results from many pods can be merged
// and told apart: name, version (package.json, embedded by the bundle) and the schema version.
import { readFileSync } from 'node:fs';

/**
 * Version of the JSON result's shape. Bump it when a field changes meaning or goes away
 * (adding fields does not bump it); `merge` refuses to mix versions without --force.
 */
export const SCHEMA_VERSION = 1;

/** `tool` in every JSON result. */
export interface ToolInfo {
  readonly name: string;
  readonly version: string;
}

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
