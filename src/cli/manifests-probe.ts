// `grpclb-probe manifests probe`: Kubernetes YAML that probes the user's own Service from N pods
// spread over nodes, each running `run -o json` with the run flags given here, checked as run checks them.
import type { Command, Option } from 'commander';
import { parseTarget, TargetError } from '../grpc/target.js';
import { cronScheduleProblem, dns1123LabelProblem, imageReferenceProblem } from '../k8s/names.js';
import { PROBE_NAMES } from '../k8s/probe-manifests.js';
import { serviceOfHost } from '../k8s/service-name.js';
import { checkCallOffline } from './call-flags.js';
import { commandAction } from './command.js';
import { EXIT, UsageError } from './errors.js';
import * as parse from './parse.js';
import { ProbeFiles } from './probe-files.js';
import { validateRunFlags, type RunFlags } from './run-flags.js';
import { addTargetRunFlags } from './run-options.js';

/** Probe pods at most this: a probe needs a few; Kubernetes allows 100,000 per Indexed Job. */
export const MAX_PROBE_PODS = 1000;
/** The metrics port of `--forever` probe pods when `--metrics-port` is not given. */
export const DEFAULT_PROBE_METRICS_PORT = 9464;

/** The flags of `manifests probe`: run's target flags, and where and how often the pods run. */
export interface ProbeManifestFlags extends RunFlags {
  target: string;
  namespace?: string;
  probePods: number;
  image?: string;
  schedule?: string;
  forever?: boolean;
  metricsPort?: number;
  metricsHost?: string;
}

/** Options of this command that shape the objects, not the pods' `run`. */
const OWN_OPTIONS = new Set(['--target', '--namespace', '--probe-pods', '--image', '--schedule']);

const EXAMPLES = `
Examples:
  $ grpclb-probe manifests probe -t greeter.shop.svc.cluster.local:50051 --probe-pods 4 -n 500 > probe.yaml
  $ grpclb-probe manifests probe -t cart.shop:9000 --proto cart.proto --call shop.Cart/Get -d '{"id":"1"}' --lb-policy round_robin
  $ grpclb-probe manifests probe -t greeter.shop:50051 --schedule '*/30 * * * *' --max-skew 1.5

Then (apply, wait for the pods, merge their results):
  $ kubectl apply -f probe.yaml
  $ kubectl -n shop wait --for=condition=complete job/${PROBE_NAMES.workload} --timeout=10m
  $ kubectl -n shop logs -l job-name=${PROBE_NAMES.workload} --tail=-1 | grpclb-probe merge

Objects: a ConfigMap with the files the run names (--proto and its imports, --protoset, -D, --ca-cert;
mounted read-only), a ServiceAccount, a Role and RoleBinding in the Service's namespace to get, list
and watch its Service and EndpointSlices, and an Indexed Job of --probe-pods pods spread over nodes
(topologySpreadConstraints on kubernetes.io/hostname), each running \`run -o json --quiet\` with the
run flags given here. --schedule gives a CronJob; --forever a Deployment with Prometheus scrape
annotations. The namespace defaults to the Service's; it must exist. A Job's spec cannot change:
kubectl delete job ${PROBE_NAMES.workload} before applying a new one.
`;

/** One option as it was given on the command line, before its parser ran. */
interface GivenOption {
  readonly option: Option;
  readonly value: string | undefined;
}

/** Records each option as given (commander emits `option:NAME` with the raw value), to hand them on to the pods. */
function recordGivenOptions(command: Command): GivenOption[] {
  const given: GivenOption[] = [];
  for (const option of command.options) {
    command.on(`option:${option.name()}`, (value: string | undefined) => given.push({ option, value }));
  }
  return given;
}

/** Registers `manifests probe` under `manifests`. */
export function registerManifestsProbe(manifests: Command): void {
  const command = manifests
    .command('probe')
    .description(
      'Print YAML that probes your Service from --probe-pods pods spread over nodes (an Indexed Job; a CronJob with --schedule, ' +
        'a Deployment with --forever), each running `run -o json` with the run flags given here; `grpclb-probe merge` reads their logs.',
    )
    .requiredOption('-t, --target <target>', 'the Service as the pods reach it: svc.ns.svc.cluster.local:PORT, svc.ns:PORT, dns:///svc-headless.ns:PORT');
  addTargetRunFlags(command)
    .option('--namespace <ns>', 'namespace of the probe objects (default: the Service\u2019s, else "default"); a DNS-1123 label', parse.accepted(dns1123LabelProblem))
    .option('--probe-pods <n>', `probe pods (at most ${MAX_PROBE_PODS})`, parse.integerBetween(1, MAX_PROBE_PODS), 3)
    .option('--image <image>', 'image with grpclb-probe as entrypoint (default grpclb-probe:<version>)', parse.accepted(imageReferenceProblem))
    .option('--schedule <cron>', 'a CronJob on this standard cron schedule instead of a Job: "*/30 * * * *", @hourly', parse.accepted(cronScheduleProblem));
  // `run --forever` may carry its own option; the pods get it either way.
  if (!command.options.some((option) => option.long === '--forever')) command.option('--forever', 'a Deployment whose pods probe until stopped (run --forever), scraped by Prometheus');
  command.addHelpText('after', EXAMPLES);
  const given = recordGivenOptions(command);
  command.action(
    commandAction(async (flags: ProbeManifestFlags) => {
      process.stdout.write(await probeManifests(flags, given));
      return EXIT.ok;
    }),
  );
}

/**
 * The `run` arguments of the pods: the given run flags as given, files pointing into the
 * ConfigMap, the service config inline, then `-o json --quiet`.
 * @throws UsageError for files the pods cannot have (a client key, stdin)
 */
function podRunArgs(flags: ProbeManifestFlags, given: readonly GivenOption[], files: ProbeFiles): string[] {
  const args = ['run', '--target', flags.target];
  for (const { option, value } of given) {
    const long = option.long as string;
    if (OWN_OPTIONS.has(long) || long === '--proto' || long === '--import-path') continue;
    if (long === '--cert' || long === '--key') {
      throw new UsageError(`${long}: a client key belongs in a Secret, which manifests probe does not write; mount one and add --cert/--key to the Job yourself`);
    }
    if (long === '--kubeconfig') throw new UsageError('--kubeconfig: the probe pods read the API with their service account');
    if (long === '--data-file' && value === '-') throw new UsageError('-D/--data-file -: the pods have no stdin; give the file, or -d');
    if (long === '--data-file' || long === '--ca-cert' || long === '--protoset') {
      args.push(long, files.add(long, value as string, long === '--protoset'));
    } else if (long === '--service-config') {
      args.push(long, JSON.stringify(flags.serviceConfig));
    } else {
      args.push(...(value === undefined ? [long] : [long, value]));
    }
  }
  if (flags.proto !== undefined) args.push(...files.addProtos(flags.proto, flags.importPath ?? []));
  if (flags.forever === true && flags.metricsPort === undefined) args.push('--metrics-port', String(DEFAULT_PROBE_METRICS_PORT), '--metrics-host', '0.0.0.0');
  return [...args, '--output', 'json', '--quiet'];
}

/** The YAML for `flags`. @throws UsageError naming the flag at fault */
export async function probeManifests(flags: ProbeManifestFlags, given: readonly GivenOption[]): Promise<string> {
  validateRunFlags(flags);
  if (flags.forever === true && flags.schedule !== undefined) throw new UsageError('--forever and --schedule exclude each other: a Deployment runs all the time');
  let host: string | null;
  try {
    host = parseTarget(flags.target).host;
  } catch (error) {
    if (error instanceof TargetError) throw new UsageError(`--target: ${error.message}`);
    throw error;
  }
  const namespace = flags.namespace ?? (host === null ? null : serviceOfHost(host, null)?.namespace) ?? 'default';
  const files = new ProbeFiles();
  const runArgs = podRunArgs(flags, given, files);
  await checkCallOffline(flags);
  const { renderProbeManifests } = await import('../k8s/probe-manifests.js');
  const { toolInfo } = await import('../tool.js');
  const { version } = toolInfo();
  const options = {
    namespace,
    image: flags.image ?? `grpclb-probe:${version}`,
    probePods: flags.probePods,
    runArgs,
    service: host === null ? null : serviceOfHost(host, namespace),
    files: files.files,
    schedule: flags.schedule ?? null,
    metricsPort: flags.forever === true ? (flags.metricsPort ?? DEFAULT_PROBE_METRICS_PORT) : null,
  };
  const kind = options.metricsPort !== null ? 'deployment' : options.schedule !== null ? 'cronjob' : 'job';
  const header = [
    `Generated by grpclb-probe ${version}: grpclb-probe manifests probe --target ${flags.target}. Then:`,
    '  kubectl apply -f FILE',
    ...(kind === 'job'
      ? [
          `  kubectl -n ${namespace} wait --for=condition=complete job/${PROBE_NAMES.workload} --timeout=10m`,
          `  kubectl -n ${namespace} logs -l job-name=${PROBE_NAMES.workload} --tail=-1 | grpclb-probe merge`,
        ]
      : [`  kubectl -n ${namespace} logs -l app.kubernetes.io/name=${PROBE_NAMES.workload} --tail=-1 --prefix | grpclb-probe merge`]),
  ].join('\n');
  return renderProbeManifests(options, header);
}
