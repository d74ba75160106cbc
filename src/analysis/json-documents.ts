// Finds JSON documents in text that also holds other lines: JSON Lines, concatenated or
// pretty-printed documents, with log lines between them, as `kubectl logs` of probe pods gives.

/** What {@link findJsonObjects} found. */
export interface FoundJson {
  /** Parsed top-level objects, in order. */
  readonly objects: readonly unknown[];
  /** Non-blank lines that were not part of a JSON object (log lines, progress, prefixes). */
  readonly otherLines: number;
}

/**
 * Index just past the object that starts at `start` (a `{`), or -1 when the text ends first.
 * Braces inside strings are skipped; the caller still checks the slice with JSON.parse.
 */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{') {
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

/**
 * Every top-level JSON object in `text`. An object may start anywhere on a line (so
 * `kubectl logs --prefix` lines work) and span lines; a line whose `{` does not begin a valid
 * object counts as another line. Pure.
 */
export function findJsonObjects(text: string): FoundJson {
  const objects: unknown[] = [];
  let otherLines = 0;
  let position = 0;
  while (position < text.length) {
    const newline = text.indexOf('\n', position);
    const lineEnd = newline === -1 ? text.length : newline;
    const brace = text.indexOf('{', position);
    if (brace !== -1 && brace < lineEnd) {
      const end = objectEnd(text, brace);
      if (end !== -1) {
        try {
          objects.push(JSON.parse(text.slice(brace, end)));
          // Go on right after it: the rest of its line may hold another document (concatenated).
          position = end;
          continue;
        } catch {
          // not JSON after all: a log line with a brace in it
        }
      }
    }
    if (text.slice(position, lineEnd).trim() !== '') otherLines += 1;
    position = lineEnd + 1;
  }
  return { objects, otherLines };
}
