// `manifests probe`: schema-valid objects (kubernetes-models' checks), RBAC that lets the pods
// read the Service's EndpointSlices, pods spread over nodes whose args parse and validate as
// `run` flags, and the files the run names reproduced in the pods' mount.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';
import { checkCallOffline } from '../src/cli/call-flags.js';
import { CommanderError, type Command } from 'commander';
import { CliError } from '../src/cli/errors.js';
import { buildProgram } from '../src/cli/main.js';
import { validateRunFlags, type RunFlags } from '../src/cli/run-flags.js';
import { cronScheduleProblem } from '../src/k8s/names.js';
import { PROBE_FILES_DIR } from '../src/k8s/probe-manifests.js';
import { serviceOfHost } from '../src/k8s/service-name.js';
import { runCli } from './helpers.js';

const MODELS = { ConfigMap, ServiceAccount, Role, RoleBinding, Job, CronJob, Deployment } as const;
const ECHO = path.resolve('fixtures/echo.proto');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function probeYaml(args: readonly string[]): Promise<Json[]> {
  const outcome = await runCli(['manifests', 'probe', ...args]);
  assert.equal(outcome.code, 0, outcome.stderr);
  const documents = parseAllDocuments(outcome.stdout).map((document) => document.toJS());
  for (const document of documents) {
    const Model = MODELS[document.kind as keyof typeof MODELS];
    assert.ok(Model, `a known kind: ${document.kind}`);
    assert.doesNotThrow(() => new Model(document).validate(), `${document.kind} ${document.metadata.name}`);
  }
  return documents;
}

const one = (documents: Json[], kind: string): Json => {
  const found = documents.filter((document) => document.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0];
};

/** Parses `args` with our commander program, capturing the action's flags instead of running it. */
async function parseRunArgs(args: readonly string[]): Promise<RunFlags> {
  const program = await buildProgram();
  let captured: RunFlags | undefined;
  program.commands.find((candidate) => candidate.name() === 'run')!.action((flags: RunFlags) => {
    captured = flags;
  });
  await program.parseAsync([...args], { from: 'user' });
  assert.ok(captured !== undefined, 'run action ran');
  return captured;
}

describe('manifests probe', () => {
  it('an Indexed Job of N pods spread over nodes, with read access to the Service and its EndpointSlices', async () => {
    const documents = await probeYaml(['-t', 'greeter.shop.svc.cluster.local:50051', '--probe-pods', '4', '-n', '500', '--lb-policy', 'round_robin', '--namespace', 'probes']);
    assert.deepEqual(documents.map((document) => document.kind), ['ServiceAccount', 'Role', 'RoleBinding', 'Job']);
    const job = one(documents, 'Job');
    assert.equal(job.metadata.namespace, 'probes');
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, 4);
    assert.equal(job.spec.parallelism, 4);
    const pod = job.spec.template;
    const [spread] = pod.spec.topologySpreadConstraints;
    assert.equal(spread.topologyKey, 'kubernetes.io/hostname');
    for (const [key, value] of Object.entries(spread.labelSelector.matchLabels)) assert.equal(pod.metadata.labels[key], value, `spread selects the pods: ${key}`);

    const account = one(documents, 'ServiceAccount');
    assert.equal(pod.spec.serviceAccountName, account.metadata.name);
    const role = one(documents, 'Role');
    const binding = one(documents, 'RoleBinding');
    assert.equal(role.metadata.namespace, 'shop', "the Role is in the Service's namespace");
    assert.equal(binding.metadata.namespace, 'shop');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: account.metadata.name, namespace: 'probes' }]);
    assert.equal(binding.roleRef.name, role.metadata.name);
    const allows = (group: string, resource: string): boolean =>
      role.rules.some((rule: Json) => rule.apiGroups.includes(group) && rule.resources.includes(resource) && ['get', 'list', 'watch'].every((verb) => rule.verbs.includes(verb)));
    assert.ok(allows('discovery.k8s.io', 'endpointslices'));
    assert.ok(allows('', 'services'));
    assert.ok(!allows('', 'secrets'));

    const [container] = pod.spec.containers;
    const flags = await parseRunArgs(container.args);
    assert.doesNotThrow(() => validateRunFlags(flags));
    assert.equal(flags.target, 'greeter.shop.svc.cluster.local:50051');
    assert.equal(flags.total, 500);
    assert.equal(flags.lbPolicy, 'round_robin');
    assert.equal(flags.output, 'json');
    assert.equal(flags.quiet, true);
  });

  it('ships --proto, its imports and -D in a ConfigMap mounted where the pod args point, and the run finds the method there', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'grpclb-probe-manifests-'));
    const request = path.join(work, 'request.json');
    writeFileSync(request, '{"text":"hi"}');
    const documents = await probeYaml(['-t', 'echo.shop:9000', '--proto', ECHO, '-i', 'fixtures/include', '--call', 'grpclbprobe.echo.Echo/Say', '-D', request]);
    const files = one(documents, 'ConfigMap');
    const pod = one(documents, 'Job').spec.template.spec;
    const [mount] = pod.containers[0].volumeMounts;
    assert.equal(mount.mountPath, PROBE_FILES_DIR);
    assert.equal(mount.readOnly, true);
    const [volume] = pod.volumes;
    assert.equal(volume.name, mount.name);
    assert.equal(volume.configMap.name, files.metadata.name);
    // Lay the ConfigMap out as the kubelet would, then read the pod's args against it.
    const mounted = path.join(work, 'mount');
    for (const item of volume.configMap.items) {
      mkdirSync(path.dirname(path.join(mounted, item.path)), { recursive: true });
      writeFileSync(path.join(mounted, item.path), files.data[item.key]);
    }
    assert.deepEqual(volume.configMap.items.map((item: Json) => item.path).sort(), ['echo.proto', 'meta/meta.proto', 'request.json']);
    const args = pod.containers[0].args.map((arg: string) => arg.replaceAll(PROBE_FILES_DIR, mounted));
    const flags = await parseRunArgs(args);
    assert.deepEqual(flags.proto, [path.join(mounted, 'echo.proto')]);
    await assert.doesNotReject(checkCallOffline(flags), 'the pod finds the method and the request in the mount');
    writeFileSync(path.join(mounted, 'request.json'), '{"nope":1}');
    await assert.rejects(checkCallOffline(flags), /nope/, 'the check can fail');
  });

  it('--schedule gives a CronJob of the same pods; --forever a Deployment with scrape annotations on its metrics port', async () => {
    const cron = await probeYaml(['-t', 'greeter.shop:50051', '--schedule', '*/30 * * * *', '--probe-pods', '2']);
    const cronJob = one(cron, 'CronJob');
    assert.equal(cronJob.spec.schedule, '*/30 * * * *');
    assert.equal(cronJob.spec.jobTemplate.spec.completionMode, 'Indexed');
    assert.equal(cronJob.spec.jobTemplate.spec.completions, 2);
    assert.equal(cronJob.metadata.namespace, 'shop', "the namespace defaults to the Service's");

    const forever = await probeYaml(['-t', 'greeter.shop:50051', '--forever', '--probe-pods', '3']);
    const deployment = one(forever, 'Deployment');
    assert.equal(deployment.spec.replicas, 3);
    const template = deployment.spec.template;
    const [container] = template.spec.containers;
    const port = Number(template.metadata.annotations['prometheus.io/port']);
    assert.equal(template.metadata.annotations['prometheus.io/scrape'], 'true');
    assert.equal(container.ports[0].containerPort, port);
    const argAfter = (name: string): string | undefined => container.args[container.args.indexOf(name) + 1];
    assert.ok(container.args.includes('--forever'));
    assert.equal(Number(argAfter('--metrics-port')), port);
    assert.equal(argAfter('--metrics-host'), '0.0.0.0');
  });

  it('help shows the lines that apply, wait for and merge the probe', async () => {
    const outcome = await runCli(['manifests', 'probe', '--help']);
    assert.equal(outcome.code, 0);
    assert.match(outcome.stdout, /kubectl apply -f probe\.yaml/);
    assert.match(outcome.stdout, /kubectl -n shop wait --for=condition=complete job\/grpclb-probe/);
    assert.match(outcome.stdout, /kubectl -n shop logs -l job-name=grpclb-probe --tail=-1 \| grpclb-probe merge/);
  });
});

/** Runs `args` in this process; returns the usage error's line, or null when the command succeeded. */
async function usageErrorOf(args: readonly string[]): Promise<string | null> {
  const program = await buildProgram();
  let line = '';
  const quiet = (command: Command): void => {
    command.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: (text) => (line = text.trim()) });
    command.commands.forEach(quiet);
  };
  quiet(program);
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await program.parseAsync([...args], { from: 'user' });
    return null;
  } catch (error) {
    if (error instanceof CommanderError) return line;
    if (error instanceof CliError && error.exitCode === 2) return error.message;
    throw error;
  } finally {
    process.stdout.write = write;
  }
}

describe('manifests and manifests probe refuse bad values (in-process)', () => {
  const probe = (...args: string[]): string[] => ['manifests', 'probe', '-t', 'greeter.shop:50051', ...args];
  const include = ['--proto', 'fixtures/echo.proto', '-i', 'fixtures/include', '--call', 'grpclbprobe.echo.Echo/Say'];
  const cases: [readonly string[], RegExp][] = [
    [['manifests', '--replicas', '0'], /--replicas/],
    [['manifests', '--max-connection-age-ms', '0'], /--max-connection-age-ms/],
    [['manifests', '--namespace', 'a'.repeat(64)], /--namespace.*63/],
    [['manifests', '--image', 'grpclb-probe:bad tag'], /--image/],
    [['manifests', '-n', '0'], /--total/],
    [['manifests', 'probe', '-t', 'http://greeter.shop'], /--target.*URL/],
    [probe('--total', '5', '--duration', '1s'), /--total and --duration/],
    [probe('--rps', '1e-9'), /--rps/],
    [probe('--expect-backends', '20000'), /--expect-backends/],
    [probe('--probe-pods', '0'), /--probe-pods/],
    [probe('--namespace', 'Bad_NS!'), /--namespace.*DNS-1123/],
    [probe('--image', 'Not An Image'), /--image/],
    [probe('--schedule', '@often'), /--schedule/],
    [probe('--proto', 'fixtures/echo.proto'), /--proto.*meta\/meta\.proto.*-i/],
    [probe(...include.slice(0, 4), '--call', 'grpclbprobe.echo.Echo/Nope'), /--call/],
    [probe(...include, '-d', '{"nope":1}'), /--data.*nope/],
    [probe('--tls', '--ca-cert', 'fixtures/none.pem'), /--ca-cert.*none\.pem/],
  ];
  for (const [args, names] of cases) {
    it(args.join(' '), async () => {
      const line = await usageErrorOf(args);
      assert.notEqual(line, null, 'refused');
      assert.match(line!, names);
    });
  }
  it('and accepts good values (the check can pass)', async () => {
    assert.equal(await usageErrorOf(probe(...include, '-d', '{"text":"hi"}', '--schedule', '@hourly')), null);
  });
});

describe('service names and schedules', () => {
  it('reads the Service from cluster DNS names', () => {
    assert.deepEqual(serviceOfHost('greeter.shop.svc.cluster.local.', null), { namespace: 'shop', name: 'greeter' });
    assert.deepEqual(serviceOfHost('greeter.shop.svc.corp.internal', null), { namespace: 'shop', name: 'greeter' });
    assert.deepEqual(serviceOfHost('greeter.shop', null), { namespace: 'shop', name: 'greeter' });
    assert.deepEqual(serviceOfHost('greeter', 'team'), { namespace: 'team', name: 'greeter' });
    for (const host of ['greeter', '10.0.0.7', 'api.example.com', 'Greeter.shop']) assert.equal(serviceOfHost(host, null), null, host);
  });

  it('cron schedules as Kubernetes parses them', () => {
    for (const good of ['*/30 * * * *', '0 9-17 * * MON-FRI', '5,35 */2 1 jan,jul ?', '@hourly']) assert.equal(cronScheduleProblem(good), null, good);
    for (const bad of ['61 * * * *', '* * * *', '*/0 * * * *', '0 0 32 * *', '@often', 'TZ=UTC 0 * * * *', '5-1 * * * *']) {
      assert.notEqual(cronScheduleProblem(bad), null, bad);
    }
  });
});
