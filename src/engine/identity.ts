// Who answered an RPC (the backend): from a response header or trailer, a field of the reply,
// a `hostname:X` in the reply, or the peer address. One function per strategy, picked once per
// run (`auto` picks on the first successful reply), never per RPC.
import type grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { HOSTNAME_HEADER } from '../grpc/proto.js';
import type { IdentitySummary } from '../result/run-result.js';

/** `--backend-from`: where the backend's name comes from. */
export type BackendFrom =
  | { readonly kind: 'auto' }
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'trailer'; readonly name: string }
  | { readonly kind: 'field'; readonly path: string }
  | { readonly kind: 'message' }
  | { readonly kind: 'peer' };

/**
 * Top-level string fields `auto` takes as the server's name, in this order (names the
 * Kubernetes demo servers and gRPC interop servers use).
 */
export const IDENTITY_FIELDS = ['hostname', 'pod', 'server_id', 'host', 'backend'] as const;

/**
 * Response headers a proxy can be told to add with the upstream it picked, which `auto` reads
 * after `hostname`: nginx `add_header x-upstream-addr $upstream_addr always;`, Envoy
 * `response_headers_to_add` with `x-upstream-host: %UPSTREAM_HOST%` (README recipes).
 */
export const PROXY_UPSTREAM_HEADERS = ['x-upstream-addr', 'x-upstream-host'] as const;

/** `hostname:X` at the start of a string (the Go demo servers of common Kubernetes articles). */
const HOSTNAME_IN_MESSAGE = /^hostname:([^,]*)/;
const NAME_CACHE_LIMIT = 1024;

/** `auto`, `header:NAME`, `trailer:NAME`, `field:PATH`, `message`, `peer`. @throws Error with a one-line reason */
export function parseBackendFrom(text: string): BackendFrom {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const argument = colon < 0 ? '' : text.slice(colon + 1).trim();
  if ((kind === 'auto' || kind === 'message' || kind === 'peer') && colon < 0) return { kind };
  if ((kind === 'header' || kind === 'trailer') && /^[0-9a-z_.-]+$/i.test(argument)) return { kind, name: argument.toLowerCase() };
  if (kind === 'field' && /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(argument)) return { kind, path: argument };
  throw new Error('expected auto, header:NAME, trailer:NAME, field:PATH (e.g. field:meta.pod), message or peer');
}

/** The text form of a {@link BackendFrom}, as `--backend-from` takes it. */
export function formatBackendFrom(from: BackendFrom): string {
  switch (from.kind) {
    case 'header':
    case 'trailer':
      return `${from.kind}:${from.name}`;
    case 'field':
      return `field:${from.path}`;
    default:
      return from.kind;
  }
}

/** The name of the backend from one RPC's reply and metadata; null: it does not say (the peer is used). */
type Strategy = (reply: protobuf.Message | null, headers: grpc.Metadata | null, trailers: grpc.Metadata | null) => string | null;

function firstValue(metadata: grpc.Metadata | null, name: string): string | null {
  const values = metadata?.get(name);
  return values === undefined || values.length === 0 ? null : String(values[0]);
}

function fromHeader(name: string): Strategy {
  return (_reply, headers) => firstValue(headers, name);
}

function fromTrailer(name: string): Strategy {
  return (_reply, _headers, trailers) => firstValue(trailers, name);
}

/** `field:a.b`: the fields' proto names, resolved once against the reply type. */
function fromFieldPath(fieldNames: readonly string[]): Strategy {
  return (reply) => {
    let value: unknown = reply;
    for (const name of fieldNames) {
      if (value === null || value === undefined) return null;
      value = (value as Record<string, unknown>)[name];
    }
    return value === null || value === undefined || value === '' ? null : String(value);
  };
}

/** `hostname:X` in one of `fieldNames` (string fields), cached per distinct text. */
function fromMessage(fieldNames: readonly string[]): Strategy {
  const cache = new Map<string, string | null>();
  return (reply) => {
    if (reply === null) return null;
    for (const name of fieldNames) {
      const text = (reply as unknown as Record<string, unknown>)[name];
      if (typeof text !== 'string' || text === '') continue;
      let found = cache.get(text);
      if (found === undefined) {
        found = HOSTNAME_IN_MESSAGE.exec(text)?.[1] ?? null;
        if (cache.size < NAME_CACHE_LIMIT) cache.set(text, found);
      }
      if (found !== null) return found;
    }
    return null;
  };
}

const byPeer: Strategy = () => null;

/**
 * Names the backend of each RPC. One per run; `auto` decides on the first successful reply:
 * the `hostname` header, else the `hostname` trailer, else a header of {@link PROXY_UPSTREAM_HEADERS}, else a top-level string field from
 * {@link IDENTITY_FIELDS} set in that reply, else `hostname:X` in a string field, else the peer.
 */
export class BackendIdentifier {
  private strategy: Strategy | null;
  private used: string | null = null;
  private readonly notes: string[] = [];
  private namedByPeer = 0;
  /** Successful RPCs whose reply lacked what an explicit `--backend-from` names. */
  private strategyMissed = 0;
  /** Failures without an identity in their metadata are named by their peer (the identity is the peer anyway). */
  private failuresByPeer = false;
  /** The header/trailer a failed RPC may carry the name in: the one the strategy reads, else `hostname`. */
  private failureKey: string = HOSTNAME_HEADER;
  /** true while the strategy needs the response headers (subscribe to the call's `metadata`). */
  needsHeaders = false;
  /** true while the strategy needs the trailers of successful RPCs (subscribe to the call's `status`). */
  needsTrailers = false;

  constructor(
    private readonly from: BackendFrom,
    private readonly replyType: protobuf.Type | null,
  ) {
    this.strategy = null;
    switch (from.kind) {
      case 'auto':
        this.needsHeaders = true;
        this.needsTrailers = true;
        this.failuresByPeer = true;
        break;
      case 'header':
        this.use(fromHeader(from.name), formatBackendFrom(from));
        this.needsHeaders = true;
        break;
      case 'trailer':
        this.use(fromTrailer(from.name), formatBackendFrom(from));
        this.needsTrailers = true;
        break;
      case 'field': {
        const walked = replyType === null ? { problem: 'the reply type is unknown' } : walkFieldPath(replyType, from.path);
        if ('problem' in walked) {
          this.notes.push(`--backend-from field:${from.path}: ${walked.problem}; backends are told apart by peer`);
          this.use(byPeer, 'peer');
          this.failuresByPeer = true;
        } else {
          this.use(fromFieldPath(walked.names), `field:${walked.names.join('.')}`);
        }
        break;
      }
      case 'message':
        this.use(fromMessage(stringFields(replyType)), 'message');
        break;
      case 'peer':
        this.use(byPeer, 'peer');
        this.failuresByPeer = true;
        break;
    }
  }

  /** `used` is `header:NAME`/`trailer:NAME` when the strategy reads one: failures are named by it too. */
  private use(strategy: Strategy, used: string): void {
    this.strategy = strategy;
    this.used = used;
    const metadataKey = /^(?:header|trailer):(.+)$/.exec(used)?.[1];
    this.failureKey = metadataKey ?? HOSTNAME_HEADER;
  }

  /** The backend of a successful RPC; null: the reply does not name it (use the peer; counted). */
  ofReply(reply: protobuf.Message | null, headers: grpc.Metadata | null, trailers: grpc.Metadata | null): string | null {
    if (this.strategy === null) this.pickAuto(reply, headers, trailers);
    const name = (this.strategy as Strategy)(reply, headers, trailers);
    if (name === null) {
      this.namedByPeer += 1;
      if (this.from.kind !== 'auto' && this.from.kind !== 'peer' && this.used !== 'peer') this.strategyMissed += 1;
    }
    return name;
  }

  /**
   * A stream's backend from its response headers alone, before any message: the header that
   * `--backend-from header:NAME` names, or with `auto` the `hostname` header or a proxy's
   * upstream header (which then decides auto, as a first reply would). null when the strategy
   * does not read headers or the header is absent; nothing is counted or decided then, and the
   * first message names the stream.
   */
  ofHeaders(headers: grpc.Metadata): string | null {
    const key = this.headerKey(headers);
    if (key === null) return null;
    const name = firstValue(headers, key);
    if (name !== null && this.strategy === null) this.pickAuto(null, headers, null);
    return name;
  }

  /**
   * The header that names a stream at its headers: `header:NAME`'s, the one auto picked, or before
   * auto has picked the first of `hostname` and {@link PROXY_UPSTREAM_HEADERS} present (what a
   * first reply with these headers would pick).
   */
  private headerKey(headers: grpc.Metadata): string | null {
    if (this.from.kind === 'header') return this.from.name;
    if (this.from.kind !== 'auto') return null;
    if (this.strategy !== null) return this.used?.startsWith('header:') === true ? this.used.slice('header:'.length) : null;
    return [HOSTNAME_HEADER, ...PROXY_UPSTREAM_HEADERS].find((name) => firstValue(headers, name) !== null) ?? null;
  }

  /**
   * The backend of a failed RPC from its metadata (the header/trailer the strategy reads, also
   * when `auto` picked it, else `hostname`), else `peer` when the identity is the peer anyway, else null.
   * @param peer the address that answered, or null when no connection was picked.
   */
  ofFailure(headers: grpc.Metadata | null, trailers: grpc.Metadata | null, peer: string | null): string | null {
    const named = firstValue(trailers, this.failureKey) ?? firstValue(headers, this.failureKey);
    if (named !== null) return named;
    return this.failuresByPeer ? peer : null;
  }

  private pickAuto(reply: protobuf.Message | null, headers: grpc.Metadata | null, trailers: grpc.Metadata | null): void {
    this.needsHeaders = false;
    this.needsTrailers = false;
    this.failuresByPeer = false;
    if (firstValue(headers, HOSTNAME_HEADER) !== null) {
      this.needsHeaders = true;
      this.use(fromHeader(HOSTNAME_HEADER), `header:${HOSTNAME_HEADER}`);
      return;
    }
    if (firstValue(trailers, HOSTNAME_HEADER) !== null) {
      this.needsTrailers = true;
      this.use(fromTrailer(HOSTNAME_HEADER), `trailer:${HOSTNAME_HEADER}`);
      return;
    }
    const upstream = PROXY_UPSTREAM_HEADERS.find((name) => firstValue(headers, name) !== null);
    if (upstream !== undefined) {
      this.needsHeaders = true;
      this.use(fromHeader(upstream), `header:${upstream}`);
      return;
    }
    const fields = stringFields(this.replyType);
    const named = IDENTITY_FIELDS.find((name) => fields.includes(name) && fromFieldPath([name])(reply, null, null) !== null);
    if (named !== undefined) {
      this.use(fromFieldPath([named]), `field:${named}`);
      return;
    }
    const withHostname = fields.find((name) => fromMessage([name])(reply, null, null) !== null);
    if (withHostname !== undefined) {
      this.use(fromMessage([withHostname]), `message:${withHostname}`);
      return;
    }
    this.failuresByPeer = true;
    this.use(byPeer, 'peer');
  }

  /** The strategy used and its caveats, for the result. */
  summary(): IdentitySummary {
    const notes = [...this.notes];
    if (this.strategyMissed > 0) {
      notes.push(`--backend-from ${formatBackendFrom(this.from)}: absent from ${this.strategyMissed} replies; those are named by peer`);
    }
    return { asked: formatBackendFrom(this.from), used: this.used, namedByPeer: this.namedByPeer, notes };
  }
}

/**
 * What is wrong with `field:PATH` against the reply type, or null when PATH names a singular
 * scalar field (through nested message fields; proto or lowerCamelCase names): absent, repeated
 * or a map, or a message (its name would read `[object Object]`).
 */
export function fieldPathProblem(type: protobuf.Type, fieldPath: string): string | null {
  const walked = walkFieldPath(type, fieldPath);
  return 'problem' in walked ? walked.problem : null;
}

/**
 * `field:PATH` against the reply type: the proto names of its fields, one per segment, when PATH
 * names a singular scalar field through nested message fields; else what is wrong with it.
 */
function walkFieldPath(type: protobuf.Type, fieldPath: string): { readonly names: string[] } | { readonly problem: string } {
  const names: string[] = [];
  let current: protobuf.Type = type;
  const segments = fieldPath.split('.');
  for (const [index, segment] of segments.entries()) {
    const field = fieldNamed(current, segment);
    if (field === undefined) return { problem: `${typeName(current)} has no field ${segment}` };
    if (field.repeated || field.map) return { problem: `${typeName(current)}.${field.name} is ${field.map ? 'a map' : 'repeated'}, not one value` };
    field.resolve();
    names.push(field.name);
    const last = index === segments.length - 1;
    if (field.resolvedType instanceof protobuf.Type) {
      if (last) return { problem: `${typeName(current)}.${field.name} is a message (${typeName(field.resolvedType)}), not a scalar: name one of its fields` };
      current = field.resolvedType;
    } else if (!last) {
      return { problem: `${typeName(current)}.${field.name} is not a message: it has no field ${segments[index + 1] as string}` };
    }
  }
  return { names };
}

/** The field of `type` named `name` in the proto or in lowerCamelCase. */
function fieldNamed(type: protobuf.Type, name: string): protobuf.Field | undefined {
  return type.fields[name] ?? type.fieldsArray.find((candidate) => candidate.name.replace(/_([a-z0-9])/g, (_m, letter: string) => letter.toUpperCase()) === name);
}

function typeName(type: protobuf.Type): string {
  return type.fullName.replace(/^\./, '');
}

/** Top-level singular string fields of `type`, by proto name. */
function stringFields(type: protobuf.Type | null): string[] {
  return type === null ? [] : type.fieldsArray.filter((field) => field.type === 'string' && !field.repeated && !field.map).map((field) => field.name);
}

