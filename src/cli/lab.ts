// `grpclb-probe lab`: start the lab's topology and keep it up for other clients.
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { alternativeResolverEnabled } from '../grpc/alternative-resolver.js';
import type { ClusterIpMode } from '../lab/l4-vip.js';
import { Lab, LabError, type LabOptions } from '../lab/topology.js';
import { commandAction } from './command.js';
import { EXIT, LabStartError, UsageError } from './errors.js';
import { interruptOnSignals } from './interrupt.js';
import * as parse from './parse.js';

/** The flags of `lab` as commander parses them. */
export interface LabFlags {
  replicas: number;
  port: number;
  clusteripMode: ClusterIpMode;
  delayMs: number;
  maxConnectionAgeMs?: number;
  xdsBootstrapOut?: string;
}

/** Registers `lab` on `program`. */
export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('Start Greeter pods on loopback addresses, a ClusterIP-like VIP, a headless DNS server, an L7 proxy and an xDS control plane, print every target, and keep them up.')
    .option('--replicas <n>', `Greeter pods (at most ${parse.MAX_LAB_REPLICAS})`, parse.integerBetween(1, parse.MAX_LAB_REPLICAS, ': lab pods take 127.0.10.2 upwards'), 3)
    .option('-p, --port <port>', 'the port pods, VIP and proxy share (0: pick a free one)', parse.port, 0)
    .addOption(new Option('--clusterip-mode <mode>', 'how the VIP picks a pod per connection').choices(['iptables', 'ipvs-rr']).default('iptables'))
    .option('--delay-ms <ms>', 'added latency per RPC on every pod', parse.milliseconds(0), 0)
    .option('--max-connection-age-ms <ms>', 'max connection age on every pod', parse.milliseconds(1))
    .option('--xds-bootstrap-out <file>', 'write the xDS bootstrap of the lab\u2019s control plane here, for run -t xds:///greeter --xds-bootstrap FILE')
    .addHelpText('after', '\nExample:\n  $ grpclb-probe lab --replicas 5 --port 50051\n\nCtrl-C (or SIGTERM, SIGHUP) tears everything down (exit 0); a second one exits at once (130).\n')
    .action(commandAction((flags: LabFlags) => labCommand(flags)));
}

/**
 * {@link Lab.start} for the CLI: shared by `run` without a target and `scenario`, whose channels
 * live in this process.
 * @throws LabStartError (exit 4) naming what could not be bound, or when grpc-js was loaded
 *   without its alternative resolver (then the lab's DNS server would never be asked).
 */
export async function startLab(options: LabOptions): Promise<Lab> {
  // This process's channels resolve the lab's headless Service through the lab's DNS server.
  if (!alternativeResolverEnabled()) {
    throw new LabStartError('the lab needs GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true for its DNS server; unset it or set it to true');
  }
  try {
    return await Lab.start(options);
  } catch (error) {
    throw labStartError(error);
  }
}

/** A lab part that failed to start, as exit 4. */
function labStartError(error: unknown): LabStartError {
  return new LabStartError(`lab failed to start: ${error instanceof LabError ? error.message : String(error)}`);
}

/** Runs `lab` until SIGINT/SIGTERM/SIGHUP; returns the exit code. @throws LabStartError (exit 4). */
export async function labCommand(flags: LabFlags): Promise<number> {
  // Installed first: a signal while the lab binds tears it down as soon as it is up.
  const interrupt = interruptOnSignals({ notice: null });
  let lab: Lab;
  try {
    lab = await startLab({
      replicas: flags.replicas,
      port: flags.port,
      clusterIpMode: flags.clusteripMode,
      delayMs: flags.delayMs,
      maxConnectionAgeMs: flags.maxConnectionAgeMs,
    });
  } catch (error) {
    interrupt.dispose();
    throw error;
  }
  try {
    await startXdsFor(lab, flags.xdsBootstrapOut);
    printTargets(lab, flags.clusteripMode, flags.xdsBootstrapOut);
    process.stderr.write('grpclb-probe lab: up; Ctrl-C to tear down\n');
    const signal = await interrupt.stopped;
    await lab.close();
    process.stderr.write(`grpclb-probe lab: ${signal}: torn down\n`);
    return EXIT.ok;
  } catch (error) {
    await lab.close();
    throw error;
  } finally {
    interrupt.dispose();
  }
}

/**
 * The lab's xDS control plane, and its bootstrap written to `file` when given.
 * @throws LabStartError (exit 4) when it cannot listen; UsageError (exit 2) naming
 *   --xds-bootstrap-out when the file cannot be written.
 */
async function startXdsFor(lab: Lab, file: string | undefined): Promise<void> {
  let controlPlane;
  try {
    controlPlane = await lab.startXds();
  } catch (error) {
    throw labStartError(error);
  }
  if (file === undefined) return;
  try {
    writeFileSync(file, `${controlPlane.bootstrap()}\n`);
  } catch (error) {
    throw new UsageError(`--xds-bootstrap-out ${file}: cannot write the bootstrap (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The lab's parts and a command line for each setup, on stdout. */
function printTargets(lab: Lab, clusterIpMode: ClusterIpMode, xdsBootstrapFile: string | undefined): void {
  const out = (line = ''): boolean => process.stdout.write(line + '\n');
  const pods = lab.endpoints();
  out(`lab up: ${pods.length} Greeter pods${lab.loopbackAliases ? '' : ' (all on 127.0.0.1: no loopback aliases here)'}`);
  for (const backend of lab.backends) out(`  pod ${backend.name}  ${backend.address}`);
  out(`  ClusterIP VIP  ${lab.vip.address} (kube-proxy ${clusterIpMode} mode)`);
  out(`  L7 proxy       ${lab.proxy.address} (round robin per RPC)`);
  out(`  DNS server     ${lab.dns.address} UDP, ${lab.serviceName} -> pod IPs, TTL 5 s`);
  const xds = lab.xds;
  if (xds !== null) {
    const bootstrap = xdsBootstrapFile === undefined ? '--xds-bootstrap-out FILE writes its bootstrap' : `bootstrap in ${xdsBootstrapFile}`;
    out(`  xDS (ADS)      ${xds.address}, target xds:///${xds.name}: the pods as EDS endpoints, pushed as they change (${bootstrap})`);
  }
  out();
  out('Probe it (npx works inside the clone; elsewhere `npm i -g .` there first, then grpclb-probe run ...):');
  const probes: [string, string][] = [
    ['clusterip', `--target ${lab.vip.address}`],
    ['headless', `--target ${lab.headlessTarget}`],
    ['headless-rr', `--target ${lab.headlessTarget} --lb-policy round_robin`],
    ['proxy', `--target ${lab.proxy.address}`],
    ['static', `--target ${lab.staticTarget} --lb-policy round_robin`],
  ];
  if (xds !== null && xdsBootstrapFile !== undefined) probes.push(['xds', `--target xds:///${xds.name} --xds-bootstrap ${shellWord(xdsBootstrapFile)}`]);
  for (const [setup, args] of probes) out(`  ${setup.padEnd(12)} npx grpclb-probe run ${args} --expect-backends ${pods.length}`);
  out(`  ${'health'.padEnd(12)} npx grpclb-probe run --target ${lab.staticTarget} --lb-policy round_robin --call grpc.health.v1.Health/Check`);
  out(`  ${'grpcurl'.padEnd(12)} grpcurl -plaintext -d '{"name":"you"}' ${lab.proxy.address} helloworld.Greeter/SayHello   # types by server reflection`);
  out();
}

/** `file` as one shell word: as is when it needs no quoting, else in single quotes. */
function shellWord(file: string): string {
  return /^[\w./@%+=:,-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
}
