// `grpclb-probe run`: probe a target over one (or K) channels, or, with no target, the lab.
// Its help and lab flags here, its probe flags in run-options.ts; run-flags.ts checks them, run-target.ts and run-lab.ts do the work.
import { Command, Option } from 'commander';
import { DEFAULT_SETUPS, SETUPS } from '../result/lab.js';
import { addOutputFlags, commandAction, runReportedCommand } from './command.js';
import type { InputFile } from './report-files.js';
import * as parse from './parse.js';
import { validateRunFlags, type RunFlags } from './run-flags.js';
import { runLab } from './run-lab.js';
import { addTargetRunFlags } from './run-options.js';
import { runTarget } from './run-target.js';
import { xdsWeights } from './xds-flags.js';

const EXAMPLES = `
Examples:
  $ grpclb-probe run                                    # the lab: ClusterIP vs headless vs proxy
  $ grpclb-probe run -t greeter.prod.svc.cluster.local:50051
  $ grpclb-probe run -t dns:///greeter-headless:50051 --lb-policy round_robin --expect-backends 5
  $ grpclb-probe run -t 10.0.0.7:50051 --duration 30s --concurrency 16 --channels 4 --rps 500
  $ grpclb-probe run -t my-svc:443 --tls --server-name my-svc.example.com --output json > result.json
  $ grpclb-probe run -t my-svc:50051 --expect balanced --max-skew 1.3 --min-backends 3   # CI gate
  $ grpclb-probe run -t dns:///greeter-headless:50051 --lb-policy round_robin -z 60s \\
      --channel-arg grpc.dns_min_time_between_resolutions_ms=5000   # try the fix the report recommends
  $ grpclb-probe run -t dns:///echo:9000 --proto fixtures/echo.proto -i fixtures/include --call grpclbprobe.echo.Echo/Say -d '{"text":"hi"}' --lb-policy round_robin
  $ grpclb-probe run -t my-svc:50051 --call shop.Cart/Get -d '{"id":"1"}'      # types by server reflection
  $ grpclb-probe run -t my-svc:50051 --call grpc.health.v1.Health/Check --health-service shop.Cart
  $ grpclb-probe run -t my-svc:50051 --call shop.Cart/Get --backend-from header:x-pod-name
  $ grpclb-probe run -t my-svc:50051 -z 5m -o html --out probe.html   # one offline page with every chart
  $ grpclb-probe run -t dns:///greeter-headless:50051 --lb-policy round_robin \
      --call helloworld.Greeter/SayHelloStreamReply --streams 12 -z 30s   # which backend holds each stream
  $ grpclb-probe run -t my-svc:50051 --call helloworld.Greeter/SayHelloBidiStream --max-stream-age 10s -z 1m
  $ grpclb-probe run -t dns:///my-svc:50051 --lb-policy round_robin --forever --report-interval 30s --metrics-port 9464

Who answered (--backend-from auto): the "hostname" response header or trailer, else a reply
field named hostname, pod, server_id, host or backend, else "hostname:X" in a string field,
else the peer address. Replies that name no server through one address give the verdict UNKNOWN.

Streams (a streaming --call: server, client or bidi): --streams S are held open at once, each
on the backend it was opened on (named by its headers, else its first message, else its peer);
-z bounds the run, -n counts messages, --max-stream-age re-opens each stream after that age.

Output: the table fits the terminal (else COLUMNS, else 80 columns); the live view needs a
terminal other than TERM=dumb; colors follow --no-color, FORCE_COLOR, NO_COLOR, and none
for TERM=dumb.

Exit codes:
  0 ok, 1 gate failed, 2 usage error, 3 target unavailable (no RPC succeeded),
  4 lab failed to start, 74 --out/GITHUB_STEP_SUMMARY not written (the report went to stdout),
  130 interrupted by SIGINT/SIGTERM/SIGHUP (the partial report is still printed and saved);
  exit 3 says whether the target was unavailable or answered and rejected every call
`;


/** Registers `run` on `program`. */
export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description(
      'Fire repeated unary RPCs (SayHello, or --call) over one channel (or --channels K) and tabulate which backend answered (the name it reports, else its peer address), ' +
        'with skew statistics, latency and a diagnosis. Without --target, build a local lab and compare ' +
        'ClusterIP, headless DNS, headless with round_robin, an L7 proxy and a static list side by side.',
    )
    .option('-t, --target <target>', 'gRPC target: host:port, dns:///host:port, dns://DNS_IP:PORT/host:port, ipv4:a:p,b:p, ipv6:, unix:');
  addTargetRunFlags(command);
  addOutputFlags(command)
    .option('--replicas <n>', `lab only: Greeter pods (default 3, at most ${parse.MAX_LAB_REPLICAS})`, parse.integerBetween(1, parse.MAX_LAB_REPLICAS, ': lab pods take 127.0.10.2 upwards'))
    .option('--setups <list>', `lab only: setups to compare (default ${DEFAULT_SETUPS.join(',')}): ${SETUPS.join(',')}`, parse.listOf(SETUPS))
    .addOption(new Option('--clusterip-mode <mode>', 'lab only: how the VIP picks a pod per connection (default iptables)').choices(['iptables', 'ipvs-rr']))
    .option('--xds-weights <list>', 'lab only: the xds-weighted setup\u2019s locality weights, one positive integer per pod (default 3,1,1: the first pod 3, the others 1)', xdsWeights)
    .addHelpText('after', EXAMPLES)
    .action(commandAction((flags: RunFlags, self: Command) => runCommand({ ...flags, intervalGiven: self.getOptionValueSource('interval') !== 'default' })));
}

/** The files `run` reads: --proto, --protoset, -D (not stdin), the TLS files. */
function runInputs(flags: RunFlags): InputFile[] {
  const named: [string, string | undefined][] = [
    ...(flags.proto ?? []).map((path): [string, string] => ['--proto', path]),
    ['--protoset', flags.protoset],
    ['-D/--data-file', flags.dataFile === '-' ? undefined : flags.dataFile],
    ['--ca-cert', flags.caCert],
    ['--cert', flags.cert],
    ['--key', flags.key],
  ];
  return named.flatMap(([flag, path]) => (path === undefined ? [] : [{ flag, path }]));
}

/** Runs `run` and returns the exit code. @throws CliError subclasses for usage, target and lab errors. */
export async function runCommand(flags: RunFlags): Promise<number> {
  validateRunFlags(flags);
  const target = flags.target;
  if (flags.forever === true && target !== undefined) {
    // Each window is printed as it ends: no progress beside the lines.
    const { runForever } = await import('./run-forever.js');
    return runReportedCommand({ ...flags, quiet: true }, (context) => runForever(target, flags, context), { inputs: runInputs(flags) });
  }
  return runReportedCommand(flags, (context) => (target === undefined ? runLab(flags, context) : runTarget(target, flags, context)), { inputs: runInputs(flags) });
}
