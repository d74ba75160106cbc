// The lab's topology: Greeter "pods" on their own loopback addresses, a ClusterIP-like VIP,
// a headless Service's DNS server and an L7 proxy, all following one live backend list so
// that backends can be added, drained, killed, slowed down and restarted during a run.
import { randomInt } from 'node:crypto';
import { BindError, GreeterServer } from '../server/greeter.js';
import type { OrcaUtilization } from '../server/orca-load.js';
import { DnsServer } from './dns-server.js';
import { L4Vip, type ClusterIpMode } from './l4-vip.js';
import { L7Proxy } from './l7-proxy.js';
import { DEFAULT_TIER_PROXIES, ProxyTier } from './proxy-tier.js';
import { XdsControlPlane } from './xds-control-plane.js';

/** The service name the lab's control plane serves: the target is `xds:///greeter`. */
export const XDS_SERVICE_NAME = 'greeter';
/** The service name of the weighted control plane (the `xds-weighted` setup): `xds:///greeter-weighted`. */
export const XDS_WEIGHTED_SERVICE_NAME = 'greeter-weighted';
/** The weights of `xds-weighted` unless `--xds-weights` says otherwise: the first pod 3, every other 1 (3:1:1 over 3 pods). */
export function defaultXdsWeights(pods: number): number[] {
  return Array.from({ length: pods }, (_, index) => (index === 0 ? 3 : 1));
}

/** Thrown when the lab cannot start; the message names the address or port at fault. Nothing is left running. */
export class LabError extends Error {}

/** How the lab is built. */
export interface LabOptions {
  /** Greeter backends ("pods"); default 3. */
  readonly replicas?: number;
  /** The port every pod, the VIP and the proxy listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** How the VIP picks a backend per connection; default `iptables` (random). */
  readonly clusterIpMode?: ClusterIpMode;
  /** The headless Service's DNS name; default `greeter-headless.default.svc.cluster.local`. */
  readonly serviceName?: string;
  /** Added latency per RPC for every pod, ms; default 0. */
  readonly delayMs?: number;
  /** Max connection age for every pod, ms (grpc-js `grpc.max_connection_age_ms`); default none. */
  readonly maxConnectionAgeMs?: number;
  /**
   * Pod IPs are this prefix plus 1, 2, ...; default `127.0.10.`. When the first cannot be bound
   * (EADDRNOTAVAIL: macOS has only 127.0.0.1 without aliases), every part falls back to
   * 127.0.0.1 with its own port. Tests pass an address this machine does not have to see that.
   */
  readonly podAddressPrefix?: string;
  /**
   * A second listener on every pod, on its own port shared by all pods, whose connections live
   * at most this long (`grpc.max_connection_age_ms`), so that one lab serves clients of servers
   * with and without max connection age at once ({@link Lab.agedHeadlessTarget}). Default none.
   */
  readonly agedListenerMaxAgeMs?: number;
  /** The aged listener's `grpc.max_connection_age_grace_ms`: how long open streams run after its GOAWAY. Default none (unbounded). */
  readonly agedListenerGraceMs?: number;
  /** ORCA load every pod reports (GreeterServerOptions.orcaUtilization); default none. */
  readonly orcaUtilization?: OrcaUtilization;
}

/** How a pod goes away in {@link Lab.removeBackend}. */
export interface RemovalTiming {
  /** graceful: time between leaving the endpoints and the drain (a preStop sleep), ms; default 0. */
  readonly preStopMs?: number;
  /** graceful: how long RPCs in flight may take (terminationGracePeriodSeconds), ms; default 5000. */
  readonly drainMs?: number;
  /** abrupt: time the dead pod stays in the endpoints until its readiness probe fails, ms; default 0. */
  readonly readinessLagMs?: number;
}

/** One pod. */
export interface LabBackend {
  readonly name: string;
  /** `IP:port`, the pod IP. */
  readonly address: string;
  readonly server: GreeterServer;
  /** The listener with max connection age on {@link Lab.agedPort}, when the lab has one. */
  readonly agedServer: GreeterServer | null;
  /**
   * `serving`: in the endpoints; `draining`: out of them, finishing RPCs; `dead`: the process
   * died but the endpoints still list it (readiness has not noticed yet); `stopped`.
   */
  state: 'serving' | 'draining' | 'dead' | 'stopped';
}

/** Pod IPs are 127.0.10.x, the VIP 127.0.20.1, the proxy 127.0.30.1 (Linux routes all of 127/8 to lo). */
const POD_PREFIX = '127.0.10.';
const VIP_HOST = '127.0.20.1';
const PROXY_HOST = '127.0.30.1';
/** The proxy tier: its VIP on 127.0.21.1, its proxies on 127.0.31.1, .2, ... */
const TIER_VIP_HOST = '127.0.21.1';
const TIER_PROXY_PREFIX = '127.0.31.';
const DNS_HOST = '127.0.0.1';
const FALLBACK_HOST = '127.0.0.1';
const PORT_ATTEMPTS = 5;
/** Kubernetes' alphabet for generated name suffixes (apimachinery `rand.String`: no vowels, no 0/1/3). */
const KUBE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function kubeRandom(length: number): string {
  return Array.from({ length }, () => KUBE_ALPHABET[randomInt(KUBE_ALPHABET.length)]).join('');
}

/** A Deployment pod name: `greeter-<pod-template-hash>-<5 chars>`. */
export function podName(templateHash: string): string {
  return `greeter-${templateHash}-${kubeRandom(5)}`;
}

/** The running lab. Create with {@link Lab.start}; always {@link Lab.close}. */
export class Lab {
  readonly backends: LabBackend[] = [];
  readonly serviceName: string;
  readonly templateHash = kubeRandom(10);
  /** false when extra loopback addresses could not be bound (macOS): everything is on 127.0.0.1, distinct ports. */
  loopbackAliases = true;
  port = 0;
  /** The port of every pod's max-connection-age listener (0 when the lab has none). */
  agedPort = 0;
  readonly vip: L4Vip;
  readonly dns: DnsServer;
  readonly proxy: L7Proxy;
  /** The proxy tier, once {@link Lab.startProxyTier} started it. */
  proxyTier: ProxyTier | null = null;
  /** The xDS control plane, once {@link Lab.startXds} started it; told of every endpoint change. */
  xds: XdsControlPlane | null = null;
  /** The weighted xDS control plane, once {@link Lab.startXdsWeighted} started it. */
  xdsWeighted: XdsControlPlane | null = null;
  /** The weights it serves, by pod in listing order (pods past the list weigh 1). */
  xdsWeights: readonly number[] = [];
  private nextPodIndex = 1;

  private constructor(private readonly options: LabOptions) {
    this.serviceName = (options.serviceName ?? 'greeter-headless.default.svc.cluster.local').toLowerCase();
    const endpoints = (): string[] => this.endpoints();
    this.vip = new L4Vip(endpoints, options.clusterIpMode ?? 'iptables');
    this.proxy = new L7Proxy(endpoints);
    this.dns = new DnsServer((name) => (name === this.serviceName ? this.endpoints().map((address) => address.replace(/:\d+$/, '')) : null));
  }

  /**
   * Starts every part. On failure closes what started and throws.
   * @throws LabError naming the address that could not be bound.
   */
  static async start(options: LabOptions = {}): Promise<Lab> {
    const lab = new Lab(options);
    try {
      await lab.startPods(options.replicas ?? 3, options.port ?? 0);
      const sidecarHost = (host: string): string => (lab.loopbackAliases ? host : FALLBACK_HOST);
      const sidecarPort = lab.loopbackAliases ? lab.port : 0;
      await lab.vip.start(sidecarHost(VIP_HOST), sidecarPort).catch((error: Error) => {
        throw new LabError(`cannot listen on ${sidecarHost(VIP_HOST)}:${sidecarPort} for the ClusterIP VIP: ${error.message}`);
      });
      await lab.proxy.start(sidecarHost(PROXY_HOST), sidecarPort).catch((error: Error) => {
        throw new LabError(`cannot listen on ${sidecarHost(PROXY_HOST)}:${sidecarPort} for the L7 proxy: ${error.message}`);
      });
      await lab.dns.start(DNS_HOST, 0).catch((error: Error) => {
        throw new LabError(`cannot bind UDP ${DNS_HOST} for the DNS server: ${error.message}`);
      });
    } catch (error) {
      await lab.close();
      throw error instanceof LabError ? error : new LabError(String((error as Error).message ?? error));
    }
    return lab;
  }

  private async startPods(replicas: number, port: number): Promise<void> {
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
      try {
        this.port = port;
        this.agedPort = 0;
        for (let index = 0; index < replicas; index += 1) {
          await this.addBackend();
        }
        return;
      } catch (error) {
        for (const backend of this.backends) killPod(backend);
        this.backends.length = 0;
        this.nextPodIndex = 1;
        const code = error instanceof BindError ? error.code : null;
        if (code === 'EADDRNOTAVAIL' && this.loopbackAliases) {
          this.loopbackAliases = false; // macOS: only 127.0.0.1 answers without an alias
          attempt -= 1;
          continue;
        }
        if (port !== 0 || code !== 'EADDRINUSE' || attempt === PORT_ATTEMPTS - 1) {
          throw new LabError(error instanceof Error ? error.message : String(error));
        }
      }
    }
  }

  /** Addresses of listed pods (serving, or dead and not yet noticed), in start order: what DNS, the VIP and the proxy use now. */
  endpoints(): string[] {
    return this.listed().map((backend) => backend.address);
  }

  private listed(): LabBackend[] {
    return this.backends.filter((backend) => backend.state === 'serving' || backend.state === 'dead');
  }

  /** Scale out by one pod (the same port, the next pod IP). */
  async addBackend(name = podName(this.templateHash)): Promise<LabBackend> {
    const host = this.loopbackAliases ? `${this.options.podAddressPrefix ?? POD_PREFIX}${this.nextPodIndex}` : FALLBACK_HOST;
    const server = new GreeterServer({
      host,
      port: this.loopbackAliases ? this.port : 0,
      hostname: name,
      delayMs: this.options.delayMs,
      maxConnectionAgeMs: this.options.maxConnectionAgeMs,
      orcaUtilization: this.options.orcaUtilization,
    });
    await server.start();
    let agedServer: GreeterServer | null = null;
    if (this.options.agedListenerMaxAgeMs !== undefined) {
      agedServer = new GreeterServer({
        host,
        port: this.loopbackAliases ? this.agedPort : 0,
        hostname: name,
        delayMs: this.options.delayMs,
        maxConnectionAgeMs: this.options.agedListenerMaxAgeMs,
        maxConnectionAgeGraceMs: this.options.agedListenerGraceMs,
        orcaUtilization: this.options.orcaUtilization,
      });
      await agedServer.start().catch((error: unknown) => {
        server.kill();
        throw error;
      });
      if (this.agedPort === 0) this.agedPort = agedServer.port;
    }
    this.nextPodIndex += 1;
    if (this.port === 0) this.port = server.port;
    const backend: LabBackend = { name, address: server.address, server, agedServer, state: 'serving' };
    this.backends.push(backend);
    this.pushEndpoints();
    return backend;
  }

  /**
   * Scale in. `graceful` (a preStop hook and a drain, as Kubernetes does it right): the pod
   * leaves the endpoints (DNS, VIP, proxy), waits `preStopMs`, then stops accepting, sends
   * GOAWAY and lets RPCs in flight finish for up to `drainMs`. `abrupt` (a crash, a node
   * failure, an app that exits on SIGTERM with no preStop): the process dies at once while
   * the endpoints still list it, and leaves them `readinessLagMs` later.
   * A number as third argument is `drainMs` (the earlier signature).
   */
  async removeBackend(name: string, mode: 'graceful' | 'abrupt', timing: RemovalTiming | number = {}): Promise<void> {
    const { preStopMs = 0, drainMs = 5000, readinessLagMs = 0 } = typeof timing === 'number' ? { drainMs: timing } : timing;
    const backend = this.find(name);
    if (mode === 'abrupt') {
      killPod(backend);
      backend.state = 'dead';
      this.pushEndpoints();
      if (readinessLagMs > 0) await sleep(readinessLagMs);
      backend.state = 'stopped';
      this.pushEndpoints();
      return;
    }
    backend.state = 'draining';
    this.pushEndpoints();
    if (preStopMs > 0) await sleep(preStopMs);
    await Promise.all([backend.server.drain(drainMs), backend.agedServer?.drain(drainMs)]);
    backend.state = 'stopped';
    this.pushEndpoints();
  }

  /** Adds `delayMs` to every RPC the pod answers from now on. */
  setDelay(name: string, delayMs: number): void {
    const backend = this.find(name);
    backend.server.setDelayMs(delayMs);
    backend.agedServer?.setDelayMs(delayMs);
  }

  /** A restart: the pod goes away (gracefully or not) and a new one, with a new name, takes its place. */
  async restartBackend(name: string, mode: 'graceful' | 'abrupt'): Promise<LabBackend> {
    await this.removeBackend(name, mode);
    return this.addBackend();
  }

  private find(name: string): LabBackend {
    const backend = this.backends.find((candidate) => candidate.name === name && (candidate.state === 'serving' || candidate.state === 'draining'));
    if (backend === undefined) throw new LabError(`no running backend named ${name}`);
    return backend;
  }

  /**
   * Starts the proxy tier (once; later calls return the running one): `proxies` L7 proxies
   * behind a VIP, each balancing per RPC over the pods.
   * @throws LabError naming the address that could not be bound; nothing of the tier is left running.
   */
  async startProxyTier(proxies = DEFAULT_TIER_PROXIES): Promise<ProxyTier> {
    if (this.proxyTier !== null) return this.proxyTier;
    const tier = new ProxyTier(() => this.endpoints(), proxies);
    const host = (aliased: string): string => (this.loopbackAliases ? aliased : FALLBACK_HOST);
    try {
      await tier.start(host(TIER_VIP_HOST), (index) => host(`${TIER_PROXY_PREFIX}${index}`), this.loopbackAliases ? this.port : 0);
    } catch (error) {
      await tier.close();
      throw new LabError(`cannot listen for the proxy tier (${host(TIER_VIP_HOST)}, ${host(TIER_PROXY_PREFIX + '1')}...): ${(error as Error).message}`);
    }
    this.proxyTier = tier;
    return tier;
  }

  /**
   * Starts the xDS control plane on 127.0.0.1 (once; later calls return the running one),
   * serving the listed pods as the EDS endpoints of `xds:///greeter`, every pod weight 1.
   * @throws LabError when it cannot listen.
   */
  async startXds(): Promise<XdsControlPlane> {
    this.xds ??= await this.startControlPlane(XDS_SERVICE_NAME, () => 1);
    return this.xds;
  }

  /**
   * Starts the weighted control plane (once; later calls return the running one): the pods as the
   * endpoints of `xds:///greeter-weighted`, the n-th listed pod in a locality of weight
   * `weights[n]` (1 past the list); default {@link defaultXdsWeights}.
   * @throws LabError when it cannot listen.
   */
  async startXdsWeighted(weights: readonly number[] = defaultXdsWeights(this.endpoints().length)): Promise<XdsControlPlane> {
    if (this.xdsWeighted !== null) return this.xdsWeighted;
    this.xdsWeights = [...weights];
    this.xdsWeighted = await this.startControlPlane(XDS_WEIGHTED_SERVICE_NAME, (index) => this.xdsWeights[index] ?? 1);
    return this.xdsWeighted;
  }

  private async startControlPlane(name: string, weightOf: (index: number) => number): Promise<XdsControlPlane> {
    const controlPlane = new XdsControlPlane(name, () => this.endpoints().map((address, index) => ({ address, weight: weightOf(index) })));
    try {
      await controlPlane.start(DNS_HOST);
    } catch (error) {
      controlPlane.close();
      throw new LabError(`cannot listen on ${DNS_HOST} for the xDS control plane: ${(error as Error).message}`);
    }
    return controlPlane;
  }

  /** Tells the control planes that the pod list changed: they push a new EDS version when it did. */
  private pushEndpoints(): void {
    this.xds?.endpointsChanged();
    this.xdsWeighted?.endpointsChanged();
  }

  /** `dns://DNS_IP:PORT/<service name>:<port>`, the headless Service's target. */
  get headlessTarget(): string {
    return `dns://${this.dns.address}/${this.serviceName}:${this.port}`;
  }

  /** The headless Service's target on the pods' max-connection-age listeners (needs `agedListenerMaxAgeMs`). */
  get agedHeadlessTarget(): string {
    return `dns://${this.dns.address}/${this.serviceName}:${this.agedPort}`;
  }

  /** `ipv4:pod1,pod2,...` over serving pods (gRPC's static resolver). */
  get staticTarget(): string {
    return `ipv4:${this.endpoints().join(',')}`;
  }

  /** Stops every part; safe to call twice and on a half-started lab. */
  async close(): Promise<void> {
    for (const backend of this.backends) {
      if (backend.state !== 'stopped') killPod(backend);
      backend.state = 'stopped';
      this.pushEndpoints();
    }
    this.xds?.close();
    this.xdsWeighted?.close();
    await Promise.allSettled([this.vip.close(), this.proxy.close(), this.dns.close(), this.proxyTier?.close()]);
  }
}

function killPod(backend: LabBackend): void {
  backend.server.kill();
  backend.agedServer?.kill();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
