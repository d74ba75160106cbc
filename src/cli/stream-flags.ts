// The stream flag group of `run` (how many streams, how many messages each, how often the client
// sends, how long a stream may live) and of `serve` (how the server streams), with their checks:
// those on the flags alone at parse time, those that need the method once it is known.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { StreamLoad } from '../engine/probe.js';
import type { MethodSpec } from '../grpc/method.js';
import { MAX_CONCURRENCY } from './client-limits.js';
import { UsageError } from './errors.js';
import * as parse from './parse.js';

/** The stream flags of `run` as commander parses them. */
export interface StreamFlags {
  streams?: number;
  streamMessages?: number;
  streamInterval?: number;
  maxStreamAge?: number;
}

/** Streams held open when `--streams` is not given. */
export const DEFAULT_STREAMS = 10;
/** Between client messages on client and bidi streams when `--stream-interval` is not given, ms. */
export const DEFAULT_STREAM_INTERVAL_MS = 100;
/** The shortest `--max-stream-age`, ms: below it a stream is re-opened faster than it carries anything. */
export const MIN_MAX_STREAM_AGE_MS = 10;

/** `0` or a duration with a unit (`0ms`, `100ms`, `2s`), ms. */
export function durationOrZero(value: string): number {
  if (/^\s*0+(ms|s|m)?\s*$/.test(value)) return 0;
  return parse.duration(value);
}

/** `--max-stream-age`: a duration of at least {@link MIN_MAX_STREAM_AGE_MS}. */
function maxStreamAge(value: string): number {
  const parsed = parse.duration(value);
  if (parsed < MIN_MAX_STREAM_AGE_MS) throw new InvalidArgumentError(`expected at least ${MIN_MAX_STREAM_AGE_MS}ms`);
  return parsed;
}

/** Adds --streams, --stream-messages, --stream-interval and --max-stream-age to `run`. */
export function addStreamFlags(command: Command): Command {
  return command
    .addOption(
      new Option('--streams <s>', `streaming --call: streams held open at once (at most ${MAX_CONCURRENCY})`)
        .argParser(parse.integerBetween(1, MAX_CONCURRENCY, ', what one probe process can hold open'))
        .default(undefined, String(DEFAULT_STREAMS)),
    )
    .option('--stream-messages <m>', 'streaming --call: messages per stream, then it is ended and opened again (default: until the run ends)', parse.integerAtLeast(1))
    .option('--stream-interval <duration>', `client and bidi streams: between client messages (default ${DEFAULT_STREAM_INTERVAL_MS}ms; 0: as fast as replies come)`, durationOrZero)
    .option('--max-stream-age <duration>', `streaming --call: end each stream after this long (±10 % jitter) and open it again, >= ${MIN_MAX_STREAM_AGE_MS}ms`, maxStreamAge);
}

/** The stream flags' attribute names, for cross-flag checks. */
export const STREAM_FLAG_NAMES = ['streams', 'streamMessages', 'streamInterval', 'maxStreamAge'] as const;

/** `['streamInterval']` -> `--stream-interval` */
function flagName(name: string): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/**
 * The checks that need the method: stream flags need a streaming method, and a streaming
 * method takes no `--rps` and no `--stream-interval` when only the server sends.
 * @throws UsageError naming the flag
 */
export function checkStreamFlags(flags: StreamFlags & { rps?: number; concurrency?: number; loadSchedule?: string; concurrencySchedule?: string }, method: MethodSpec): void {
  if (method.kind === 'unary') {
    const given = STREAM_FLAG_NAMES.filter((name) => flags[name] !== undefined);
    if (given.length > 0) throw new UsageError(`${given.map(flagName).join(', ')}: ${method.path} is unary; stream flags need a streaming --call`);
    return;
  }
  if (flags.rps !== undefined) throw new UsageError(`--rps: ${method.path} streams; pace its messages with --stream-interval and bound the run with -z or -n`);
  for (const [flag, given] of [['--load-schedule', flags.loadSchedule], ['--concurrency-schedule', flags.concurrencySchedule]] as const) {
    if (given !== undefined) throw new UsageError(`${flag}: ${method.path} streams; pace its messages with --stream-interval`);
  }
  if ((flags.concurrency ?? 1) !== 1) throw new UsageError(`--concurrency: ${method.path} streams; give the number of streams with --streams`);
  if (flags.streamInterval !== undefined && method.kind === 'server-streaming') {
    throw new UsageError(`--stream-interval: ${method.path} is server streaming: the server paces its messages (serve --stream-interval)`);
  }
}

/** The stream load the flags ask for (defaults filled in). */
export function streamLoadOf(flags: StreamFlags): StreamLoad {
  return {
    streams: flags.streams ?? DEFAULT_STREAMS,
    messagesPerStream: flags.streamMessages ?? null,
    intervalMs: flags.streamInterval ?? DEFAULT_STREAM_INTERVAL_MS,
    maxStreamAgeMs: flags.maxStreamAge ?? null,
  };
}

/** The stream flags of `serve`. */
export interface ServeStreamFlags {
  streamInterval: number;
  streamMessages?: number;
}

/** Adds `serve`'s --stream-interval and --stream-messages (how SayHelloStreamReply answers). */
export function addServeStreamFlags(command: Command): Command {
  return command
    .addOption(new Option('--stream-interval <duration>', 'SayHelloStreamReply: between replies (0: as fast as the client reads)').argParser(durationOrZero).default(100, '100ms'))
    .option('--stream-messages <m>', 'SayHelloStreamReply: replies, then the server ends the stream (default: until the client cancels)', parse.integerAtLeast(1));
}
