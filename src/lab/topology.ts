// The lab's topology: Greeter "pods" on their own loopback addresses, a ClusterIP-like VIP,
// a headless Service's DNS server and an L7 proxy, all following one live backend list so
// that backends can be added, drained, killed, slowed down and restarted during a run.
import { randomInt } from 'node:crypto';
import { BindError, GreeterServer } from '../server/greeter.js';
import { DnsServer } from './dns-server.js';
import { L4Vip, type ClusterIpMode } from './l4-vip.js';
import { L7Proxy } from './l7-proxy.js';

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
}

/** One pod. */
export interface LabBackend {
  readonly name: string;
  /** `IP:port`, the pod IP. */
  readonly address: string;
  readonly server: GreeterServer;
  /** `serving`: in the endpoints; `draining`: out of them, finishing RPCs; `stopped`. */
  state: 'serving' | 'draining' | 'stopped';
}

/** Pod IPs are 127.0.10.x, the VIP 127.0.20.1, the proxy 127.0.30.1 (Linux routes all of 127/8 to lo). */
const POD_PREFIX = '127.0.10.';
const VIP_HOST = '127.0.20.1';
const PROXY_HOST = '127.0.30.1';
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
  readonly vip: L4Vip;
  readonly dns: DnsServer;
  readonly proxy: L7Proxy;
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
        for (let index = 0; index < replicas; index += 1) {
          await this.addBackend();
        }
        return;
      } catch (error) {
        for (const backend of this.backends) backend.server.kill();
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

  /** Addresses of serving pods, in start order: what DNS, the VIP and the proxy use now. */
  endpoints(): string[] {
    return this.backends.filter((backend) => backend.state === 'serving').map((backend) => backend.address);
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
    });
    await server.start();
    this.nextPodIndex += 1;
    if (this.port === 0) this.port = server.port;
    const backend: LabBackend = { name, address: server.address, server, state: 'serving' };
    this.backends.push(backend);
    return backend;
  }

  /**
   * Scale in: `graceful` takes the pod out of the endpoints, then drains it (up to `drainMs`,
   * default 5000); `abrupt` kills it at once, like a node failure, before the endpoints know.
   */
  async removeBackend(name: string, mode: 'graceful' | 'abrupt', drainMs = 5000): Promise<void> {
    const backend = this.find(name);
    if (mode === 'abrupt') {
      backend.server.kill();
      backend.state = 'stopped';
      return;
    }
    backend.state = 'draining';
    await backend.server.drain(drainMs);
    backend.state = 'stopped';
  }

  /** Adds `delayMs` to every RPC the pod answers from now on. */
  setDelay(name: string, delayMs: number): void {
    this.find(name).server.setDelayMs(delayMs);
  }

  /** A restart: the pod goes away (gracefully or not) and a new one, with a new name, takes its place. */
  async restartBackend(name: string, mode: 'graceful' | 'abrupt'): Promise<LabBackend> {
    await this.removeBackend(name, mode);
    return this.addBackend();
  }

  private find(name: string): LabBackend {
    const backend = this.backends.find((candidate) => candidate.name === name && candidate.state !== 'stopped');
    if (backend === undefined) throw new LabError(`no running backend named ${name}`);
    return backend;
  }

  /** `dns://DNS_IP:PORT/<service name>:<port>`, the headless Service's target. */
  get headlessTarget(): string {
    return `dns://${this.dns.address}/${this.serviceName}:${this.port}`;
  }

  /** `ipv4:pod1,pod2,...` over serving pods (gRPC's static resolver). */
  get staticTarget(): string {
    return `ipv4:${this.endpoints().join(',')}`;
  }

  /** Stops every part; safe to call twice and on a half-started lab. */
  async close(): Promise<void> {
    for (const backend of this.backends) {
      if (backend.state !== 'stopped') backend.server.kill();
      backend.state = 'stopped';
    }
    await Promise.allSettled([this.vip.close(), this.proxy.close(), this.dns.close()]);
  }
}
