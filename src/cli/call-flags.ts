// The call flag group of `run` (which method, from which descriptors, with which request, and
// who answered), as ghz groups its flags; turns them into the engine's ProbeCall.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { ProbeCall } from '../engine/probe.js';
import { fieldPathProblem, parseBackendFrom, type BackendFrom } from '../engine/identity.js';
import type { ChannelConfig } from '../grpc/channel.js';
import { DEFAULT_CALL, encodeRequest, HEALTH_CHECK_CALL, MethodError, parseCallName, replyStatusFor, resolveMethod } from '../grpc/method.js';
import { ReflectionError } from '../grpc/reflection.js';
import { servicesNamed } from '../grpc/service-names.js';
import { TargetUnavailableError, UsageError } from './errors.js';
import * as parse from './parse.js';

/** The call flags as commander parses them. */
export interface CallFlags {
  call?: string;
  proto?: string[];
  importPath?: string[];
  protoset?: string;
  reflectMetadata?: parse.MetadataEntry[];
  data?: string;
  dataFile?: string;
  backendFrom?: BackendFrom;
  healthService?: string;
}

/** The call flags' attribute names, for cross-flag checks (e.g. "needs --target"). */
export const CALL_FLAG_NAMES = ['call', 'proto', 'importPath', 'protoset', 'reflectMetadata', 'data', 'dataFile', 'backendFrom', 'healthService'] as const;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function backendFrom(value: string): BackendFrom {
  try {
    return parseBackendFrom(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Adds the call flags to `command`. */
export function addCallFlags(command: Command): Command {
  return command
    .option('--call <method>', `the method, unary or streaming: pkg.Service/Method or pkg.Service.Method, or Service/Method when one service has that name (default ${DEFAULT_CALL})`)
    .option('--proto <file>', 'a .proto file defining --call, repeatable', collect)
    .option('-i, --import-path <dir>', 'where --proto imports are found, repeatable (the proto\u2019s folder and the working directory are searched too)', collect)
    .option('--protoset <file>', 'a binary FileDescriptorSet defining --call (protoc --descriptor_set_out, buf build -o)')
    .option('--reflect-metadata <key:value>', 'metadata for server reflection RPCs only, repeatable', (value: string, previous?: parse.MetadataEntry[]) => parse.metadataEntry(value, previous, '--reflect-metadata'))
    .option('-d, --data <json>', 'the request message in protobuf JSON, checked against its type before any RPC')
    .option('-D, --data-file <file>', 'the request message from a file (- reads stdin)')
    .option('--backend-from <strategy>', 'who answered: auto, header:NAME, trailer:NAME, field:PATH, message, peer (default auto)', backendFrom)
    .option('--health-service <name>', `HealthCheckRequest.service, with --call ${HEALTH_CHECK_CALL}`);
}

/** Cross-field checks of the call flags. @throws UsageError */
export function validateCallFlags(flags: CallFlags): void {
  if (flags.data !== undefined && flags.dataFile !== undefined) {
    throw new UsageError('-d/--data and -D/--data-file exclude each other: give the request once');
  }
  if (flags.call !== undefined) {
    try {
      parseCallName(flags.call);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (flags.healthService !== undefined) {
    if (!namesHealthCheck(flags.call ?? DEFAULT_CALL)) throw new UsageError(`--health-service needs --call ${HEALTH_CHECK_CALL}`);
    if (flags.data !== undefined || flags.dataFile !== undefined) {
      throw new UsageError('--health-service and -d/--data set the same request: give one');
    }
  }
  if (flags.importPath !== undefined && flags.proto === undefined) {
    throw new UsageError('-i/--import-path needs --proto');
  }
}

/**
 * `call` may be Health/Check, as `--call` takes it: `grpc.health.v1.Health/Check` or the same
 * without some of its package (`Health/Check`, `v1.Health.Check`; src/grpc/service-names.ts).
 * Which service it is is known once the method is found ({@link callOf} checks that).
 */
function namesHealthCheck(call: string): boolean {
  const { service, method } = parseCallName(call);
  const [healthService, checkMethod] = HEALTH_CHECK_CALL.split('/') as [string, string];
  return method === checkMethod && servicesNamed(service, [healthService]).length === 1;
}

function requestJson(flags: CallFlags): string | null {
  if (flags.data !== undefined) return flags.data;
  if (flags.dataFile === undefined) return null;
  try {
    return readFileSync(flags.dataFile === '-' ? 0 : flags.dataFile, 'utf8');
  } catch (error) {
    throw new UsageError(`-D/--data-file ${flags.dataFile}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** What reflection needs to reach the target. */
export interface CallContext {
  readonly channel: ChannelConfig;
  /** `-H` metadata, sent with reflection RPCs too. */
  readonly metadata: readonly (readonly [string, string | Buffer])[];
  readonly deadlineMs: number;
}

/** Reflection is one short exchange; it gets at least this long, whatever the per-RPC deadline. */
const MIN_REFLECTION_DEADLINE_MS = 5000;

/**
 * Finds the method and encodes the request, before any RPC.
 * @throws UsageError naming the flag (bad proto, method not found, --data not matching the type,
 *   reflection not served); TargetUnavailableError when the target did not answer reflection
 */
export async function prepareCall(flags: CallFlags, context: CallContext): Promise<ProbeCall> {
  const call = flags.call ?? DEFAULT_CALL;
  try {
    const method = await resolveMethod(call, {
      protoFiles: flags.proto,
      importPaths: flags.importPath,
      protoset: flags.protoset,
      reflection: {
        config: context.channel,
        options: {
          metadata: [...context.metadata, ...(flags.reflectMetadata ?? [])],
          deadlineMs: Math.max(MIN_REFLECTION_DEADLINE_MS, context.deadlineMs),
        },
      },
    });
    return callOf(method, flags);
  } catch (error) {
    if (error instanceof MethodError) throw new UsageError(error.message);
    if (error instanceof ReflectionError) throw new TargetUnavailableError(`no RPC to ${context.channel.target} succeeded: ${error.message}`);
    throw error;
  }
}

/**
 * The call of `method` with the request the flags give. @throws MethodError naming -d/-D;
 * UsageError naming --backend-from for a field:PATH the reply type lacks or that is not a scalar,
 * or --health-service when the method found is not grpc.health.v1.Health/Check
 */
function callOf(method: Awaited<ReturnType<typeof resolveMethod>>, flags: CallFlags): ProbeCall {
  if (flags.backendFrom?.kind === 'field') {
    const problem = fieldPathProblem(method.replyType, flags.backendFrom.path);
    if (problem !== null) throw new UsageError(`--backend-from field:${flags.backendFrom.path}: ${problem}`);
  }
  if (flags.healthService !== undefined && method.path !== `/${HEALTH_CHECK_CALL}`) {
    throw new UsageError(`--health-service needs --call ${HEALTH_CHECK_CALL}; --call ${flags.call ?? DEFAULT_CALL} is ${method.path.slice(1)}`);
  }
  const defaults: Record<string, unknown> =
    method.path === `/${DEFAULT_CALL}` ? { name: 'grpclb-probe' } : method.path === `/${HEALTH_CHECK_CALL}` ? { service: flags.healthService ?? '' } : {};
  const request = encodeRequest(method, requestJson(flags), defaults);
  const replyStatus = replyStatusFor(method);
  return replyStatus === null ? { method, request } : { method, request, replyStatus };
}

/**
 * Checks the call without a target: the method in --proto/--protoset or the built-in protos,
 * and the request against its type. A method only server reflection can describe is left to
 * the run. @throws UsageError naming the flag
 */
export async function checkCallOffline(flags: CallFlags): Promise<void> {
  const call = flags.call ?? DEFAULT_CALL;
  const sources = { protoFiles: flags.proto, importPaths: flags.importPath, protoset: flags.protoset, reflection: null };
  try {
    callOf(await resolveMethod(call, sources), flags);
  } catch (error) {
    const onlyByReflection = flags.proto === undefined && flags.protoset === undefined && /is not built in/.test((error as Error).message);
    if (error instanceof MethodError && !onlyByReflection) throw new UsageError(error.message);
    if (!onlyByReflection) throw error;
  }
}
