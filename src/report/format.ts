// Small text helpers shared by the reporters: bars, sparklines, numbers, optional color.
import { inspect, stripVTControlCharacters } from 'node:util';
import type { ChannelResolver, DiscoveryResult, RunResult } from '../result/run-result.js';
import { formatDuration } from '../result/units.js';

const EIGHTHS = ['', '\u258f', '\u258e', '\u258d', '\u258c', '\u258b', '\u258a', '\u2589'];
const SPARKS = ['\u2581', '\u2582', '\u2583', '\u2584', '\u2585', '\u2586', '\u2587', '\u2588'];

/** A horizontal bar of `fraction` (0..1) of `width` cells, in eighth-cell steps. */
export function bar(fraction: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, fraction)) * width * 8);
  return '\u2588'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/**
 * A sparkline of `values` scaled to `max` (default: their own max), squeezed to at most
 * `width` cells by summing neighbours. Zero is a space, so idle stretches show as gaps.
 */
export function sparkline(values: readonly number[], width: number, max?: number): string {
  const cells = squeeze(values, width);
  const top = max ?? Math.max(0, ...cells);
  return cells.map((value) => (value <= 0 || top <= 0 ? ' ' : SPARKS[Math.min(7, Math.floor((value / top) * 7.999))])).join('');
}

/** Sums neighbouring values so that at most `width` remain. */
export function squeeze(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const per = Math.ceil(values.length / width);
  const cells: number[] = [];
  for (let start = 0; start < values.length; start += per) {
    cells.push(values.slice(start, start + per).reduce((sum, value) => sum + value, 0));
  }
  return cells;
}

/** Colors the reporters use. */
export type Paint = 'green' | 'red' | 'yellow' | 'cyan' | 'bold' | 'dim';

/**
 * `text` in `style` when `enabled`, else unchanged. The caller decides (NO_COLOR, a terminal):
 * util.styleText would decide again from the environment (CI, TERM), differently across Node versions.
 */
export function paint(style: Paint, text: string, enabled: boolean): string {
  const codes = inspect.colors[style];
  return enabled && codes !== undefined ? `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m` : text;
}

/**
 * The client model the user set, for the report header: `resolver dns-poll every 2 s (14
 * resolutions); channel args k=v, k=v; service config {...}`; null when none of
 * `--re-resolve-interval`, `--channel-arg` and `--service-config` was given.
 */
export function clientConfigText(result: {
  readonly channelArgs?: Readonly<Record<string, string | number>>;
  readonly serviceConfig?: Readonly<Record<string, unknown>> | null;
  readonly resolver?: ChannelResolver;
}): string | null {
  const parts: string[] = [];
  const resolver = result.resolver;
  if (resolver !== undefined && resolver.reResolveIntervalMs !== null) {
    const resolutions = resolver.resolutions === null ? '' : ` (${resolver.resolutions} resolution${resolver.resolutions === 1 ? '' : 's'})`;
    parts.push(`resolver ${resolver.name}, re-resolves every ${formatDuration(resolver.reResolveIntervalMs)}${resolutions}`);
  }
  const args = Object.entries(result.channelArgs ?? {});
  if (args.length > 0) parts.push(`channel args ${args.map(([key, value]) => `${key}=${value}`).join(', ')}`);
  if (result.serviceConfig !== null && result.serviceConfig !== undefined) parts.push(`service config ${JSON.stringify(result.serviceConfig)}`);
  return parts.length === 0 ? null : parts.join('; ');
}

/** Events shown in a report's "what happened" list; the rest are counted (all are in the JSON). */
export const EVENTS_SHOWN = 8;
/** Connection moves listed before the rest are folded into one line (a VIP with max connection age moves every few seconds). */
const MOVES_SHOWN = 2;

/**
 * The "what happened" list: `+3.1 s  127.0.1.4:50051 appeared in DNS`, at most
 * {@link EVENTS_SHOWN} lines; connection moves (`peer-changed`) beyond the first two are one
 * line, other events beyond the limit are counted. Empty without events.
 */
export function eventLines(events: readonly { readonly atMs: number; readonly kind: string; readonly detail: string }[]): string[] {
  const at = (atMs: number): string => `+${(atMs / 1000).toFixed(1)} s`;
  const moves = events.filter((event) => event.kind === 'peer-changed');
  const shownMoves = moves.length > MOVES_SHOWN + 1 ? moves.slice(0, MOVES_SHOWN) : moves;
  const listed = events.filter((event) => event.kind !== 'peer-changed' || shownMoves.includes(event));
  const lines = listed.slice(0, EVENTS_SHOWN).map((event) => `${at(event.atMs).padStart(8)}  ${event.detail}`);
  if (moves.length > shownMoves.length) {
    lines.push(`${''.padStart(8)}  ... ${moves.length - shownMoves.length} more connection moves (peer-changed), the last at ${at(moves.at(-1)!.atMs)}`);
  }
  if (listed.length > EVENTS_SHOWN) lines.push(`${''.padStart(8)}  ... ${listed.length - EVENTS_SHOWN} more events (all in -o json)`);
  return lines;
}

/** Cells a line takes on a terminal: escape codes take none; our text is otherwise one cell per code point. */
export function displayWidth(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/**
 * `line` word-wrapped to `width` cells, continuation lines indented by `indent`; a word longer
 * than a line is cut. Escape codes are kept and take no width.
 */
export function wrapLine(line: string, width: number, indent = '  '): string[] {
  if (displayWidth(line) <= width) return [line];
  const lines: string[] = [];
  let current = '';
  const room = (): number => width - displayWidth(current);
  for (const word of line.split(' ')) {
    const separator = current === '' || current === indent ? '' : ' ';
    if (displayWidth(word) + separator.length <= room()) {
      current += separator + word;
      continue;
    }
    if (current.trim() !== '') lines.push(current.trimEnd());
    current = lines.length === 0 ? '' : indent;
    let rest = word;
    while (displayWidth(rest) > room()) {
      const cut = [...stripVTControlCharacters(rest)].slice(0, room()).join('');
      lines.push(current + cut);
      rest = rest.slice(cut.length);
      current = indent;
    }
    current += rest;
  }
  if (current.trim() !== '') lines.push(current.trimEnd());
  return lines;
}

/** Every line of `lines` wrapped to `width` (lines that fit, like fitted tables, unchanged). */
export function fitLines(lines: readonly string[], width: number): string[] {
  return lines.flatMap((line) => line.split('\n')).flatMap((line) => wrapLine(line, width));
}

/** The pod-name suffix people tell pods apart by (`greeter-7d4b9c6f8-x2k9p` -> `x2k9p`). */
export function shortName(name: string): string {
  const parts = name.split('-');
  return parts.length >= 3 ? (parts[parts.length - 1] as string) : name;
}

/** {@link shortName} of each name when they stay distinct, else the names themselves. */
export function shortNames(names: readonly string[]): string[] {
  const short = names.map(shortName);
  return new Set(short).size === short.length ? short : [...names];
}

/** `call /pkg.S/M  backends by field:pod`: shown unless it is the default SayHello named by the hostname header. */
export function callText(result: RunResult): string | null {
  const method = result.method ?? '/helloworld.Greeter/SayHello';
  const used = result.identity?.used ?? null;
  if (method === '/helloworld.Greeter/SayHello' && (used === null || used === 'header:hostname')) return null;
  return `call ${method}${used === null ? '' : `  backends by ${used === 'peer' ? 'peer address (the replies do not name the server)' : used}`}`;
}

/**
 * The discovery sweep in words, without the trailing "(not in the statistics)": the backends it
 * reached, or, when its replies named no server and it saw one address, that it cannot tell
 * backends apart by peer (it would only count connections to one address).
 */
export function discoveryText(discovery: DiscoveryResult): string {
  const { connections, backends, peers } = discovery;
  if (discovery.byPeer === true && peers.length <= 1) {
    return `${connections} fresh connections to ${peers[0] ?? 'the target'} cannot tell backends apart by peer (the replies do not name the server)`;
  }
  const one = backends.length === 1;
  const noun = discovery.byPeer === true ? (one ? 'address' : 'addresses') : one ? 'backend' : 'backends';
  return `${connections} fresh connections reached ${backends.length} ${noun}${backends.length === 0 ? '' : `: ${backends.join(', ')}`}`;
}
