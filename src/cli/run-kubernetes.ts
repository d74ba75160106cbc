// `run --k8s`: which Service to read, reading it before the run and watching it during, and what
// a failure means per mode: auto notes it once and goes on, on ends the run (exit 2, or 3 when
// the API does not answer). The facts go into the result as plain data.
import { existsSync, readFileSync } from 'node:fs';
import { placeBackends } from '../analysis/kubernetes.js';
import type { TargetInfo } from '../grpc/target.js';
import type { EndpointWatch } from '../k8s/endpoints.js';
import { serviceOfHost, type ServiceRef } from '../k8s/service-name.js';
import type { KubernetesFacts } from '../result/kubernetes.js';
import type { RunResult } from '../result/run-result.js';
import { TargetUnavailableError, UsageError } from './errors.js';
import type { RunFlags } from './run-flags.js';

/** The pod's namespace, from its service account, or null outside a pod. */
function podNamespace(file: string): string | null {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
  } catch {
    return null;
  }
}

/**
 * Starts reading the target's Service as `--k8s` says, bounded by `--connect-timeout`.
 * @param clock ms on the run's clock, for the changes' `atMs`
 * @returns the watch, or null (off, or auto and the API cannot be read: one line on stderr then,
 *   unless simply not in a cluster)
 * @throws UsageError (`--k8s on`: no Service, no cluster, bad kubeconfig, 401/403/404),
 *   TargetUnavailableError (`--k8s on`: the API did not answer)
 */
export async function startKubernetes(flags: RunFlags, info: TargetInfo, timeoutMs: number, clock: () => number, env: NodeJS.ProcessEnv = process.env): Promise<EndpointWatch | null> {
  const mode = flags.k8s ?? 'auto';
  if (mode === 'off') return null;
  const { KubernetesApiError, loadKubeConfig, SERVICE_ACCOUNT_NAMESPACE, watchEndpoints } = await import('../k8s/endpoints.js');
  const ref: ServiceRef | null = flags.k8sService ?? (info.host === null ? null : serviceOfHost(info.host, podNamespace(SERVICE_ACCOUNT_NAMESPACE)));
  try {
    if (ref === null) {
      throw new KubernetesApiError('config', `the target ${info.target} names no Service: give --k8s-service NAMESPACE/NAME`);
    }
    const config = loadKubeConfig({ kubeconfig: flags.kubeconfig, env });
    return await watchEndpoints(config, ref, { timeoutMs, clock });
  } catch (error) {
    if (!(error instanceof KubernetesApiError)) throw error;
    if (mode === 'on') {
      const message = `--k8s on: ${error.message}`;
      throw error.failure === 'unreachable' || error.failure === 'timeout' ? new TargetUnavailableError(message) : new UsageError(message);
    }
    // auto: quiet where nothing suggested a cluster; one line where one was meant to be read.
    const expected = flags.kubeconfig !== undefined || flags.k8sService !== undefined || (env.KUBECONFIG ?? '') !== '' || (env.KUBERNETES_SERVICE_HOST ?? '') !== '';
    if (expected && error.failure !== 'no-cluster') {
      process.stderr.write(`grpclb-probe: --k8s auto: ${error.message}; going on without pod, node and zone\n`);
    }
    return null;
  }
}

/** The result with the watch's facts and each backend's pod, node and zone; the watch is stopped. */
export function withKubernetes(result: RunResult, watch: EndpointWatch | null): RunResult {
  if (watch === null) return result;
  watch.stop();
  return withKubernetesFacts(result, watch.facts());
}

/** The result with `facts` and each backend's pod, node and zone; unchanged for null. */
export function withKubernetesFacts(result: RunResult, facts: KubernetesFacts | null): RunResult {
  return facts === null ? result : { ...result, backends: placeBackends(result.backends, facts), kubernetes: facts };
}
