// Flag value parsers for commander: each throws InvalidArgumentError, which commander turns
// into a one-line `error: option '--flag <x>' argument 'v' is invalid. <reason>` (exit 2).
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import ms from 'ms';
import { ChannelConfigError, parseChannelArg, parseServiceConfig, type ServiceConfig } from '../grpc/channel.js';

/** An integer >= `min` (default 1). */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`expected a whole number >= ${min}`);
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

/** A fraction 0..1. */
export function fraction(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new InvalidArgumentError('expected a fraction from 0 to 1, e.g. 0.01');
  }
  return parsed;
}

/** A duration with a unit, `500ms`, `30s`, `2m`, `1h` (parsed by the `ms` package), in ms > 0. */
export function duration(value: string): number {
  const parsed = /[a-z]\s*$/i.test(value) ? ms(value as ms.StringValue) : undefined;
  if (parsed === undefined || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('expected a duration with a unit, e.g. 500ms, 30s, 2m');
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

/** `key:value`, collected into a list (repeatable flag). Keys are lower-cased, as gRPC metadata keys are. */
export function metadataEntry(value: string, previous: [string, string][] = []): [string, string][] {
  const colon = value.indexOf(':');
  const key = colon <= 0 ? '' : value.slice(0, colon).trim().toLowerCase();
  if (key === '' || !/^[0-9a-z_.-]+$/.test(key)) {
    throw new InvalidArgumentError('expected key:value with a key of 0-9 a-z _ . -');
  }
  return [...previous, [key, value.slice(colon + 1).trim()]];
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
  } catch {
    throw new InvalidArgumentError('expected a number of RPCs (50) or a duration (2s)');
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
  let parsed: number;
  try {
    parsed = duration(value);
  } catch {
    throw new InvalidArgumentError('expected 0 (off) or a duration such as 1s, 500ms');
  }
  if (parsed < 100) throw new InvalidArgumentError('expected 0 (off) or at least 100ms');
  return parsed;
}
