// Channel construction: credentials, LB policy through the service config, and the options
// that make each probe channel own its connections.
import grpc, { type ChannelOptions } from '@grpc/grpc-js';

/** LB policies the probe can ask for, in grpc-js spelling. */
export const LB_POLICIES = ['pick_first', 'round_robin'] as const;
/** An LB policy name from {@link LB_POLICIES}. */
export type LbPolicy = (typeof LB_POLICIES)[number];

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
  /** Extra grpc-js channel options, applied last. */
  readonly channelOptions?: ChannelOptions;
}

/**
 * The service config that selects `lbPolicy` (gRPC doc "Service Config", `loadBalancingConfig`).
 * Note: in grpc-js a service config from a DNS TXT `grpc_config` record takes precedence over
 * this default one (grpc-node resolving-load-balancer.ts), so this is what was *asked for*.
 */
export function serviceConfigFor(lbPolicy: LbPolicy): string {
  return JSON.stringify({ loadBalancingConfig: [{ [lbPolicy]: {} }] });
}

/**
 * Opens one channel as a generic grpc-js client.
 *
 * Every channel gets `grpc.use_local_subchannel_pool`: grpc-js otherwise shares subchannels
 * (and so TCP connections) between channels with the same target and options in one process
 * (grpc-node subchannel-pool.ts), and K channels would model one client pod instead of K.
 */
export function createClient(config: ChannelConfig): grpc.Client {
  const credentials =
    config.tls === undefined || config.tls === null
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(config.tls.rootCerts ?? null, config.tls.privateKey ?? null, config.tls.certChain ?? null);
  const options: ChannelOptions = { 'grpc.use_local_subchannel_pool': 1 };
  if (config.lbPolicy !== null) {
    options['grpc.service_config'] = serviceConfigFor(config.lbPolicy);
  }
  if (config.authority !== undefined) {
    options['grpc.default_authority'] = config.authority;
  }
  if (config.tls?.serverName !== undefined) {
    options['grpc.ssl_target_name_override'] = config.tls.serverName;
  }
  return new grpc.Client(config.target, credentials, { ...options, ...config.channelOptions });
}
