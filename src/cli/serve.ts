// `grpclb-probe serve`: Greeter servers that reply with their hostname, drained on SIGTERM.
import os from 'node:os';
import grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { BindError, GreeterServer } from '../server/greeter.js';
import type { OrcaUtilization } from '../server/orca-load.js';
import { commandAction } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { SIGNAL_DEDUP_MS } from './interrupt.js';
import { addServeStreamFlags, type ServeStreamFlags } from './stream-flags.js';
import { checkKeyPair, readCertificates, readPrivateKey } from './tls-files.js';
import * as parse from './parse.js';
import { countOf } from '../result/units.js';

/** The flags of `serve` as commander parses them. */
export interface ServeFlags extends ServeStreamFlags {
  port: number;
  host: string;
  hostname?: string;
  replicas: number;
  maxConnectionAgeMs?: number;
  maxConnectionAgeGraceMs?: number;
  delayMs: number;
  drainMs: number;
  tlsCert?: string;
  tlsKey?: string;
  orcaUtilization?: OrcaUtilization;
}

const EXAMPLES = `
Examples:
  $ grpclb-probe serve                                  # :50051, replies with os.hostname()
  $ grpclb-probe serve --replicas 3 --port 50051        # :50051-50053, hostnames <host>-1..3
  $ grpclb-probe serve --max-connection-age-ms 30000    # force clients to reconnect every ~30 s
  $ grpclb-probe serve --delay-ms 200 --drain-ms 10000
  $ grpclb-probe serve --replicas 3 --orca-utilization 0.6   # for clients with weighted_round_robin
  $ grpclb-probe serve --tls-cert server.pem --tls-key server-key.pem   # then: run --tls --ca-cert ...

The reply is "hostname:<hostname>, in:<name>"; the hostname is also sent as the "hostname"
response header. SayHelloStreamReply (server streaming) sends that reply every --stream-interval
until the client cancels (or --stream-messages); SayHelloBidiStream (bidi) replies to each request.
grpc.health.v1.Health reports SERVING, then NOT_SERVING while draining.
Server reflection is on: grpcurl -plaintext ADDR list, and run --call without a proto, work.
With --orca-utilization, load is reported in ORCA out of band (xds.service.orca.v3.OpenRcaService, gRPC proposals A51/A64):
RPC rate, error rate and application utilization, fixed with --orca-utilization or derived
from the mean number of RPCs in flight; weighted_round_robin clients weigh servers by it (A58).
SIGTERM or Ctrl-C: stop accepting, let RPCs in flight finish (up to --drain-ms), then close
every connection left (silent or frozen clients too) and exit 0. A repeated SIGTERM is logged
and the drain goes on; a second Ctrl-C at a terminal closes at once (exit 130).
`;

/** `--orca-utilization`: `derived`, or a number > 0. */
function orcaUtilization(value: string): OrcaUtilization {
  return value === 'derived' ? 'derived' : parse.positiveNumber(value);
}

/** Registers `serve` on `program`. */
export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('Run helloworld.Greeter servers whose reply names the host that answered, with grpc.health.v1 and graceful drain.')
    .option('-p, --port <port>', 'port (0: pick a free one); with --replicas, the first of consecutive ports', parse.port, 50051)
    .option('--host <address>', 'bind address', '0.0.0.0')
    .option('--hostname <name>', 'the name to report, printable ASCII (default: os.hostname())', parse.headerValue)
    .option('--replicas <n>', 'servers on consecutive ports, hostnames <hostname>-1..n', parse.integerAtLeast(1), 1)
    .option('--max-connection-age-ms <ms>', 'send GOAWAY after a connection is this old (grpc.max_connection_age_ms)', parse.milliseconds(1))
    .option('--max-connection-age-grace-ms <ms>', 'then give RPCs in flight this long (grpc.max_connection_age_grace_ms)', parse.milliseconds(1))
    .option('--delay-ms <ms>', 'added latency per RPC', parse.milliseconds(0), 0)
    .option('--orca-utilization <x|derived>', 'report load in ORCA: this fixed application utilization, or derived from RPCs in flight (default: no ORCA)', orcaUtilization)
    .option('--drain-ms <ms>', 'on SIGTERM, how long RPCs in flight may take before a forced close', parse.milliseconds(0), 5000)
    .option('--tls-cert <file>', 'PEM certificate chain: serve TLS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key (with --tls-cert)');
  addServeStreamFlags(command).addHelpText('after', EXAMPLES)
    .action(commandAction((flags: ServeFlags) => serveCommand(flags)));
}

/**
 * A `run` line to paste for these servers: a wildcard bind is reached on loopback; more than
 * one server is an `ipv4:`/`ipv6:` list with round_robin, as the lab's static setup is.
 */
export function probeCommand(servers: readonly Pick<GreeterServer, 'host' | 'port'>[], tls: boolean): string {
  const reachable = (host: string): string => (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host);
  const ipv6 = servers.some((server) => reachable(server.host).includes(':'));
  const addresses = servers.map((server) => {
    const host = reachable(server.host);
    return host.includes(':') ? `[${host}]:${server.port}` : `${host}:${server.port}`;
  });
  const tlsFlag = tls ? ' --tls' : '';
  if (addresses.length === 1) return `grpclb-probe run -t ${addresses[0]}${tlsFlag}`;
  return `grpclb-probe run -t ${ipv6 ? 'ipv6' : 'ipv4'}:${addresses.join(',')} --lb-policy round_robin --expect-backends ${addresses.length}${tlsFlag}`;
}

function log(line: string): void {
  process.stderr.write(`grpclb-probe serve: ${line}\n`);
}

/** TLS from --tls-cert/--tls-key, else plaintext. @throws UsageError naming the flag */
function serverCredentials(flags: ServeFlags): grpc.ServerCredentials {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return grpc.ServerCredentials.createInsecure();
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) throw new UsageError('--tls-cert and --tls-key go together');
  const certChain = readCertificates('--tls-cert', flags.tlsCert);
  const privateKey = readPrivateKey('--tls-key', flags.tlsKey);
  checkKeyPair(`--tls-cert ${flags.tlsCert}`, certChain, `--tls-key ${flags.tlsKey}`, privateKey);
  try {
    return grpc.ServerCredentials.createSsl(null, [{ cert_chain: certChain, private_key: privateKey }], false);
  } catch (error) {
    throw new UsageError(`--tls-cert/--tls-key: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Runs `serve` until SIGTERM/SIGINT; returns the exit code. @throws UsageError on bind failures. */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  if (flags.port !== 0 && flags.port + flags.replicas - 1 > 65535) {
    throw new UsageError(`--port ${flags.port} with --replicas ${flags.replicas} runs past port 65535`);
  }
  const credentials = serverCredentials(flags);
  const baseName = flags.hostname ?? os.hostname();
  const servers: GreeterServer[] = [];
  for (let index = 0; index < flags.replicas; index += 1) {
    let server: GreeterServer;
    try {
      server = new GreeterServer({
      host: flags.host,
      port: flags.port === 0 ? 0 : flags.port + index,
      hostname: flags.replicas === 1 ? baseName : `${baseName}-${index + 1}`,
      delayMs: flags.delayMs,
      maxConnectionAgeMs: flags.maxConnectionAgeMs,
      maxConnectionAgeGraceMs: flags.maxConnectionAgeGraceMs,
      credentials,
      orcaUtilization: flags.orcaUtilization,
      streamIntervalMs: flags.streamInterval,
      streamMessages: flags.streamMessages,
      });
    } catch (error) {
      servers.forEach((started) => started.kill());
      // grpc-js reads its ORCA .proto files from disk (orca.ts): a single-file build has none.
      throw new UsageError(`--orca-utilization: ORCA cannot be served by this build: ${(error as Error).message}`);
    }
    try {
      await server.start();
    } catch (error) {
      servers.forEach((started) => started.kill());
      const message = error instanceof BindError ? `${error.address}: ${error.reason}` : String(error);
      throw new UsageError(`--port/--host: cannot listen on ${message}`);
    }
    servers.push(server);
    log(`listening on ${server.address}${flags.tlsCert === undefined ? '' : ' (TLS)'} as hostname ${server.hostname}`);
  }
  log(`probe ${servers.length === 1 ? 'it' : 'them'}: ${probeCommand(servers, flags.tlsCert !== undefined)}`);
  let drainStart = -1;
  const drainStarted = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (name: NodeJS.Signals): void => {
      if (drainStart < 0) {
        drainStart = performance.now();
        resolve(name);
        return;
      }
      const sinceMs = performance.now() - drainStart;
      // GNU timeout and a terminal signal the process and its group: one intent, two signals.
      if (sinceMs < SIGNAL_DEDUP_MS) return;
      // Kubernetes repeats SIGTERM; only a person at a terminal pressing Ctrl-C again means "now".
      if (name === 'SIGINT' && process.stdin.isTTY === true) {
        log('SIGINT again: closing now');
        servers.forEach((server) => server.kill());
        process.exit(EXIT.interrupted);
      }
      log(`${name} again: still draining (${Math.max(0, Math.round(flags.drainMs - sinceMs))} ms left)`);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const signal = await drainStarted;
  log(`${signal}: draining (NOT_SERVING, no new connections, up to ${flags.drainMs} ms for RPCs in flight)`);
  const outcomes = await Promise.all(servers.map((server) => server.drain(flags.drainMs)));
  const forced = outcomes.filter((outcome) => outcome === 'forced').length;
  log(forced === 0 ? 'stopped: drained' : `stopped: ${countOf(forced, 'server')} force-closed after ${flags.drainMs} ms`);
  return EXIT.ok;
}
