// Finds JSON documents in text that also holds other lines: JSON Lines, concatenated or
// pretty-printed documents, with log lines between them, as `kubectl logs` of probe pods gives.

/** What {@link findJsonObjects} found. */
export interface FoundJson {
  /** Parsed top-level objects, in order. */
  readonly objects: readonly unknown[];
  /** Non-blank lines that were not part of a JSON object (log lines, progress, prefixes). */
  readonly otherLines: number;
}

const [NEWLINE, BACKSLASH, QUOTE, OPEN, CLOSE] = ['\n', '\\', '"', '{', '}'].map((char) => char.charCodeAt(0)) as [number, number, number, number, number];

/**
 * For each `{` that closes, the index just past its `}`, found in one pass (linear: a log with
 * thousands of unclosed `{` costs no more than one without). Braces inside strings are
 * skipped; a string ends at a newline, as JSON strings hold none raw, so a stray quote in a
 * log line cannot hide the documents after it. The caller still checks each slice with JSON.parse.
 */
function closingBraces(text: string): Map<number, number> {
  const closes = new Map<number, number>();
  const open: number[] = [];
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (char === NEWLINE) {
      inString = false;
    } else if (inString) {
      if (char === BACKSLASH) index += 1;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN) {
      open.push(index);
    } else if (char === CLOSE) {
      const start = open.pop();
      if (start !== undefined) closes.set(start, index + 1);
    }
  }
  return closes;
}

/**
 * Every top-level JSON object in `text`. An object may start anywhere on a line (so
 * `kubectl logs --prefix` lines work) and span lines; a line whose `{` does not begin a valid
 * object counts as another line. Pure; linear in the length of `text`.
 */
export function findJsonObjects(text: string): FoundJson {
  const closes = closingBraces(text);
  const objects: unknown[] = [];
  let otherLines = 0;
  let position = 0;
  // The next `{` at or after position, searched again only once position has passed it.
  let brace = text.indexOf('{');
  while (position < text.length) {
    const newline = text.indexOf('\n', position);
    const lineEnd = newline === -1 ? text.length : newline;
    if (brace !== -1 && brace < position) brace = text.indexOf('{', position);
    const end = brace !== -1 && brace < lineEnd ? closes.get(brace) : undefined;
    if (end !== undefined) {
      try {
        objects.push(JSON.parse(text.slice(brace, end)));
        // Go on right after it: the rest of its line may hold another document (concatenated).
        position = end;
        continue;
      } catch {
        // not JSON after all: a log line with a brace in it
      }
    }
    if (text.slice(position, lineEnd).trim() !== '') otherLines += 1;
    position = lineEnd + 1;
  }
  return { objects, otherLines };
}
