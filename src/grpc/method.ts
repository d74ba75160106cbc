// Which method the probe calls, and from where its types come: `--proto` files, a `--protoset`
// (FileDescriptorSet), the built-in protos, or server reflection; and the request message
// built once from `--data`, checked against its type before any RPC.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import type { ChannelConfig } from './channel.js';
import { BUILTIN_PROTOS, builtinProtoPath, PROTOS_DIR } from './proto.js';
import { fetchFileDescriptors, ReflectionError, type ReflectionOptions } from './reflection.js';
import { servicesIn, servicesNamed } from './service-names.js';

/** A bad `--call`, `--proto`, `--protoset`, `--data`...: the message starts with the flag. */
export class MethodError extends Error {
  constructor(
    /** The flag at fault, e.g. `--data`. */
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
  }
}

/** Where the method's types were found. */
export type MethodSource = 'proto' | 'protoset' | 'builtin' | 'reflection';

/** Which side streams (the proto's `stream` keywords). */
export type MethodKind = 'unary' | 'server-streaming' | 'client-streaming' | 'bidi';

/** One method, ready for grpc-js's `makeUnaryRequest` or its streaming counterparts. */
export interface MethodSpec {
  /** `/pkg.Service/Method`. */
  readonly path: string;
  /** unary, or which side streams. */
  readonly kind: MethodKind;
  /** `pkg.Service`. */
  readonly service: string;
  readonly requestType: protobuf.Type;
  readonly replyType: protobuf.Type;
  readonly source: MethodSource;
  /** Encodes a request message (a protobufjs message or a plain object of field names). */
  readonly serialize: (value: object) => Buffer;
  /** Decodes a reply into a protobufjs message (fields by proto name, `keepCase`). */
  readonly deserialize: (bytes: Buffer) => protobuf.Message;
}

/** The method the probe calls when `--call` is not given. */
export const DEFAULT_CALL = 'helloworld.Greeter/SayHello';
/** The gRPC health checking method (gRPC doc "health-checking.md"). */
export const HEALTH_CHECK_CALL = 'grpc.health.v1.Health/Check';

/** `pkg.Service/Method`, `pkg.Service.Method` or `/pkg.Service/Method` (as ghz and grpcurl take it). @throws MethodError */
export function parseCallName(text: string): { service: string; method: string } {
  const trimmed = text.trim().replace(/^\//, '');
  const slash = trimmed.lastIndexOf('/');
  const cut = slash >= 0 ? slash : trimmed.lastIndexOf('.');
  const service = trimmed.slice(0, cut);
  const method = trimmed.slice(cut + 1);
  if (cut <= 0 || !/^[A-Za-z_][\w.]*$/.test(service) || !/^[A-Za-z_]\w*$/.test(method)) {
    throw new MethodError('--call', `expected pkg.Service/Method (or pkg.Service.Method), got "${text}"`);
  }
  return { service, method };
}

/** Options for protobufjs parsing: field names as written in the proto, as descriptors have them. */
const PARSE_OPTIONS = { keepCase: true } as const;

/**
 * Loads `.proto` files with protobufjs. Imports are searched in `importPaths`, then each proto's
 * own folder, then the working directory; `google/protobuf/*.proto` fall back to protobufjs's
 * bundled copies. @throws MethodError naming `--proto` (unreadable, does not parse, import not found)
 * @param onImport told of each import found on disk: the name as written in the `import` line
 *   and the file it resolved to (what a copy of the protos elsewhere must reproduce).
 */
export function loadProtoFiles(
  files: readonly string[],
  importPaths: readonly string[] = [],
  onImport?: (name: string, file: string) => void,
): protobuf.Root {
  for (const file of files) {
    if (!existsSync(file)) throw new MethodError('--proto', `${file}: no such file`);
  }
  const searchPaths = [...importPaths, ...files.map((file) => path.dirname(file)), process.cwd()];
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (path.isAbsolute(target) || (origin === '' && existsSync(target))) return target;
    for (const dir of searchPaths) {
      const candidate = path.resolve(dir, target);
      if (existsSync(candidate)) {
        onImport?.(target, candidate);
        return candidate;
      }
    }
    // Unresolved: protobufjs then uses its bundled google/protobuf files, or fails with ENOENT.
    return target;
  };
  try {
    root.loadSync(files.map((file) => path.resolve(file)), PARSE_OPTIONS);
    root.resolveAll();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    const missing = /ENOENT[^']*'([^']+)'/.exec(message);
    throw new MethodError(
      '--proto',
      missing ? `cannot find import ${missing[1]} (add its folder with -i/--import-path)` : `does not parse: ${message}`,
    );
  }
  return root;
}

/** Decodes a binary FileDescriptorSet (`protoc --descriptor_set_out`, `buf build -o`). @throws MethodError naming `--protoset` */
export function loadProtoset(file: string): protobuf.Root {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new MethodError('--protoset', `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return rootFromDescriptorSet(bytes, '--protoset', file);
}

/**
 * A protobufjs root from FileDescriptorProtos (serialized, as reflection returns them) or a
 * serialized FileDescriptorSet. @throws MethodError naming `flag`
 */
export function rootFromDescriptorSet(set: Uint8Array | { file: Uint8Array[] }, flag: string, what: string): protobuf.Root {
  try {
    const decoded =
      set instanceof Uint8Array
        ? descriptor.FileDescriptorSet.decode(set)
        : descriptor.FileDescriptorSet.create({ file: set.file.map((bytes) => descriptor.FileDescriptorProto.decode(bytes)) });
    if (((decoded as unknown as { file?: unknown[] }).file ?? []).length === 0) {
      throw new Error('no file descriptors in it');
    }
    // protobufjs/ext/descriptor adds Root.fromDescriptor at load time; its typings do not say so.
    const root = (protobuf.Root as unknown as { fromDescriptor(set: unknown): protobuf.Root }).fromDescriptor(decoded);
    root.resolveAll();
    return root;
  } catch (error) {
    throw new MethodError(flag, `${what}: not a usable FileDescriptorSet: ${(error as Error).message.split('\n')[0]}`);
  }
}

let builtinRoot: protobuf.Root | null = null;

/** The shipped protos (helloworld, grpc.health.v1) as one protobufjs root, loaded once. */
export function loadBuiltinRoot(): protobuf.Root {
  if (builtinRoot === null) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : PROTOS_DIR + target);
    root.loadSync(
      BUILTIN_PROTOS.map((relativePath) => builtinProtoPath(relativePath)),
      PARSE_OPTIONS,
    );
    root.resolveAll();
    builtinRoot = root;
  }
  return builtinRoot;
}

/** The kind of a protobufjs method, from its `stream` keywords. */
function kindOf(rpc: protobuf.Method): MethodKind {
  if (rpc.requestStream === true) return rpc.responseStream === true ? 'bidi' : 'client-streaming';
  return rpc.responseStream === true ? 'server-streaming' : 'unary';
}

/** The one service of `known` that `service` names, or null when none. @throws MethodError naming `--call` with the candidates when several */
function qualifiedService(service: string, method: string, known: readonly string[]): string | null {
  const candidates = servicesNamed(service, known);
  if (candidates.length > 1) {
    throw new MethodError('--call', `${service}/${method} names ${candidates.length} services: did you mean ${candidates.map((name) => `${name}/${method}`).join(' or ')}?`);
  }
  return candidates[0] ?? null;
}

/**
 * The method `call` in `root` (unary or streaming), or null when its service is not there. An
 * unqualified service (`Greeter/SayHello`) is the one service of that name in `root`; the spec's
 * `path` and `service` are always fully qualified.
 * @throws MethodError naming `--call` when the service exists but the method does not, or when
 *   an unqualified name fits several services (the message lists them)
 */
export function findMethod(root: protobuf.Root, call: string, source: MethodSource): MethodSpec | null {
  const { service: asked, method } = parseCallName(call);
  const service = qualifiedService(asked, method, servicesIn(root));
  if (service === null) return null;
  const found = root.lookup(service) as protobuf.Service;
  const rpc = found.methods[method];
  if (rpc === undefined) {
    throw new MethodError('--call', `${service} has no method ${method} (methods: ${Object.keys(found.methods).join(', ')})`);
  }
  rpc.resolve();
  const requestType = rpc.resolvedRequestType as protobuf.Type;
  const replyType = rpc.resolvedResponseType as protobuf.Type;
  return {
    path: `/${service}/${method}`,
    kind: kindOf(rpc),
    service,
    requestType,
    replyType,
    source,
    serialize: (value) => Buffer.from(requestType.encode(value).finish()),
    deserialize: (bytes) => replyType.decode(bytes),
  };
}

/** Where to look for the method's types, in this order. */
export interface MethodSources {
  /** `--proto` files. */
  readonly protoFiles?: readonly string[];
  /** `-i, --import-path` folders. */
  readonly importPaths?: readonly string[];
  /** `--protoset` file. */
  readonly protoset?: string;
  /** Server reflection on this channel, tried when nothing above defines the service; null: never. */
  readonly reflection?: { readonly config: ChannelConfig; readonly options: ReflectionOptions } | null;
}

/**
 * Finds `call`: in `--proto` files, then the `--protoset` (when either is given, the method must
 * be there), else in the built-in protos, else through server reflection.
 * @throws MethodError naming the flag (`--proto`, `--protoset`, `--call`) for what can be fixed
 *   by the user; ReflectionError `unavailable` when the target did not answer reflection
 */
export async function resolveMethod(call: string, sources: MethodSources): Promise<MethodSpec> {
  const { service } = parseCallName(call);
  const given: [protobuf.Root, MethodSource][] = [];
  if ((sources.protoFiles ?? []).length > 0) given.push([loadProtoFiles(sources.protoFiles ?? [], sources.importPaths), 'proto']);
  if (sources.protoset !== undefined) given.push([loadProtoset(sources.protoset), 'protoset']);
  for (const [root, source] of given) {
    const spec = findMethod(root, call, source);
    if (spec !== null) return spec;
  }
  if (given.length > 0) {
    const known = given.flatMap(([root]) => servicesIn(root));
    const flags = given.map(([, source]) => `--${source}`).join(' and ');
    throw new MethodError('--call', `service ${service} is not in the ${flags} files (services there: ${known.join(', ') || 'none'})`);
  }
  const builtin = findMethod(loadBuiltinRoot(), call, 'builtin');
  if (builtin !== null) return builtin;
  if (sources.reflection === undefined || sources.reflection === null) {
    throw new MethodError('--call', `service ${service} is not built in: give its --proto or --protoset`);
  }
  const { method } = parseCallName(call);
  const reflection = sources.reflection;
  const fetch = (symbol: string): Promise<Uint8Array[]> => fetchFileDescriptors(reflection.config, symbol, reflection.options);
  let files: Uint8Array[];
  try {
    files = await fetch(service).catch((error: unknown) => {
      // An unqualified name the server does not know as such: the one service it has of that name.
      const qualified = error instanceof ReflectionError && error.failure === 'not-found' ? qualifiedService(service, method, error.services) : null;
      if (qualified === null || qualified === service) throw error;
      return fetch(qualified);
    });
  } catch (error) {
    if (error instanceof ReflectionError && error.failure !== 'unavailable') {
      throw new MethodError('--call', `${error.message}; give the service's --proto or --protoset`);
    }
    throw error;
  }
  const spec = findMethod(rootFromDescriptorSet({ file: files }, '--call', 'server reflection'), call, 'reflection');
  if (spec === null) throw new MethodError('--call', `server reflection did not describe ${service}`);
  return spec;
}

/** The protobuf JSON mapping types a scalar field accepts, for messages in `--data`. */
const INTEGER = /^-?\d+$/;
const SCALAR_CHECKS: Record<string, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  bool: (value) => typeof value === 'boolean',
  bytes: (value) => typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value),
  double: (value) => typeof value === 'number' || (typeof value === 'string' && (value === 'NaN' || /^-?(Infinity|\d+(\.\d+)?([eE][-+]?\d+)?)$/.test(value))),
};
SCALAR_CHECKS.float = SCALAR_CHECKS.double as (value: unknown) => boolean;
for (const name of ['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']) {
  SCALAR_CHECKS[name] = (value) => (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && INTEGER.test(value));
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return `${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} ${text.length > 30 ? `${text.slice(0, 27)}...` : text}`;
}

/**
 * Checks a JSON value against `type` (protobuf JSON mapping: field names as in the proto or in
 * lowerCamelCase, 64-bit integers as numbers or strings, enums by name or number, bytes in
 * base64) and returns it with keys renamed to the proto's field names, for `fromObject`.
 * google.protobuf.* message fields are passed to protobufjs unchecked.
 * @throws MethodError naming `--data` and the field (unknown, or of the wrong type)
 */
export function checkJsonMessage(type: protobuf.Type, value: unknown, where = ''): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MethodError('--data', `${where === '' ? 'the request' : `field "${where}"`} must be a JSON object for ${type.fullName.replace(/^\./, '')}, got ${describeValue(value)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = type.fields[key] ?? type.fieldsArray.find((candidate) => camelCase(candidate.name) === key);
    const fieldPath = where === '' ? key : `${where}.${key}`;
    if (field === undefined) {
      throw new MethodError(
        '--data',
        `unknown field "${fieldPath}" in ${type.fullName.replace(/^\./, '')} (fields: ${type.fieldsArray.map((candidate) => candidate.name).join(', ') || 'none'})`,
      );
    }
    if (fieldValue === null) continue;
    field.resolve();
    if (field.map) {
      if (typeof fieldValue !== 'object' || Array.isArray(fieldValue)) throw wrongType(fieldPath, `map<${(field as unknown as protobuf.MapField).keyType}, ${field.type}>`, fieldValue);
      out[field.name] = Object.fromEntries(Object.entries(fieldValue).map(([mapKey, item]) => [mapKey, checkFieldValue(field, item, `${fieldPath}.${mapKey}`)]));
    } else if (field.repeated) {
      if (!Array.isArray(fieldValue)) throw wrongType(fieldPath, `repeated ${field.type}`, fieldValue);
      out[field.name] = fieldValue.map((item, index) => checkFieldValue(field, item, `${fieldPath}[${index}]`));
    } else {
      out[field.name] = checkFieldValue(field, fieldValue, fieldPath);
    }
  }
  return out;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function wrongType(fieldPath: string, expected: string, value: unknown): MethodError {
  return new MethodError('--data', `field "${fieldPath}" expects ${expected}, got ${describeValue(value)}`);
}

function checkFieldValue(field: protobuf.Field, value: unknown, fieldPath: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (resolved.fullName.startsWith('.google.protobuf.')) return value;
    return checkJsonMessage(resolved, value, fieldPath);
  }
  if (resolved instanceof protobuf.Enum) {
    const ok = (typeof value === 'string' && value in resolved.values) || (typeof value === 'number' && Number.isInteger(value));
    if (!ok) throw wrongType(fieldPath, `enum ${resolved.name} (${Object.keys(resolved.values).join(', ')})`, value);
    return value;
  }
  const check = SCALAR_CHECKS[field.type];
  if (check !== undefined && !check(value)) throw wrongType(fieldPath, field.type, value);
  return value;
}

/**
 * The request of a run, encoded once: `json` (the `--data` text; null: an empty message, or
 * the method's default) checked against the request type.
 * @throws MethodError naming `--data` (not JSON, unknown field, wrong type)
 */
export function encodeRequest(spec: MethodSpec, json: string | null, defaults: Record<string, unknown> = {}): Buffer {
  let value: unknown = defaults;
  if (json !== null) {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new MethodError('--data', `not JSON: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const checked = checkJsonMessage(spec.requestType, value);
  try {
    return spec.serialize(spec.requestType.fromObject(checked));
  } catch (error) {
    throw new MethodError('--data', `${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * For methods whose OK reply can still say the backend is not serving (grpc.health.v1
 * Health/Check: `status` other than SERVING), the status name to record instead of OK; else null.
 */
export function replyStatusFor(spec: MethodSpec): ((reply: protobuf.Message) => string | null) | null {
  if (spec.path !== `/${HEALTH_CHECK_CALL}`) return null;
  const statusField = spec.replyType.fields.status;
  statusField?.resolve();
  const values = statusField?.resolvedType instanceof protobuf.Enum ? statusField.resolvedType.valuesById : {};
  const serving = 1;
  return (reply) => {
    const status = (reply as unknown as { status?: number }).status ?? 0;
    return status === serving ? null : (values[status] ?? `STATUS_${status}`);
  };
}
