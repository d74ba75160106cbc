// The xDS flags and variables of `run`: the bootstrap of an `xds:` target (--xds-bootstrap, else
// GRPC_XDS_BOOTSTRAP or GRPC_XDS_BOOTSTRAP_CONFIG) and the lab's --xds-weights.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { parseXdsBootstrap, XdsBootstrapError, type XdsBootstrapInfo } from '../grpc/xds-bootstrap.js';
import { UsageError } from './errors.js';

/** `--xds-weights 3,1,1`: positive integers. */
export function xdsWeights(value: string): number[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.length === 0 || items.some((item) => !/^[1-9]\d{0,5}$/.test(item))) {
    throw new InvalidArgumentError('expected a comma-separated list of positive integers, one per pod (3,1,1)');
  }
  return items.map(Number);
}

/** `--xds-weights` names one weight per pod and goes with the xds-weighted setup. @throws UsageError naming the flag. */
export function checkXdsWeights(weights: readonly number[] | undefined, replicas: number, setups: readonly string[] | undefined): void {
  if (weights === undefined) return;
  if (setups === undefined || !setups.includes('xds-weighted')) throw new UsageError('--xds-weights needs the xds-weighted setup (--setups ...,xds-weighted)');
  if (weights.length !== replicas) {
    throw new UsageError(`--xds-weights: ${weights.length} weight${weights.length === 1 ? '' : 's'} for ${replicas} pods: give one per pod (--replicas ${replicas})`);
  }
}

/** Where an `xds:` target's bootstrap comes from, and what it says. */
export interface XdsBootstrapSource extends XdsBootstrapInfo {
  /** `--xds-bootstrap FILE`, `GRPC_XDS_BOOTSTRAP=FILE` or `GRPC_XDS_BOOTSTRAP_CONFIG`. */
  readonly from: string;
  /** Pass the JSON to each channel (--xds-bootstrap); false: @grpc/grpc-js-xds reads the environment itself. */
  readonly perChannel: boolean;
}

/**
 * The bootstrap of an `xds:` target, read and checked before any channel: `--xds-bootstrap FILE`
 * first, else GRPC_XDS_BOOTSTRAP (a file), else GRPC_XDS_BOOTSTRAP_CONFIG (the JSON), the order
 * grpc-js-xds reads the variables in (xds-bootstrap.ts `loadBootstrapInfo`). Null for other targets.
 * @throws UsageError naming the flag or variable: none given, a file that cannot be read, not JSON, no server.
 */
export function xdsBootstrapOf(target: string, file: string | undefined): XdsBootstrapSource | null {
  if (!target.startsWith('xds:')) {
    if (file !== undefined) throw new UsageError(`--xds-bootstrap only applies to an xds: target (--target ${target})`);
    return null;
  }
  const envFile = process.env.GRPC_XDS_BOOTSTRAP ?? '';
  const envConfig = process.env.GRPC_XDS_BOOTSTRAP_CONFIG ?? '';
  if (file !== undefined) return { ...checked('--xds-bootstrap', file, readBootstrap('--xds-bootstrap', file)), perChannel: true };
  if (envFile !== '') return { ...checked('GRPC_XDS_BOOTSTRAP', envFile, readBootstrap('GRPC_XDS_BOOTSTRAP', envFile)), perChannel: false };
  if (envConfig !== '') return { ...checked('GRPC_XDS_BOOTSTRAP_CONFIG', null, envConfig), perChannel: false };
  throw new UsageError(`--target ${target}: an xds: target needs an xDS bootstrap: --xds-bootstrap FILE, GRPC_XDS_BOOTSTRAP to its file or GRPC_XDS_BOOTSTRAP_CONFIG to its JSON`);
}

function readBootstrap(from: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${from} ${file}: cannot read the xDS bootstrap (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`);
  }
}

function checked(from: string, file: string | null, json: string): XdsBootstrapInfo & { from: string } {
  try {
    return { ...parseXdsBootstrap(json), from };
  } catch (error) {
    if (error instanceof XdsBootstrapError) throw new UsageError(`${from}${file === null ? '' : ` ${file}`}: bad xDS bootstrap: ${error.message}`);
    throw error;
  }
}
