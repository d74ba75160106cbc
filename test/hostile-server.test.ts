// A server that sends hostile text (escape sequences, newlines, markdown, HTML, 10 KB names):
// nothing it sends may act on the terminal or forge a line of the report (issue 19).
import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttp2Server, constants as http2, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import grpc from '@grpc/grpc-js';
import { greeterService } from '../src/grpc/proto.js';
import { formatProgressLine } from '../src/report/progress.js';
import { capLength, escapeControls, markdownText, NAME_LIMIT, terminalText } from '../src/report/sanitize.js';
import { runCli } from './helpers.js';

/** Sets the window title, clears the screen. */
const TITLE_AND_CLEAR = 'pod-\u001b]0;PWNED\u0007\u001b[2J';
/** A second line that reads like our own verdict. */
const FORGED_LINE = 'pod-b\nBALANCED: forged verdict line';
/** A heading and an image with a handler in markdown. */
const MARKDOWN = 'pod-c\n# heading <img src=x onerror=alert(1)> [link](https://example.invalid) |cell';
const HOSTILE_DETAILS = 'boom\u001b[2J\r\nBALANCED: forged from details';

/** What every text output must never hold: a raw escape, BEL, CR, or a line a server started. */
function assertNothingRaw(text: string): void {
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no raw control character');
  assert.doesNotMatch(text, /^BALANCED: forged/m, 'no forged verdict line');
  assert.doesNotMatch(text, /^# heading/m, 'no forged heading');
}

interface Hostile {
  readonly server: grpc.Server;
  readonly target: string;
}

/** A Greeter that answers each RPC with the next of `names` as `hostname:NAME`; `failEvery`: every Nth RPC fails INTERNAL with hostile details. */
async function startHostile(names: readonly string[], failEvery = 0): Promise<Hostile> {
  let calls = 0;
  const server = new grpc.Server();
  server.addService(greeterService.Greeter.service, {
    SayHello: (_call: unknown, callback: grpc.sendUnaryData<{ message: string }>) => {
      calls += 1;
      if (failEvery > 0 && calls % failEvery === 0) return callback({ code: grpc.status.INTERNAL, details: HOSTILE_DETAILS });
      callback(null, { message: `hostname:${names[calls % names.length]}` });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
  );
  return { server, target: `127.0.0.1:${port}` };
}

const outFile = (name: string): string => join(mkdtempSync(join(tmpdir(), 'grpclb-probe-hostile-')), name);

describe('a server sending hostile names and details (spawned)', { concurrency: 2 }, () => {
  let hostile: Hostile;
  let failing: Hostile;
  before(async () => {
    hostile = await startHostile([TITLE_AND_CLEAR, FORGED_LINE, MARKDOWN], 7);
    failing = await startHostile(['never'], 1);
  });
  after(() => {
    hostile.server.forceShutdown();
    failing.server.forceShutdown();
  });

  it('the table shows the names escaped: no escape reaches the terminal, no line is forged', async () => {
    const outcome = await runCli(['run', '-t', hostile.target, '-n', '30', '--no-color'], { timeoutMs: 30_000 });
    assert.equal(outcome.code, 0, outcome.stderr);
    assertNothingRaw(outcome.stdout);
    assertNothingRaw(outcome.stderr);
    assert.ok(outcome.stdout.includes('pod-\\x1b]0;PWNED\\x07\\x1b[2J'), outcome.stdout);
    assert.ok(outcome.stdout.includes('pod-b\\nBALANCED: forged verdict line'), outcome.stdout);
    assert.ok(outcome.stdout.includes('boom\\x1b[2J\\r\\nBALANCED: forged from details'), 'the error list shows details escaped');
  });

  it('markdown keeps every name literal: no heading, no HTML, no link, no extra cell', async () => {
    const outcome = await runCli(['run', '-t', hostile.target, '-n', '30', '-o', 'markdown'], { timeoutMs: 30_000 });
    assert.equal(outcome.code, 0, outcome.stderr);
    assertNothingRaw(outcome.stdout);
    assert.doesNotMatch(outcome.stdout, /<img/);
    assert.doesNotMatch(outcome.stdout, /[^\\]\[link\]\(/);
    assert.ok(outcome.stdout.includes('\\# heading &lt;img src=x onerror=alert\\(1\\)&gt;'), outcome.stdout);
    const rows = outcome.stdout.split('\n').filter((line) => line.startsWith('| pod-c'));
    assert.equal(rows.length, 1, outcome.stdout);
    assert.equal(rows[0]!.split(/(?<!\\)\|/).length, 10, `eight cells: ${rows[0]}`);
  });

  it('the exit-3 message shows the details escaped, on one line', async () => {
    const outcome = await runCli(['run', '-t', failing.target, '-n', '5', '--no-color'], { timeoutMs: 30_000 });
    assert.equal(outcome.code, 3, outcome.stderr);
    assertNothingRaw(outcome.stdout);
    assertNothingRaw(outcome.stderr);
    const errors = outcome.stderr.split('\n').filter((line) => line.startsWith('grpclb-probe: '));
    assert.equal(errors.length, 1, outcome.stderr);
    assert.match(errors[0]!, /INTERNAL: boom\\x1b\[2J/);
  });
});

describe('a 10 KB backend name (spawned)', () => {
  const long = `pod-${'x'.repeat(10_000)}`;
  let hostile: Hostile;
  before(async () => {
    hostile = await startHostile([long]);
  });
  after(() => hostile.server.forceShutdown());

  it('-o json --out writes the whole name, and the table shows it capped at 200 characters', async () => {
    const file = outFile('run.json');
    const outcome = await runCli(['run', '-t', hostile.target, '-n', '10', '-o', 'json', '--out', file, '--no-color'], { timeoutMs: 30_000 });
    assert.equal(outcome.signal, null, 'ended by itself');
    assert.equal(outcome.code, 0, outcome.stderr);
    const document = JSON.parse(readFileSync(file, 'utf8')) as { backends: { name: string }[] };
    assert.deepEqual(document.backends.map((backend) => backend.name), [long]);
    // The table wraps the capped name over lines: count what is shown of it.
    const shown = (outcome.stdout.match(/x/g) ?? []).length;
    assert.ok(outcome.stdout.includes('\u2026'), 'the name ends in an ellipsis');
    assert.ok(shown >= 196 && shown < 5 * 200, `capped at 200 characters wherever it is shown (${shown} x)`);
  });
});

/** A plaintext HTTP/2 server answering every stream with `answer`. */
async function startHttp2(answer: (stream: import('node:http2').ServerHttp2Stream) => void): Promise<{ server: Http2Server; target: string }> {
  const server = createHttp2Server();
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    answer(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, target: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('answers that are not a readable gRPC reply get a hint that fits (node:http2, spawned)', { concurrency: 3 }, () => {
  const cases: { title: string; answer: (stream: import('node:http2').ServerHttp2Stream) => void; hint: RegExp }[] = [
    {
      title: 'HTTP 200 text/html: the server answered HTTP, not gRPC, with its content-type',
      answer: (stream) => {
        stream.respond({ [http2.HTTP2_HEADER_STATUS]: 200, 'content-type': 'text/html; charset=utf-8' });
        stream.end('<html><body>It works!</body></html>');
      },
      hint: /the server answered HTTP, not gRPC \(content-type text\/html; charset=utf-8\)/,
    },
    {
      title: 'HTTP 404: no gRPC service at this path or port',
      answer: (stream) => stream.respond({ [http2.HTTP2_HEADER_STATUS]: 404 }, { endStream: true }),
      hint: /no gRPC service at this path or port \(HTTP 404\)/,
    },
    {
      title: 'a reply over 4 MiB: names --channel-arg grpc.max_receive_message_length',
      answer: (stream) => {
        stream.respond({ [http2.HTTP2_HEADER_STATUS]: 200, 'content-type': 'application/grpc' });
        const frame = Buffer.alloc(5);
        frame.writeUInt32BE(5_000_000, 1);
        stream.write(frame);
      },
      hint: /larger than the client's 4 MiB limit: raise it with --channel-arg grpc\.max_receive_message_length=5000000/,
    },
  ];
  for (const { title, answer, hint } of cases) {
    it(title, async () => {
      const http = await startHttp2(answer);
      try {
        const outcome = await runCli(['run', '-t', http.target, '-n', '3', '--no-color', '-q'], { timeoutMs: 30_000 });
        assert.equal(outcome.code, 3, outcome.stderr);
        const lines = outcome.stderr.trim().split('\n');
        assert.equal(lines.length, 1, outcome.stderr);
        assert.match(lines[0]!, hint);
      } finally {
        http.server.close();
      }
    });
  }
});

describe('sanitize', () => {
  it('shows controls as escapes, bidi overrides and line separators too', () => {
    assert.equal(escapeControls(TITLE_AND_CLEAR), 'pod-\\x1b]0;PWNED\\x07\\x1b[2J');
    assert.equal(escapeControls('a\r\n\tb\u009bc\u202ed\u2028'), 'a\\r\\n\\tb\\x9bc\\u202ed\\u2028');
  });

  it('caps names at 200 code points with an ellipsis, counting an emoji as one', () => {
    assert.equal(capLength('a'.repeat(NAME_LIMIT)), 'a'.repeat(NAME_LIMIT));
    assert.equal(capLength('\u{1F600}'.repeat(NAME_LIMIT + 1)), '\u{1F600}'.repeat(NAME_LIMIT - 1) + '\u2026');
    assert.equal(terminalText(`all RPCs went to ${'y'.repeat(5000)} here`), `all RPCs went to ${'y'.repeat(NAME_LIMIT - 1)}\u2026 here`);
  });

  it('markdown: literal text, HTML as entities', () => {
    assert.equal(markdownText(MARKDOWN), 'pod-c\\\\n\\# heading &lt;img src=x onerror=alert\\(1\\)&gt; \\[link\\]\\(https://example.invalid\\) \\|cell');
  });

  it('the progress line shows names escaped and capped', () => {
    const line = formatProgressLine(TITLE_AND_CLEAR, {
      elapsedMs: 1000, done: 2, totalCalls: 10, durationMs: null, failed: 0, rpcsPerSecond: 2, p50Ms: 1, p99Ms: 1, warmingUp: false,
      backends: [{ name: FORGED_LINE, rpcs: 1 }, { name: 'z'.repeat(10_000), rpcs: 1 }],
    });
    assertNothingRaw(line);
    assert.ok(!line.includes('\n'), 'one line');
    assert.ok(line.includes(`${'z'.repeat(NAME_LIMIT - 1)}\u2026 1`), line);
  });
});
