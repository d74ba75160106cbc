// Channel construction: credentials, LB policy through the service config, the user's channel
// arguments, and the options that make each probe channel own its connections.
import { createRequire } from 'node:module';
import grpc, { type ChannelOptions } from '@grpc/grpc-js';
// Not re-exported by grpc-js's index; the package has no `exports` map, so these deep imports
// are the same code grpc-js runs when a channel is created.
import { recognizedOptions } from '@grpc/grpc-js/build/src/channel-options.js';
import { validateServiceConfig } from '@grpc/grpc-js/build/src/service-config.js';
import { registerLeastRequest } from '../lb/least-request.js';
import { PROBE_WEIGHTED_ROUND_ROBIN, weightedRoundRobinConfig } from '../lb/weighted-round-robin.js';
import type { ChannelArgs, LbPolicy, ServiceConfig } from '../result/run-result.js';
import { pollingTarget, type PollCounter } from './resolver-poll.js';
import { xdsProtos } from './xds-protos.js';

registerLeastRequest();

/** The channel option @grpc/grpc-js-xds takes a per-channel bootstrap from (resolver-xds.ts). */
const XDS_BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';
let xdsRegistered = false;

/**
 * Registers @grpc/grpc-js-xds's resolver and LB policies with grpc-js, once, and only for `xds:`
 * targets: channel creation calls it; a caller that starts several runs at once calls it first,
 * since loading the package takes most of a second of CPU that would stall the others.
 */
export function registerXds(): void {
  if (xdsRegistered) return;
  (createRequire(import.meta.url)('@grpc/grpc-js-xds') as { register(): void }).register();
  // The protos the run's CSDS read needs (src/grpc/xds-csds.ts), loaded now, before the connect
  // wait starts its clock: loading them as a run that never connected ends would delay exit 3.
  xdsProtos();
  xdsRegistered = true;
}

/** TLS material, already read from disk; absent members use grpc-js defaults (system roots). */
export interface TlsConfig {
  readonly rootCerts?: Buffer;
  readonly privateKey?: Buffer;
  readonly certChain?: Buffer;
  /** Overrides the name checked against the server certificate (`grpc.ssl_target_name_override`). */
  readonly serverName?: string;
}

/** Everything needed to open one probe channel. */
export interface ChannelConfig {
  /** A grpc-js target: `host:port`, `dns:///host:port`, `dns://DNS_IP:PORT/host:port`, `ipv4:a:p,b:p`, `ipv6:`, `unix:`. */
  readonly target: string;
  /** Sent as the service config's `loadBalancingConfig`; null keeps the channel default (pick_first, unless DNS TXT says otherwise). */
  readonly lbPolicy: LbPolicy | null;
  /** The `:authority` header (`grpc.default_authority`); default: from the target. */
  readonly authority?: string;
  /** TLS when set; plaintext when null or absent. */
  readonly tls?: TlsConfig | null;
  /**
   * The user's grpc-js channel arguments (`--channel-arg KEY=VALUE`), e.g.
   * `grpc.dns_min_time_between_resolutions_ms: 1000`; applied after the probe's own options.
   * Check them with {@link parseChannelArg}.
   */
  readonly channelArgs?: ChannelArgs;
  /**
   * A full service config (`--service-config`), sent as `grpc.service_config`; a
   * `loadBalancingConfig` in it excludes `lbPolicy`. Check it with {@link parseServiceConfig}.
   */
  readonly serviceConfig?: ServiceConfig | null;
  /** Extra grpc-js channel options, applied last. */
  readonly channelOptions?: ChannelOptions;
  /**
   * Re-resolve the target's DNS name every this many ms (`--re-resolve-interval`) with the
   * polling resolver (src/grpc/resolver-poll.ts); null or absent: grpc-js's `dns` resolver as it is.
   */
  readonly reResolveIntervalMs?: number | null;
  /**
   * `xds:` targets: the bootstrap (gRFC A27) as JSON text, for this channel alone; null or
   * absent: @grpc/grpc-js-xds reads GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG.
   */
  readonly xdsBootstrap?: string | null;
}

/** A channel argument or service config grpc-js would reject or ignore; the message says which and why. */
export class ChannelConfigError extends Error {}

/**
 * Channel arguments grpc-js reads besides its `recognizedOptions` list (grpc-node
 * channel-options.ts: the `ChannelOptions` interface has these, the runtime list does not).
 */
const MORE_CHANNEL_ARGS = ['grpc.max_connection_idle_ms', 'grpc.http_connect_target', 'grpc.http_connect_creds', 'grpc.default_compression_algorithm'];
/** Channel arguments whose value is a string; every other one is a number. */
const STRING_CHANNEL_ARGS = new Set([
  'grpc.ssl_target_name_override',
  'grpc.primary_user_agent',
  'grpc.secondary_user_agent',
  'grpc.default_authority',
  'grpc.http_connect_target',
  'grpc.http_connect_creds',
]);
/** Channel arguments the probe sets from its own flags. */
const OWN_FLAG_FOR_ARG: Readonly<Record<string, string>> = {
  'grpc.service_config': '--service-config (or --lb-policy)',
  'grpc.default_authority': '--authority',
  'grpc.ssl_target_name_override': '--server-name',
};

/** Channel argument keys grpc-js knows, sorted. */
export function knownChannelArgs(): string[] {
  return [...new Set([...Object.keys(recognizedOptions), ...MORE_CHANNEL_ARGS])].sort();
}

/**
 * Parses `KEY=VALUE` into a grpc-js channel argument: the key must be one grpc-js knows
 * (grpc-node channel-options.ts), the value a number for every numeric option (all but a few
 * strings such as `grpc.primary_user_agent`).
 *
 * @throws ChannelConfigError for a missing `=`, an unknown key, a key the probe sets from its
 *   own flag, or a value of the wrong kind.
 */
export function parseChannelArg(text: string): [string, string | number] {
  const equals = text.indexOf('=');
  const key = equals <= 0 ? '' : text.slice(0, equals).trim();
  const raw = equals <= 0 ? '' : text.slice(equals + 1).trim();
  if (key === '' || raw === '') {
    throw new ChannelConfigError('expected KEY=VALUE, e.g. grpc.dns_min_time_between_resolutions_ms=1000');
  }
  const ownFlag = OWN_FLAG_FOR_ARG[key];
  if (ownFlag !== undefined) {
    throw new ChannelConfigError(`${key} is set by ${ownFlag}`);
  }
  if (!knownChannelArgs().includes(key)) {
    const near = nearestChannelArg(key);
    throw new ChannelConfigError(`unknown grpc-js channel argument "${key}"${near === null ? '' : ` (did you mean ${near}?)`}`);
  }
  if (STRING_CHANNEL_ARGS.has(key)) return [key, raw];
  const value = Number(raw);
  if (!Number.isFinite(value) || !/^-?\d+(\.\d+)?$/.test(raw)) {
    throw new ChannelConfigError(`${key} takes a number, not "${raw}"`);
  }
  return [key, value];
}

/** The known key sharing the most words with `key` (a typo's likely intent), or null. */
function nearestChannelArg(key: string): string | null {
  const words = new Set(key.toLowerCase().split(/[._-]/).filter((word) => word.length > 2 && word !== 'grpc'));
  let best: string | null = null;
  let bestShared = 0;
  for (const known of knownChannelArgs()) {
    const shared = known.split(/[._-]/).filter((word) => words.has(word)).length;
    if (shared > bestShared) {
      best = known;
      bestShared = shared;
    }
  }
  return best;
}

/**
 * Parses and checks a service config in its JSON form, as grpc-js will when the channel is
 * created (grpc-node service-config.ts `validateServiceConfig`), and checks that its
 * `loadBalancingConfig`, when present, names at least one LB policy registered in grpc-js
 * (grpc-js would otherwise fail every RPC).
 *
 * @throws ChannelConfigError when the text is not JSON, not a valid service config, or names no known LB policy.
 */
export function parseServiceConfig(text: string): ServiceConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ChannelConfigError(`not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ChannelConfigError('expected a JSON object, e.g. {"loadBalancingConfig":[{"round_robin":{}}]}');
  }
  try {
    validateServiceConfig(parsed);
  } catch (error) {
    throw new ChannelConfigError((error as Error).message);
  }
  const policies = lbPoliciesIn(parsed as ServiceConfig);
  if (policies.length > 0 && !policies.some((name) => grpc.experimental.isLoadBalancerNameRegistered(name))) {
    throw new ChannelConfigError(`loadBalancingConfig names no LB policy grpc-js knows: ${policies.join(', ')}`);
  }
  return parsed as ServiceConfig;
}

/** The policy names of a service config's `loadBalancingConfig`, in order (grpc-js uses the first it knows). */
export function lbPoliciesIn(serviceConfig: ServiceConfig | null | undefined): string[] {
  const list = serviceConfig?.loadBalancingConfig;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => (entry !== null && typeof entry === 'object' ? Object.keys(entry as object).slice(0, 1) : []));
}

/**
 * The LB policy a channel asks for: `lbPolicy`, else the first registered policy of the
 * service config's `loadBalancingConfig`; null: the channel default.
 */
export function requestedLbPolicy(config: Pick<ChannelConfig, 'lbPolicy' | 'serviceConfig'>): string | null {
  return config.lbPolicy ?? lbPoliciesIn(config.serviceConfig).find((name) => grpc.experimental.isLoadBalancerNameRegistered(name)) ?? null;
}

/**
 * The `grpc.service_config` text for a channel: the service config with `lbPolicy` as its
 * `loadBalancingConfig`; null when neither is given.
 *
 * @throws ChannelConfigError when both set a `loadBalancingConfig`.
 */
export function serviceConfigText(config: Pick<ChannelConfig, 'lbPolicy' | 'serviceConfig'>): string | null {
  const serviceConfig = config.serviceConfig ?? null;
  if (config.lbPolicy === null) return serviceConfig === null ? null : JSON.stringify(serviceConfig);
  if (serviceConfig === null) return serviceConfigFor(config.lbPolicy);
  if (serviceConfig.loadBalancingConfig !== undefined) {
    throw new ChannelConfigError('--lb-policy and a loadBalancingConfig in --service-config exclude each other: keep one');
  }
  return JSON.stringify({ ...serviceConfig, loadBalancingConfig: [lbConfigEntry(config.lbPolicy)] });
}

/**
 * The service config that selects `lbPolicy` (gRPC doc "Service Config", `loadBalancingConfig`).
 * Note: in grpc-js a service config from a DNS TXT `grpc_config` record takes precedence over
 * this default one (grpc-node resolving-load-balancer.ts), so this is what was *asked for*.
 */
export function serviceConfigFor(lbPolicy: LbPolicy): string {
  return JSON.stringify({ loadBalancingConfig: [lbConfigEntry(lbPolicy)] });
}

/** The `loadBalancingConfig` entry `--lb-policy` asks for: `{policy: {}}`, and out-of-band ORCA for weighted_round_robin. */
function lbConfigEntry(lbPolicy: LbPolicy): Record<string, object> {
  return lbPolicy === 'weighted_round_robin' ? weightedRoundRobinConfig(PROBE_WEIGHTED_ROUND_ROBIN) : { [lbPolicy]: {} };
}

/**
 * Opens one channel as a generic grpc-js client.
 *
 * Every channel gets `grpc.use_local_subchannel_pool`: grpc-js otherwise shares subchannels
 * (and so TCP connections) between channels with the same target and options in one process
 * (grpc-node subchannel-pool.ts), and K channels would model one client pod instead of K.
 *
 * @param pollCounter with `reResolveIntervalMs`: counts the channel's resolutions.
 * @throws ChannelConfigError when `lbPolicy` and a service config's `loadBalancingConfig` conflict;
 *   PollTargetError when `reResolveIntervalMs` is set for a target with no DNS name;
 *   grpc-js's own errors for a bad target or credentials.
 */
export function createClient(config: ChannelConfig, pollCounter?: PollCounter): grpc.Client {
  const credentials =
    config.tls === undefined || config.tls === null
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(config.tls.rootCerts ?? null, config.tls.privateKey ?? null, config.tls.certChain ?? null);
  const options: ChannelOptions = { 'grpc.use_local_subchannel_pool': 1 };
  const serviceConfig = serviceConfigText(config);
  if (serviceConfig !== null) {
    options['grpc.service_config'] = serviceConfig;
  }
  if (config.authority !== undefined) {
    options['grpc.default_authority'] = config.authority;
  }
  if (config.tls?.serverName !== undefined) {
    options['grpc.ssl_target_name_override'] = config.tls.serverName;
  }
  if (config.target.startsWith('xds:')) {
    registerXds();
    // The per-channel bootstrap @grpc/grpc-js-xds reads (resolver-xds.ts BOOTSTRAP_CONFIG_KEY);
    // without it the process-wide one from the environment.
    if (config.xdsBootstrap !== undefined && config.xdsBootstrap !== null) options[XDS_BOOTSTRAP_OPTION] = config.xdsBootstrap;
  }
  const polling = config.reResolveIntervalMs === undefined || config.reResolveIntervalMs === null ? null : pollingTarget(config.target, config.reResolveIntervalMs, pollCounter);
  return new grpc.Client(polling?.target ?? config.target, credentials, { ...options, ...config.channelArgs, ...config.channelOptions, ...polling?.options });
}
