// The flags of `run` that shape a probe of a target (the call, the load, the channel, the gates),
// declared once: `run` takes them, and `manifests probe` takes the same ones for its pods.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../engine/connect.js';
import { DEFAULT_DISCOVERY_CONNECTIONS } from '../engine/discovery.js';
import { MAX_TIMELINE_INTERVALS } from '../engine/recorder.js';
import { dns1123LabelProblem } from '../k8s/names.js';
import type { ServiceRef } from '../k8s/service-name.js';
import { LB_POLICIES } from '../result/run-result.js';
import { addCallFlags } from './call-flags.js';
import { addGateFlags } from './gate-flags.js';
import * as parse from './parse.js';
import { addStreamFlags } from './stream-flags.js';
import { DEFAULT_CALLS, DEFAULT_METRICS_HOST, K8S_MODES } from './run-flags.js';
import { addScheduleFlags } from './schedule-flags.js';

/**
 * Adds the call flags, the stream flags, the load flags (-n, -z, -c, --channels, --rps, the schedules, ...), the channel flags
 * (--lb-policy, --channel-arg, TLS, ...), --expect-backends, --discover and the gate flags to
 * `command`; parsed into {@link RunFlags} fields.
 */
export function addTargetRunFlags(command: Command): Command {
  addStreamFlags(addCallFlags(command))
    .option('-n, --total <n>', `measured RPCs, or messages on a stream (default ${DEFAULT_CALLS} unless --duration)`, parse.integerAtLeast(1))
    .option('-z, --duration <duration>', 'run for this long instead of a count: 30s, 2m', parse.duration)
    .option('-c, --concurrency <n>', 'RPCs in flight at once, at most 50000 (default 1; with --rps, sized to the rate and grown up to rate x deadline, at most 10000)', parse.integerAtLeast(1))
    .option('--channels <k>', 'channels, each with its own connections (models K client pods)', parse.integerAtLeast(1), 1)
    .option('--rps <rate>', 'fixed rate in RPC/s over all channels (open loop: latency from each RPC\u2019s intended send time; slots that find the in-flight cap full are dropped and counted)', parse.rate)
    .option('--warmup <n|duration>', 'RPCs (50) or time (2s) first, left out of the statistics', parse.warmup)
    .addOption(new Option('--interval <duration>', `timeline interval, >= 1ms (coarsened to keep <= ${MAX_TIMELINE_INTERVALS} intervals)`).argParser(parse.interval).default(1000, '1s'))
    .option('--re-resolve-interval <duration>', 'the channel re-resolves its DNS name this often, as a thick client that polls DNS (default: grpc-js, only when a connection drops; lab: the headless-rr-poll setup, 2s)', parse.reResolveInterval)
    .option('--xds-bootstrap <file>', 'an xds: target\u2019s bootstrap (gRFC A27 JSON), for its channels alone (default: GRPC_XDS_BOOTSTRAP, else GRPC_XDS_BOOTSTRAP_CONFIG, as @grpc/grpc-js-xds reads them)')
    .option('--watch-interval <duration>', 'resolve a DNS target during the run to see addresses come and go (default: the record TTL, 1..30 s; 0: off)', parse.watchInterval)
    .option('--deadline-ms <ms>', 'per-RPC deadline in ms', parse.milliseconds(1), 1000)
    .addOption(
      new Option('--connect-timeout <duration>', 'wait this long for the channel to be ready before the run; exit 3 with the last connection error if it is not, or when every RPC for this long was refused before reaching a server')
        .argParser(parse.duration)
        .default(DEFAULT_CONNECT_TIMEOUT_MS, '10s'),
    )
    .addOption(new Option('--lb-policy <policy>', 'LB policy sent in the service config (default: the channel default)').choices(LB_POLICIES))
    .option('--channel-arg <key=value>', 'grpc-js channel argument, repeatable: grpc.dns_min_time_between_resolutions_ms=1000', parse.channelArg)
    .option('--service-config <json|@file>', 'full service config (loadBalancingConfig, methodConfig, healthCheckConfig)', parse.serviceConfig)
    .option('-H, --metadata <key:value>', 'request metadata, repeatable; keys ending in -bin take base64', parse.metadataEntry)
    .option('--authority <authority>', 'the :authority header')
    .option('--tls', 'use TLS (default plaintext)')
    .option('--ca-cert <file>', 'PEM root certificates (with --tls)')
    .option('--cert <file>', 'PEM client certificate chain (with --tls and --key)')
    .option('--key <file>', 'PEM client private key (with --tls and --cert)')
    .option('--server-name <name>', 'name checked against the server certificate (with --tls)')
    .option('--expect-backends <n>', `backends that should answer: the fair share is over these (<= ${parse.MAX_EXPECTED_BACKENDS})`, parse.integerBetween(1, parse.MAX_EXPECTED_BACKENDS))
    .option(
      '--discover <n>',
      'when the run saw one peer: open n fresh connections, one RPC each, to learn how many backends answer behind it (0: off)',
      parse.integerAtLeast(0),
      DEFAULT_DISCOVERY_CONNECTIONS,
    )
    .option('--forever', 'probe until SIGINT/SIGTERM, judging each --report-interval window like a run: one line per window (-o json: one JSON document per line)')
    .addOption(new Option('--report-interval <duration>', 'with --forever: the window, >= 1s').argParser(parse.reportInterval).default(undefined, '60s'))
    .option('--metrics-port <port>', 'with --forever: serve Prometheus metrics at http://HOST:PORT/metrics (0: a free port, said on stderr)', parse.port)
    .option('--metrics-host <address>', `with --metrics-port: the address to listen on (default ${DEFAULT_METRICS_HOST}; a pod sets 0.0.0.0)`);
  addKubernetesFlags(command);
  return addGateFlags(addScheduleFlags(command));
}

/** `--k8s-service NS/NAME`: two DNS-1123 labels. */
function serviceRef(value: string): ServiceRef {
  const [namespace, name, extra] = value.split('/');
  const problem = extra !== undefined || name === undefined ? 'expected NAMESPACE/NAME' : (dns1123LabelProblem(namespace as string) ?? dns1123LabelProblem(name));
  if (problem !== null) throw new InvalidArgumentError(problem);
  return { namespace: namespace as string, name: name as string };
}

/** Adds --k8s, --kubeconfig and --k8s-service: pod, node and zone of each backend from the Service's EndpointSlices. */
function addKubernetesFlags(command: Command): Command {
  return command
    .addOption(
      new Option('--k8s <mode>', 'read the Service and its EndpointSlices from the Kubernetes API: auto (when in a pod or with a kubeconfig), on (fail without), off')
        .choices(K8S_MODES)
        .default('auto'),
    )
    .option('--kubeconfig <file>', 'kubeconfig for --k8s (default: KUBECONFIG, else the pod\u2019s service account)')
    .option('--k8s-service <ns/name>', 'the Service to read (default: from the target, svc.ns.svc.cluster.local, svc.ns, or svc in the pod\u2019s namespace)', serviceRef);
}
