// The objects the Kubernetes API stand-in serves, built from objects recorded from real clusters
// (fixtures/k8s/recorded/, sources and every change in its README.md). The files stay as recorded;
// each change a test needs is made here, by one named function, so it can be read and counted.
import { readFileSync } from 'node:fs';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { parse } from 'yaml';

/** A recorded object, parsed (YAML as pasted; its keys are the API's JSON field names). */
function recorded<T>(file: string): T {
  return parse(readFileSync(new URL(`../fixtures/k8s/recorded/${file}`, import.meta.url), 'utf8')) as T;
}

/** `kubectl get svc api-service -o yaml`, kubernetes/kubernetes#132481: served as recorded. */
export const RECORDED_SERVICE = recorded<V1Service>('service-api-service.yaml');
/** Its namespace and name, as the tests name it with `--k8s-service`. */
export const SERVICE_REF = `${RECORDED_SERVICE.metadata!.namespace!}/${RECORDED_SERVICE.metadata!.name!}`;

/** An EndpointSlice of mimir-nginx pods, kubernetes/kubernetes#114215 (its first three endpoints). */
const RECORDED_SLICE = recorded<V1EndpointSlice>('endpointslice-mimir-nginx.yaml');

/**
 * Each recorded pod address and the loopback address it becomes, so the probe reaches a test server
 * there: the first two get Greeter servers, the third is the one made terminating.
 */
export const LOOPBACK: Readonly<Record<string, string>> = { '10.13.169.155': '127.0.0.2', '10.11.120.130': '127.0.0.3', '10.12.208.162': '127.0.0.4' };

/** One endpoint of the recorded slice, as recorded (IP address as recorded). */
export interface RecordedEndpoint {
  readonly address: string;
  readonly pod: string;
  readonly node: string;
  readonly zone: string;
}

/** The recorded endpoints, in the slice's order: pod, node and zone as the cluster wrote them. */
export const RECORDED_ENDPOINTS: readonly RecordedEndpoint[] = RECORDED_SLICE.endpoints.map((endpoint) => ({
  address: endpoint.addresses[0]!,
  pod: endpoint.targetRef!.name!,
  node: endpoint.nodeName!,
  zone: endpoint.zone!,
}));

/** The endpoint the tests make terminating (the third recorded one) and expect to see removed. */
export const TERMINATING = RECORDED_ENDPOINTS[2]!;

/**
 * The slice the stand-in lists: the recorded one with (1) `kind` and `metadata.name` added (the
 * paste has neither: it stops after the third endpoint), (2) every address rewritten to its
 * {@link LOOPBACK} address, and (3), unless `withTerminating` is false, the third endpoint as the
 * EndpointSlice controller writes a pod being deleted (ready false, serving true, terminating true);
 * `withTerminating: false` drops that endpoint instead, as the controller does once the pod is gone.
 */
export function servedSlice(options: { withTerminating: boolean } = { withTerminating: true }): V1EndpointSlice {
  const slice = structuredClone(RECORDED_SLICE);
  slice.kind = 'EndpointSlice';
  slice.metadata = { name: 'mimir-nginx-recorded' };
  for (const endpoint of slice.endpoints) endpoint.addresses = endpoint.addresses.map((address) => LOOPBACK[address] ?? address);
  const terminating = LOOPBACK[TERMINATING.address];
  if (!options.withTerminating) {
    slice.endpoints = slice.endpoints.filter((endpoint) => endpoint.addresses[0] !== terminating);
  } else {
    const endpoint = slice.endpoints.find((found) => found.addresses[0] === terminating)!;
    endpoint.conditions = { ready: false, serving: true, terminating: true };
  }
  return slice;
}

/** A list response (the API's `EndpointSliceList` wrapper) around `items`. */
export function sliceList(items: readonly unknown[]): Record<string, unknown> {
  return { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: '1' }, items };
}

/** One line of a watch response, in the API's shape: `{"type":"MODIFIED","object":{...}}`. */
export function watchEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}
