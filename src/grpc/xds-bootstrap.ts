// The xDS bootstrap (gRFC A27) checked before any channel: JSON, at least one xds_servers entry
// with its server_uri, then @grpc/grpc-js-xds's own validation (which would otherwise throw when
// the channel is created).
import { createRequire } from 'node:module';

/** Thrown when a bootstrap is not one; the message says what is wrong, not where it came from. */
export class XdsBootstrapError extends Error {}

/** What the probe takes from a bootstrap. */
export interface XdsBootstrapInfo {
  /** The JSON text, as given. */
  readonly json: string;
  /** Every `xds_servers[].server_uri`, in order: the first is the control plane the client talks to. */
  readonly serverUris: readonly string[];
}

/**
 * Checks `json` as a bootstrap: an object with a non-empty `xds_servers` array whose entries
 * each have a non-empty string `server_uri` (grpc-js-xds xds-bootstrap.ts `validateXdsServerConfig`
 * requires the same, and throws at channel creation otherwise).
 * @throws XdsBootstrapError: not JSON, not an object, no xds_servers, or an entry without server_uri.
 */
export function parseXdsBootstrap(json: string): XdsBootstrapInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new XdsBootstrapError(`not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new XdsBootstrapError('not a JSON object');
  const servers = (parsed as { xds_servers?: unknown }).xds_servers;
  if (!Array.isArray(servers) || servers.length === 0) throw new XdsBootstrapError('names no xDS server (xds_servers is missing or empty)');
  const serverUris = servers.map((server, index) => {
    const uri = (server as { server_uri?: unknown } | null)?.server_uri;
    if (typeof uri !== 'string' || uri === '') throw new XdsBootstrapError(`xds_servers[${index}] has no server_uri`);
    return uri;
  });
  try {
    xdsValidator()(parsed);
  } catch (error) {
    const message = (error as Error).message;
    // gRFC A27 makes node.locality optional (bootstraps written for grpc-go or grpc-java may lack
    // it); @grpc/grpc-js-xds 1.14 refuses them (xds-bootstrap.ts validateNode).
    const hint = /locality field missing/.test(message) ? ': @grpc/grpc-js-xds needs node.locality, which gRFC A27 leaves optional; add "locality": {}' : '';
    throw new XdsBootstrapError(message + hint);
  }
  return { json, serverUris };
}

/**
 * @grpc/grpc-js-xds's `validateBootstrapConfig` (build/src/xds-bootstrap.js): the checks the
 * resolver runs on a per-channel bootstrap (resolver-xds.ts) and on the environment's. Not in the
 * package's index, and the package has no `exports` map: this is the file the resolver runs
 * (the bundles put a `require` of it in place of this expression: scripts/bundle.mjs XDS_LOOKUPS).
 */
function xdsValidator(): (config: unknown) => unknown {
  const module = createRequire(import.meta.url)('@grpc/grpc-js-xds/build/src/xds-bootstrap.js') as { validateBootstrapConfig(config: unknown): unknown };
  return module.validateBootstrapConfig;
}
