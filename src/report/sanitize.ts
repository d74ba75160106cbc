// The one place text a server sent (backend names, status details, headers) is made safe for a
// terminal and for markdown: control characters shown as escapes, never a newline, markdown
// kept literal, names capped. JSON and HTML need none of it (their encoders escape).

/** Longest name (code points) a terminal or markdown report shows; longer ones end in {@link ELLIPSIS} (the JSON keeps them whole). */
export const NAME_LIMIT = 200;
/** What a capped name ends with. */
export const ELLIPSIS = '\u2026';

/**
 * What acts on a terminal or breaks a line: C0 controls (ESC, BEL, CR, LF, TAB...), DEL, C1
 * controls (U+0080-U+009F, 8-bit CSI and OSC on some terminals), the Unicode line and paragraph
 * separators, and the bidirectional overrides and isolates that reorder what a line shows
 * (Unicode TR9; "Trojan Source", CVE-2021-42574).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character shown as an escape (`\x1b`, `\n`, `\u202e`): one line, nothing a terminal acts on. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return NAMED[char] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** `text` cut to `limit` code points, the last one {@link ELLIPSIS}, when it is longer. Linear. */
export function capLength(text: string, limit = NAME_LIMIT): string {
  if (text.length <= limit) return text;
  const points = Array.from(text.slice(0, limit * 2 + 2));
  return points.length <= limit ? text : points.slice(0, limit - 1).join('') + ELLIPSIS;
}

/** Runs of non-space characters over {@link NAME_LIMIT} (a long name inside a sentence). */
const LONG_WORD = new RegExp(`\\S{${NAME_LIMIT + 1},}`, 'g');

/**
 * Caps names alike for one report: the same name always gets the same capped form, and names
 * alike in their first {@link NAME_LIMIT} characters stay apart: the first ends in
 * {@link ELLIPSIS}, the next ones in `…#2`, `…#3` (still {@link NAME_LIMIT} code points), in
 * the order met. One per rendering ({@link forTerminal}, {@link forMarkdown}).
 */
export class NameCaps {
  private readonly byName = new Map<string, string>();
  private readonly alike = new Map<string, number>();

  /** `name` capped ({@link capLength}), with a `#N` suffix when another name already took that form. */
  cap(name: string): string {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const base = capLength(name);
    if (base === name) return name;
    const count = (this.alike.get(base) ?? 0) + 1;
    this.alike.set(base, count);
    const suffix = `#${count}`;
    const capped = count === 1 ? base : capLength(name, NAME_LIMIT - suffix.length) + suffix;
    this.byName.set(name, capped);
    return capped;
  }
}

/**
 * A sentence that may hold server text (a diagnosis naming a backend, status details) for a
 * terminal: controls escaped, and any word longer than {@link NAME_LIMIT} capped as a name is
 * (by `caps` when given, so names alike stay apart across one report).
 */
export function terminalText(text: string, caps?: NameCaps): string {
  return escapeControls(text).replace(LONG_WORD, (word) => (caps === undefined ? capLength(word) : caps.cap(word)));
}

/** A name (backend, peer) for a terminal: controls escaped, capped at {@link NAME_LIMIT}. */
export function terminalName(name: string): string {
  return capLength(escapeControls(name));
}

/** Characters that start markdown (CommonMark "backslash escapes") or a GitHub mention, escaped with a backslash. */
const MARKDOWN_SIGNIFICANT = /[\\`*_[\]()#+!|~@{}]/g;
const ENTITIES: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/**
 * `text` (already one line, see {@link terminalText}) as literal markdown: emphasis, links,
 * headings, table cells and mentions escaped, `<`, `>` and `&` as entities so no HTML gets through.
 * Not for code spans or fences: there, {@link terminalText} is enough and escapes would show.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SIGNIFICANT, (char) => `\\${char}`).replace(/[<>&]/g, (char) => ENTITIES[char] as string);
}

/** {@link terminalText}, then {@link escapeMarkdown}. */
export function markdownText(text: string, caps?: NameCaps): string {
  return escapeMarkdown(terminalText(text, caps));
}

/**
 * A copy of plain data (objects, arrays) with every string, object keys included, passed
 * through `text`: what the text reporters render, so no render site can forget a name a
 * server sent. Other values (numbers, null) are kept. Keys that `text` makes equal merge, the
 * last one winning: {@link forTerminal} and {@link forMarkdown} keep names alike apart ({@link NameCaps}).
 */
export function mapStrings<T>(value: T, text: (value: string) => string): T {
  return mapValue(value, text) as T;
}

function mapValue(value: unknown, text: (value: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((item) => mapValue(item, text));
  if (value === null || typeof value !== 'object') return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[text(key)] = mapValue(item, text);
  return copy;
}

/** Server text safe for a terminal: {@link mapStrings} with {@link terminalText}, names alike kept apart. */
export function forTerminal<T>(value: T): T {
  const caps = new NameCaps();
  return mapStrings(value, (text) => terminalText(text, caps));
}

/** Server text as literal markdown: {@link mapStrings} with {@link markdownText}, names alike kept apart. */
export function forMarkdown<T>(value: T): T {
  const caps = new NameCaps();
  return mapStrings(value, (text) => markdownText(text, caps));
}
