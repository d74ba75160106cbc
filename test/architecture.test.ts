// The shape of src/ as a test: which layer may import which, and how large a file or a function
// may grow (README, "Layout"). It reads the sources as text; nothing is run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 100;

/**
 * Layers a layer must not import (README, "Layout"). `result` is the ground floor: it imports no
 * other layer; `analysis` imports only `result`.
 */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  result: ['analysis', 'cli', 'engine', 'grpc', 'k8s', 'lab', 'lb', 'report', 'server', 'ui'],
  grpc: ['engine', 'analysis', 'report', 'ui', 'cli', 'lab'],
  engine: ['analysis', 'report', 'ui', 'cli', 'lab'],
  analysis: ['cli', 'engine', 'grpc', 'k8s', 'lab', 'lb', 'report', 'server', 'ui'],
  report: ['engine', 'grpc', 'lab', 'server', 'cli', 'ui', 'lb', 'k8s'],
  lab: ['report', 'ui', 'cli'],
  ui: ['engine', 'grpc', 'cli', 'lab', 'server'],
  server: ['engine', 'analysis', 'report', 'ui', 'cli', 'lab'],
  k8s: ['analysis', 'cli', 'engine', 'grpc', 'lab', 'lb', 'report', 'server', 'ui'],
  lb: ['analysis', 'cli', 'engine', 'grpc', 'k8s', 'lab', 'report', 'server', 'ui'],
};

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const FILES = sources(SRC);
const layerOf = (path: string): string => relative(SRC, path).split('/')[0]?.replace(/\.tsx?$/, '') ?? '';

/** Relative imports of a file (static `import`/`export ... from` and `import()`), as absolute paths. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)];
  return found.map((match) => resolve(dirname(path), (match[1] ?? match[2]) as string));
}

/**
 * Blanks out comments, strings, template literal text and regular expression literals, keeping
 * line breaks, so that braces can be matched on what is left.
 */
function codeOnly(text: string): string {
  let out = '';
  let index = 0;
  const templateDepth: number[] = [];
  let braceDepth = 0;
  let previous = '';
  const blank = (chunk: string): string => chunk.replace(/[^\n]/g, ' ');
  while (index < text.length) {
    const char = text[index] as string;
    const rest = text.slice(index, index + 2);
    if (rest === '//') {
      const end = text.indexOf('\n', index);
      const stop = end < 0 ? text.length : end;
      out += blank(text.slice(index, stop));
      index = stop;
    } else if (rest === '/*') {
      const end = text.indexOf('*/', index + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += blank(text.slice(index, stop));
      index = stop;
    } else if (char === "'" || char === '"') {
      let stop = index + 1;
      while (stop < text.length && text[stop] !== char && text[stop] !== '\n') stop += text[stop] === '\\' ? 2 : 1;
      out += blank(text.slice(index, stop + 1));
      index = stop + 1;
      previous = 'x';
    } else if (char === '`' || (char === '}' && templateDepth.at(-1) === braceDepth)) {
      if (char === '}') templateDepth.pop();
      let stop = index + 1;
      while (stop < text.length && text[stop] !== '`' && !(text[stop] === '$' && text[stop + 1] === '{')) stop += text[stop] === '\\' ? 2 : 1;
      if (text[stop] === '$') {
        templateDepth.push(braceDepth);
        out += blank(text.slice(index, stop + 2));
        index = stop + 2;
      } else {
        out += blank(text.slice(index, stop + 1));
        index = stop + 1;
      }
      previous = 'x';
    } else if (char === '/' && (previous === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(previous))) {
      let stop = index + 1;
      let inClass = false;
      while (stop < text.length && text[stop] !== '\n' && (inClass || text[stop] !== '/')) {
        if (text[stop] === '[') inClass = true;
        if (text[stop] === ']') inClass = false;
        stop += text[stop] === '\\' ? 2 : 1;
      }
      out += blank(text.slice(index, stop + 1));
      index = stop + 1;
      previous = 'x';
    } else {
      if (char === '{') braceDepth += 1;
      if (char === '}') braceDepth -= 1;
      out += char;
      if (!/\s/.test(char)) previous = char;
      index += 1;
    }
  }
  return out;
}

const FUNCTION_START =
  /(\bfunction\b[^{]*\{\s*$|=>\s*\{\s*$|^\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*[A-Za-z_$][\w$]*\s*(?:<[^>]*>)?\([^]*\)\s*(?::\s*[^={]+)?\{\s*$)/;
const NOT_A_FUNCTION = /^\s*(?:\}\s*)?(?:if|for|while|switch|catch|else|do|try|return|with)\b/;

/** Functions (declarations, methods, arrow functions with a block) longer than the limit, as `file:line (N lines)`. */
function longFunctions(path: string): string[] {
  const lines = codeOnly(readFileSync(path, 'utf8')).split('\n');
  const found: string[] = [];
  const open: { line: number; isFunction: boolean }[] = [];
  lines.forEach((line, number) => {
    for (let column = 0; column < line.length; column += 1) {
      const char = line[column];
      if (char === '{') {
        const before = line.slice(0, column + 1);
        open.push({ line: number, isFunction: FUNCTION_START.test(before) && !NOT_A_FUNCTION.test(before) });
      } else if (char === '}') {
        const block = open.pop();
        const length = block === undefined ? 0 : number - block.line - 1;
        if (block?.isFunction && length > MAX_FUNCTION_LINES) found.push(`${relative(SRC, path)}:${block.line + 1} (${length} lines)`);
      }
    }
  });
  return found;
}

describe('the shape of src/', () => {
  it('no layer imports a layer it must not', () => {
    const offences = FILES.flatMap((path) => {
      const banned = FORBIDDEN[layerOf(path)] ?? [];
      return importsOf(path)
        .filter((target) => banned.includes(layerOf(target)))
        .map((target) => `${relative(SRC, path)} -> ${relative(SRC, target)}`);
    });
    assert.deepEqual(offences, []);
  });

  it(`no file is over ${MAX_FILE_LINES} lines`, () => {
    const large = FILES.map((path) => ({ path, lines: readFileSync(path, 'utf8').split('\n').length }))
      .filter((file) => file.lines > MAX_FILE_LINES)
      .map((file) => `${relative(SRC, file.path)} (${file.lines} lines)`);
    assert.deepEqual(large, []);
  });

  it(`no function body is over ${MAX_FUNCTION_LINES} lines`, () => {
    assert.deepEqual(FILES.flatMap(longFunctions), []);
  });

  it('the measure finds a long function and a forbidden import when there is one', () => {
    // The checks above can fail: the scanner sees through strings and template literals.
    const body = Array.from({ length: MAX_FUNCTION_LINES + 1 }, (_, index) => `  const v${index} = '}' + \`\${'{'}\`;`).join('\n');
    const text = `export function long(): void {\n${body}\n}\n`;
    const blanked = codeOnly(text);
    assert.equal(blanked.split('\n').length, text.split('\n').length);
    assert.equal((blanked.match(/\{/g) ?? []).length, 1);
    assert.equal((blanked.match(/\}/g) ?? []).length, 1);
    assert.ok(FUNCTION_START.test('export function long(): void {'));
    assert.ok(FUNCTION_START.test('  const next = (worker: number): void => {'));
    assert.ok(FUNCTION_START.test('  snapshot(): ProgressSnapshot {'));
    assert.ok(!FUNCTION_START.test('  if (x) {') || NOT_A_FUNCTION.test('  if (x) {'));
  });
});
