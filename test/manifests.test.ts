import './resolver-env.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { buildProgram } from '../src/cli/main.js';
import { validateRunFlags, type RunFlags } from '../src/cli/run-flags.js';
import type { ServeFlags } from '../src/cli/serve.js';
import { MANIFEST_DEFAULTS, renderManifests, type ManifestOptions } from '../src/k8s/manifests.js';
import { configMapKeyProblem, dns1123LabelProblem, imageReferenceProblem } from '../src/k8s/names.js';

const OPTIONS: ManifestOptions = { ...MANIFEST_DEFAULTS, image: 'registry.example/grpclb-probe:test', probePods: 4, replicas: 5, maxConnectionAgeMs: 30000 };
const MODELS = { Namespace, Deployment, Service, Job } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function documentsOf(options: ManifestOptions): Json[] {
  return parseAllDocuments(renderManifests(options, 'test')).map((document) => document.toJS());
}

function byKind(documents: Json[], kind: string): Json[] {
  return documents.filter((document) => document.kind === kind);
}

/** Parses `args` with our commander program, capturing the action's flags instead of running it. */
async function parseWithOurCli<T>(command: string, args: readonly string[]): Promise<T> {
  const program = await buildProgram();
  let captured: T | undefined;
  program.commands.find((candidate) => candidate.name() === command)!.action((flags: T) => {
    captured = flags;
  });
  await program.parseAsync([...args], { from: 'user' });
  assert.ok(captured !== undefined, `${command} action ran`);
  return captured;
}

describe('manifests', () => {
  const documents = documentsOf(OPTIONS);

  it('is multi-document YAML of schema-valid objects', () => {
    assert.deepEqual(documents.map((document) => document.kind), ['Namespace', 'Deployment', 'Service', 'Service', 'Job']);
    for (const document of documents) {
      const Model = MODELS[document.kind as keyof typeof MODELS];
      assert.doesNotThrow(() => new Model(document).validate(), `${document.kind} ${document.metadata.name}`);
      assert.equal(document.kind === 'Namespace' ? document.metadata.name : document.metadata.namespace, 'grpclb-probe');
    }
    const broken = structuredClone(byKind(documents, 'Deployment')[0]);
    broken.spec.replicas = 'three';
    assert.throws(() => new Deployment(broken).validate(), 'the validation can fail');
  });

  it('Services select the Greeter pods on the named grpc port, one ClusterIP and one headless', () => {
    const [deployment] = byKind(documents, 'Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) assert.equal(podLabels[key], value);
    const [container] = deployment.spec.template.spec.containers;
    const services = byKind(documents, 'Service');
    assert.deepEqual(services.map((service) => service.spec.clusterIP ?? 'ClusterIP'), ['ClusterIP', 'None']);
    for (const service of services) {
      for (const [key, value] of Object.entries(service.spec.selector)) assert.equal(podLabels[key], value, `${service.metadata.name} selector ${key}`);
      const [port] = service.spec.ports;
      assert.equal(port.name, 'grpc');
      const containerPort = container.ports.find((candidate: Json) => candidate.name === port.targetPort || candidate.containerPort === port.targetPort);
      assert.ok(containerPort, `${service.metadata.name} targetPort ${port.targetPort} is a container port`);
    }
  });

  it('the Greeter runs serve with a gRPC readiness probe, and preStop plus drain fit the grace period', async () => {
    const [deployment] = byKind(documents, 'Deployment');
    const spec = deployment.spec.template.spec;
    const [container] = spec.containers;
    assert.equal(container.readinessProbe.grpc.port, container.ports[0].containerPort);
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
    const args = container.args.map((arg: string) => arg.replace('$(POD_NAME)', 'greeter-7d9f-abcde'));
    const flags = await parseWithOurCli<ServeFlags>('serve', args);
    assert.equal(flags.hostname, 'greeter-7d9f-abcde');
    assert.equal(flags.maxConnectionAgeMs, 30000);
    assert.ok(spec.terminationGracePeriodSeconds >= container.lifecycle.preStop.sleep.seconds + flags.drainMs / 1000);
  });

  it('the probe Job is Indexed with K pods whose args parse with our CLI parser as JSON runs', async () => {
    const [job] = byKind(documents, 'Job');
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, 4);
    assert.equal(job.spec.parallelism, 4);
    const pod = job.spec.template.spec;
    const containers = [...pod.initContainers, ...pod.containers];
    assert.deepEqual(containers.map((container: Json) => container.name), ['probe-clusterip', 'probe-headless']);
    const targets = [];
    for (const container of containers) {
      const flags = await parseWithOurCli<RunFlags>('run', container.args);
      assert.doesNotThrow(() => validateRunFlags(flags));
      assert.equal(flags.output, 'json');
      assert.equal(flags.expectBackends, 5);
      targets.push(flags.target);
    }
    assert.match(targets[0]!, /^greeter\.grpclb-probe\.svc\.cluster\.local\.:50051$/);
    assert.match(targets[1]!, /^dns:\/\/\/greeter-headless\.grpclb-probe\.svc\.cluster\.local\.:50051$/);
  });

  it('--mesh istio and linkerd ask for sidecar injection; none does not', () => {
    const istio = documentsOf({ ...OPTIONS, mesh: 'istio' });
    assert.equal(byKind(istio, 'Deployment')[0].spec.template.metadata.labels['sidecar.istio.io/inject'], 'true');
    assert.equal(byKind(istio, 'Namespace')[0].metadata.labels['istio-injection'], 'enabled');
    const linkerd = documentsOf({ ...OPTIONS, mesh: 'linkerd' });
    assert.equal(byKind(linkerd, 'Deployment')[0].spec.template.metadata.annotations['linkerd.io/inject'], 'enabled');
    assert.doesNotMatch(JSON.stringify(documents), /istio|linkerd/);
  });

  it('the examples in fixtures/k8s are current', () => {
    for (const [file, options] of [
      ['default.yaml', { ...MANIFEST_DEFAULTS, image: 'grpclb-probe:example' }],
      ['max-age-istio.yaml', { ...MANIFEST_DEFAULTS, image: 'grpclb-probe:example', maxConnectionAgeMs: 30000, mesh: 'istio' }],
    ] as const) {
      const checkedIn = readFileSync(new URL(`../fixtures/k8s/${file}`, import.meta.url), 'utf8');
      const body = (text: string): string => text.slice(text.indexOf('---'));
      assert.equal(body(checkedIn), body(renderManifests(options, '')), `regenerate fixtures/k8s/${file} (see its header)`);
    }
  });
});

describe('Kubernetes name rules', () => {
  it('DNS-1123 labels: lower-case letters, digits and inner dashes, at most 63', () => {
    for (const good of ['grpclb-probe', 'a', '0ns', 'a'.repeat(63)]) assert.equal(dns1123LabelProblem(good), null, good);
    for (const bad of ['', 'Bad_NS!', '-ns', 'ns-', 'my.ns', 'a'.repeat(64)]) assert.notEqual(dns1123LabelProblem(bad), null, bad);
  });

  it('image references as the distribution project parses them', () => {
    for (const good of [
      'grpclb-probe',
      'grpclb-probe:0.1.0',
      'registry.example:5000/team/grpclb-probe:v1',
      'ghcr.io/org/sub/grpclb_probe@sha256:' + 'a'.repeat(64),
      '[::1]:5000/probe:tag',
    ]) {
      assert.equal(imageReferenceProblem(good), null, good);
    }
    for (const bad of ['', 'Team/Probe', 'probe:bad tag', 'probe:', 'a//b', 'probe@sha256:abc', 'probe:' + 't'.repeat(129), 'a/'.repeat(130) + 'b']) {
      assert.notEqual(imageReferenceProblem(bad), null, bad);
    }
  });

  it('ConfigMap keys', () => {
    for (const good of ['echo.proto', 'a_b-c.proto']) assert.equal(configMapKeyProblem(good), null, good);
    for (const bad of ['', '.', '..', 'dir/echo.proto', 'a b']) assert.notEqual(configMapKeyProblem(bad), null, bad);
  });
});
