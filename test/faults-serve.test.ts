// `serve` keeps its promises under faults: a frozen client cannot hold it past --drain-ms, and
// a repeated SIGTERM does not cut the drain short.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { runProbe } from '../src/engine/probe.js';
import { BIN, runCli } from './helpers.js';

/** util-linux `script` gives the server a terminal, as a person running it has. */
const hasScript = spawnSync('script', ['--version']).status === 0;

const LISTENING = /listening on (127\.0\.0\.1):(\d+)/;

describe('serve under faults (spawned)', { concurrency: 2 }, () => {
  it('exits 0 once --drain-ms has passed although a frozen client holds its connection', async () => {
    let frozen: Socket | undefined;
    const started = Date.now();
    const outcome = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--drain-ms', '500'], {
      timeoutMs: 20_000,
      onStderr: (text, child) => {
        const match = LISTENING.exec(text);
        if (match === null || frozen !== undefined) return;
        frozen = connect(Number(match[2]), match[1]!, () => {
          // The HTTP/2 preface and an empty SETTINGS frame, then nothing: never reads, never closes.
          frozen!.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'));
          frozen!.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
          frozen!.pause();
          setTimeout(() => child.kill('SIGTERM'), 300);
        });
      },
    });
    frozen?.destroy();
    assert.equal(outcome.signal, null, `it exited by itself: ${outcome.stderr}`);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stderr, /stopped: 1 server force-closed after 500 ms/);
    assert.ok(Date.now() - started < 15_000);
  });

  it('a second SIGTERM during the drain is logged and the RPC in flight still succeeds', async () => {
    let rpc: ReturnType<typeof runProbe> | undefined;
    const outcome = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--hostname', 'patient', '--delay-ms', '1500', '--drain-ms', '8000'], {
      onStderr: (text, child) => {
        const match = LISTENING.exec(text);
        if (match !== null && rpc === undefined) {
          rpc = runProbe({ target: `${match[1]}:${match[2]}`, lbPolicy: null, calls: 1, durationMs: null, concurrency: 1, deadlineMs: 10_000 });
          setTimeout(() => {
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGTERM'), 500);
          }, 300);
        }
      },
    });
    assert.ok(rpc !== undefined, outcome.stderr);
    const result = await rpc;
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stderr, /SIGTERM again: still draining \(\d+ ms left\)/);
    assert.match(outcome.stderr, /stopped: drained/);
    assert.equal(result.rpcs.ok, 1, JSON.stringify(result.errors));
  });

  it('a second Ctrl-C at a terminal, after the de-duplication window, closes at once (exit 130)', { skip: hasScript ? false : 'util-linux script is not installed' }, async () => {
    const command = `${process.execPath} ${BIN} serve --host 127.0.0.1 --port 0 --hostname held --delay-ms 20000 --drain-ms 30000`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let rpc: ReturnType<typeof runProbe> | undefined;
    const started = Date.now();
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match === null || rpc !== undefined) return;
      // An RPC held for 20 s keeps the drain going; Ctrl-C is typed into the terminal twice.
      rpc = runProbe({ target: `${match[1]}:${match[2]}`, lbPolicy: null, calls: 1, durationMs: null, concurrency: 1, deadlineMs: 25_000 });
      setTimeout(() => child.stdin!.write('\x03'), 500);
      setTimeout(() => child.stdin!.write('\x03'), 1500);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, output);
    assert.match(output, /SIGINT: draining/);
    assert.match(output, /SIGINT again: closing now/);
    assert.ok(Date.now() - started < 15_000, 'it did not wait for the drain');
    const result = await rpc!;
    assert.equal(result.rpcs.failed, 1, 'the held RPC was cut');
  });
});
