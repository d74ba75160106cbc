// Flag value parsers for commander: each throws InvalidArgumentError, which commander turns
// into a one-line `error: option '--flag <x>' argument 'v' is invalid. <reason>` (exit 2).
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';
import ms from 'ms';
import { ChannelConfigError, parseChannelArg, parseServiceConfig } from '../grpc/channel.js';
import { MIN_RE_RESOLVE_INTERVAL_MS } from '../grpc/resolver-poll.js';
import type { ServiceConfig } from '../result/run-result.js';

/**
 * The largest delay a Node timer honours, ms (2^31 - 1, about 24.8 days): setTimeout with a
 * larger one fires after 1 ms instead (Node docs, `setTimeout`, TimeoutOverflowWarning).
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** `--expect-backends` at most this: the fair share over more is meaningless and tables would not end. */
export const MAX_EXPECTED_BACKENDS = 10_000;

/** Lab pods at most this: pod addresses are 127.0.10.2 upwards, and the last octet ends at 255. */
export const MAX_LAB_REPLICAS = 250;

const TIMER_LIMIT = `at most ${MAX_TIMER_MS} ms (24.8 days, Node's timer limit)`;

/** An integer >= `min` (default 1). */
export function integerAtLeast(min: number): (value: string) => number {
  return integerBetween(min, Number.MAX_SAFE_INTEGER);
}

/** An integer from `min` to `max`. */
export function integerBetween(min: number, max: number, why = ''): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    }
    if (Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}${why}`);
    }
    return Number(value);
  };
}

/** Milliseconds a timer waits: a whole number from `min` to {@link MAX_TIMER_MS}. */
export function milliseconds(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`expected a whole number of ms >= ${min}`);
    }
    if (Number(value) > MAX_TIMER_MS) {
      throw new InvalidArgumentError(`expected ${TIMER_LIMIT}`);
    }
    return Number(value);
  };
}

/** A TCP port, 0..65535 (0: pick a free one). */
export function port(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  }
  return Number(value);
}

/** A finite number > 0. */
export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('expected a number > 0');
  }
  return parsed;
}

/**
 * `--max-skew`: a finite number >= 1. Skew is the largest share over the fair share, so even
 * the most even split measures 1: a limit below it could never pass.
 */
export function skewLimit(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 1) {
    throw new InvalidArgumentError('expected a number >= 1: skew is the largest share / the fair share, 1 when perfectly even (try 1.3)');
  }
  return parsed;
}

/** A fraction 0..1. */
export function fraction(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new InvalidArgumentError('expected a fraction from 0 to 1, e.g. 0.01');
  }
  return parsed;
}

/** `--rps`: a rate > 0 whose interval between RPCs (1000 / rate ms) a timer can wait. */
export function rate(value: string): number {
  const parsed = positiveNumber(value);
  if (1000 / parsed > MAX_TIMER_MS) {
    throw new InvalidArgumentError(`expected a rate whose interval between RPCs is ${TIMER_LIMIT}: at least ${(1000 / MAX_TIMER_MS).toPrecision(3)} RPC/s`);
  }
  return parsed;
}

/**
 * A duration with a unit, `500ms`, `30s`, `2m`, `1h` (parsed by the `ms` package), in ms > 0
 * and at most {@link MAX_TIMER_MS}.
 */
export function duration(value: string): number {
  const parsed = /[a-z]\s*$/i.test(value) ? ms(value as ms.StringValue) : undefined;
  if (parsed === undefined || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('expected a duration with a unit, e.g. 500ms, 30s, 2m');
  }
  if (parsed > MAX_TIMER_MS) {
    throw new InvalidArgumentError(`expected ${TIMER_LIMIT}`);
  }
  return parsed;
}

/** `--interval`: a {@link duration} of at least 1 ms. */
export function interval(value: string): number {
  const parsed = duration(value);
  if (parsed < 1) {
    throw new InvalidArgumentError('expected at least 1ms');
  }
  return parsed;
}

/** `--report-interval`: a {@link duration} of at least 1 s (a window shorter than a scrape says little). */
export function reportInterval(value: string): number {
  const parsed = duration(value);
  if (parsed < 1000) {
    throw new InvalidArgumentError('expected at least 1s');
  }
  return parsed;
}

/** One of `choices`. */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    }
    return value as T;
  };
}

/** One request metadata entry: `-bin` keys carry bytes, the others ASCII text. */
export type MetadataEntry = [key: string, value: string | Buffer];

/**
 * Headers the transport owns: HTTP/2 connection-specific headers (RFC 9113 section 8.2.2),
 * the ones gRPC sets itself (PROTOCOL-HTTP2.md "Requests"), and every `grpc-` name, which
 * that document reserves for gRPC.
 */
const RESERVED_HEADERS = new Set(['content-type', 'te', 'connection', 'host', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * `key:value`, collected into a list (repeatable flag). Keys are lower-cased, as gRPC
 * metadata keys are. Values of `-bin` keys are base64 and become the decoded bytes (gRPC
 * PROTOCOL-HTTP2.md "Binary-Header"); other values must be printable ASCII (no CR/LF).
 * Pseudo-headers, `grpc-*` and HTTP/2 connection headers are refused: the transport sets them.
 * @param flag how the message names the flag. Default `-H/--metadata`.
 * @throws UsageError naming the flag, the key when it is a valid one, and what is wrong, never
 *   the value: metadata carries tokens (`authorization:Bearer ...`), and the line lands in CI logs.
 *   (Commander's own InvalidArgumentError would echo the whole argument.)
 */
export function metadataEntry(value: string, previous: MetadataEntry[] = [], flag = '-H/--metadata'): MetadataEntry[] {
  const refuse = (what: string): UsageError => new UsageError(`${flag}: ${what} (the value is not shown)`);
  if (value.startsWith(':')) {
    throw refuse('pseudo-headers (:authority, :path, ...) are set by the transport; for :authority use --authority');
  }
  const colon = value.indexOf(':');
  const key = colon <= 0 ? '' : value.slice(0, colon).trim().toLowerCase();
  if (key === '' || !/^[0-9a-z_.-]+$/.test(key)) {
    throw refuse('expected key:value with a key of 0-9 a-z _ . -');
  }
  if (key.startsWith('grpc-') || RESERVED_HEADERS.has(key)) {
    throw refuse(`"${key}" is a reserved header the transport sets itself${key === 'grpc-timeout' ? '; use --deadline-ms' : ''}`);
  }
  const text = value.slice(colon + 1).trim();
  if (key.endsWith('-bin')) {
    const unpadded = text.replace(/=+$/, '');
    if (!/^[A-Za-z0-9+/]*$/.test(unpadded) || unpadded.length % 4 === 1) {
      throw refuse(`"${key}" ends in -bin: its value must be base64`);
    }
    return [...previous, [key, Buffer.from(unpadded, 'base64')]];
  }
  if (!/^[\x20-\x7e]*$/.test(text)) {
    throw refuse(`the value of "${key}" must be printable ASCII (no CR, LF or non-ASCII; for bytes use a key ending in -bin with base64)`);
  }
  return [...previous, [key, text]];
}

/** `serve --hostname`: non-empty printable ASCII without surrounding spaces, as it goes out in a header value. */
export function headerValue(value: string): string {
  if (value === '' || !/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value)) {
    throw new InvalidArgumentError('expected a non-empty name of printable ASCII (it is sent as a header value)');
  }
  return value;
}

/** A comma-separated list of `choices`, without repeats. */
export function listOf<T extends string>(choices: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    const unknown = items.filter((item) => !(choices as readonly string[]).includes(item));
    if (items.length === 0 || unknown.length > 0) {
      throw new InvalidArgumentError(`expected a comma-separated list of ${choices.join(', ')}`);
    }
    return [...new Set(items)] as T[];
  };
}

/** `--warmup`: a count of RPCs (`50`) or a duration (`2s`). */
export function warmup(value: string): { calls: number } | { durationMs: number } {
  if (/^\d+$/.test(value.trim())) return { calls: Number(value) };
  try {
    return { durationMs: duration(value) };
  } catch (error) {
    const limit = /Node's timer limit/.test((error as Error).message) ? `, ${TIMER_LIMIT}` : '';
    throw new InvalidArgumentError(`expected a number of RPCs (50) or a duration (2s)${limit}`);
  }
}

/** `--channel-arg KEY=VALUE`, collected into one object (repeatable flag; a later key wins). */
export function channelArg(value: string, previous: Record<string, string | number> = {}): Record<string, string | number> {
  try {
    const [key, parsed] = parseChannelArg(value);
    return { ...previous, [key]: parsed };
  } catch (error) {
    throw new InvalidArgumentError(error instanceof ChannelConfigError ? error.message : String(error));
  }
}

/** `--service-config JSON` or `--service-config @FILE`: a service config, checked as grpc-js checks it. */
export function serviceConfig(value: string): ServiceConfig {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new InvalidArgumentError(`cannot read ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  try {
    return parseServiceConfig(text);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof ChannelConfigError ? error.message : String(error));
  }
}

/** `--watch-interval`: `0` (off) or a duration of at least 100 ms. */
export function watchInterval(value: string): number {
  if (value.trim() === '0') return 0;
  const parsed = durationOr(value, 'expected 0 (off) or a duration such as 1s, 500ms');
  if (parsed < 100) throw new InvalidArgumentError('expected 0 (off) or at least 100ms');
  return parsed;
}

/** A value `problem` accepts: it returns why a value is refused, or null. */
export function accepted(problem: (value: string) => string | null): (value: string) => string {
  return (value) => {
    const why = problem(value);
    if (why !== null) throw new InvalidArgumentError(why);
    return value;
  };
}

/** `--re-resolve-interval`: a duration of at least 100 ms (MIN_RE_RESOLVE_INTERVAL_MS). */
export function reResolveInterval(value: string): number {
  const parsed = durationOr(value, 'expected a duration such as 2s, 500ms');
  if (parsed < MIN_RE_RESOLVE_INTERVAL_MS) throw new InvalidArgumentError(`expected at least ${MIN_RE_RESOLVE_INTERVAL_MS}ms: every channel sends a DNS query per interval`);
  return parsed;
}

/** {@link duration}, or `expected` (with Node's timer limit when that was the fault) as the error. */
function durationOr(value: string, expected: string): number {
  try {
    return duration(value);
  } catch (error) {
    const limit = /Node's timer limit/.test((error as Error).message) ? `, ${TIMER_LIMIT}` : '';
    throw new InvalidArgumentError(`${expected}${limit}`);
  }
}
