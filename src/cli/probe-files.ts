// The local files a `run` names (protos and their imports, a protoset, a request file, a CA),
// gathered for `manifests probe`'s ConfigMap, and where each lands in the probe pods.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadProtoFiles, MethodError } from '../grpc/method.js';
import { configMapKeyProblem } from '../k8s/names.js';
import { PROBE_FILES_DIR, type ProbeFile } from '../k8s/probe-manifests.js';
import { UsageError } from './errors.js';

/** What the API server allows in one ConfigMap, data and binaryData together (Kubernetes docs, "ConfigMaps"). */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

/** The files for the pods, each at a path under {@link PROBE_FILES_DIR}. */
export class ProbeFiles {
  private readonly byPath = new Map<string, { file: ProbeFile; source: string; flag: string }>();

  /** The files gathered so far. */
  get files(): ProbeFile[] {
    return [...this.byPath.values()].map((entry) => entry.file);
  }

  /**
   * Ships `source` at `relative` (default its file name) and returns its path in the pods.
   * @throws UsageError naming `flag` when it cannot be read, or another file already took that path
   */
  add(flag: string, source: string, binary = false, relative = path.basename(source)): string {
    const resolved = path.resolve(source);
    const taken = this.byPath.get(relative);
    if (taken !== undefined && taken.source !== resolved) {
      throw new UsageError(`${flag}: ${source} and ${taken.source} (${taken.flag}) would both be ${relative} in the pods: rename one`);
    }
    const key = relative.replace(/\//g, '_');
    const keyProblem = configMapKeyProblem(key);
    if (keyProblem !== null) throw new UsageError(`${flag}: ${source} cannot be a ConfigMap key (${keyProblem}): rename it`);
    let content: string | Buffer;
    try {
      content = binary ? readFileSync(source) : readFileSync(source, 'utf8');
    } catch (error) {
      throw new UsageError(`${flag}: cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    this.byPath.set(relative, { file: { key, path: relative, content }, source: resolved, flag });
    const size = [...this.byPath.values()].reduce((sum, entry) => sum + Buffer.byteLength(entry.file.content), 0);
    if (size > MAX_CONFIGMAP_BYTES) {
      throw new UsageError(`${flag}: the files for the pods add up to ${size} bytes, over the ${MAX_CONFIGMAP_BYTES} a ConfigMap holds`);
    }
    return `${PROBE_FILES_DIR}/${relative}`;
  }

  /**
   * Ships the `--proto` files, each at its file name, and every file they import, at the name
   * the import uses (so `-i PROBE_FILES_DIR` finds it in the pods). The protos are loaded as
   * `run` loads them, so what does not parse is refused here.
   * @returns the `run` arguments that name them in the pods
   * @throws UsageError naming --proto
   */
  addProtos(protos: readonly string[], importPaths: readonly string[]): string[] {
    const imports = new Map<string, string>();
    try {
      loadProtoFiles(protos, importPaths, (name, file) => imports.set(name, file));
    } catch (error) {
      if (error instanceof MethodError) throw new UsageError(error.message);
      throw error;
    }
    const args = protos.flatMap((proto) => ['--proto', this.add('--proto', proto)]);
    for (const [name, file] of imports) {
      if (path.isAbsolute(name) || name.split('/').includes('..')) {
        throw new UsageError(`--proto: the import "${name}" leaves the import path: the pods cannot reproduce it`);
      }
      this.add('--proto', file, false, name);
    }
    return imports.size === 0 ? args : [...args, '--import-path', PROBE_FILES_DIR];
  }
}
