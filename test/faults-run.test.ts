// Faults during `run`, on loopback: backends killed mid-run, ports that are not gRPC, TLS
// mix-ups, an unwritable --out, and signals. Each run must end by itself with the right exit
// code and whatever was measured saved.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import grpc from '@grpc/grpc-js';
import { greeterService } from '../src/grpc/proto.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { BIN, oneLine, runCli, startServers, stopServers } from './helpers.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));
const outFile = (name: string): string => join(mkdtempSync(join(tmpdir(), 'grpclb-probe-fault-')), name);
const addressOf = (server: Server): string => `127.0.0.1:${(server.address() as AddressInfo).port}`;

/** `grpclb-probe serve` in its own process, so a test can SIGKILL it. */
function serveProcess(hostname: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--hostname', hostname], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(stderr);
      if (match !== null) resolve({ child, address: match[1]! });
    });
    child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
  });
}

/** A TLS Greeter (grpc-js directly: the test's own server, with the fixture certificate). */
async function startTlsServer(): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  server.addService(greeterService.Greeter.service, {
    SayHello: (_call: unknown, callback: grpc.sendUnaryData<{ message: string }>) => callback(null, { message: 'hostname:tls-1, in:x' }),
  });
  const credentials = grpc.ServerCredentials.createSsl(null, [{ private_key: fixture('server.key'), cert_chain: fixture('server.pem') }]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error === null ? resolve(bound) : reject(error))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

describe('backends that die mid-run (spawned)', { concurrency: 2 }, () => {
  let survivor: GreeterServer[];
  before(async () => {
    survivor = await startServers(1, 'survivor');
  });
  after(() => stopServers(survivor));

  /** Kills `doomed` once the run's progress line shows some RPCs done (not on a clock: start-up varies). */
  const killWhenRunning = (doomed: ChildProcess) => (text: string): void => {
    if (/\s[1-9]\d*\/\d+ RPCs/.test(text) && doomed.exitCode === null && !doomed.killed) doomed.kill('SIGKILL');
  };

  it('one backend SIGKILLed: the run goes on over the other and saves every RPC', async () => {
    const doomed = await serveProcess('doomed');
    const file = outFile('one-killed.json');
    const target = `ipv4:${survivor[0]!.address},${doomed.address}`;
    const outcome = await runCli(['run', '-t', target, '--lb-policy', 'round_robin', '-n', '500', '--rps', '100', '--deadline-ms', '500', '-o', 'json', '--out', file], {
      onStderr: killWhenRunning(doomed.child),
    });
    doomed.child.kill('SIGKILL');
    assert.equal(outcome.signal, null);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.ok(doomed.child.killed);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(json.rpcs.total, 500);
    const byName = Object.fromEntries(json.backends.map((backend: { name: string; rpcs: number }) => [backend.name, backend.rpcs]));
    assert.ok(byName.doomed > 0, 'the doomed backend answered before it died');
    assert.ok(byName['survivor-1'] > byName.doomed, JSON.stringify(byName));
  });

  it('one of three backends SIGKILLed under round_robin: not green, --expect balanced and --min-backends 3 fail', async () => {
    const doomed = await serveProcess('doomed-3');
    const second = await startServers(1, 'second');
    const file = outFile('one-of-three-killed.json');
    const target = `ipv4:${survivor[0]!.address},${second[0]!.address},${doomed.address}`;
    const outcome = await runCli(
      ['run', '-t', target, '--lb-policy', 'round_robin', '-n', '600', '--rps', '100', '--deadline-ms', '500', '--expect', 'balanced', '--min-backends', '3', '-o', 'json', '--out', file],
      { onStderr: killWhenRunning(doomed.child) },
    );
    doomed.child.kill('SIGKILL');
    stopServers(second);
    assert.equal(outcome.code, 1, outcome.stderr);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(json.endOfRun.lost.map((entry: { backend: string }) => entry.backend), ['doomed-3']);
    assert.equal(json.endOfRun.answeringAtEnd, 2);
    const gates = Object.fromEntries(json.gates.map((gate: { gate: string; passed: boolean; measured: unknown }) => [gate.gate, gate]));
    assert.equal(gates['--expect'].passed, false);
    assert.equal(gates['--min-backends'].passed, false);
    assert.equal(gates['--min-backends'].measured, 2);
    assert.match(outcome.stderr, /lost doomed-3|run lost doomed-3/);
  });

  it('every backend killed: the run ends on its count, failures counted, the report saved', async () => {
    const doomed = await serveProcess('only');
    const file = outFile('all-killed.json');
    const outcome = await runCli(['run', '-t', doomed.address, '-n', '500', '--rps', '100', '--deadline-ms', '500', '-o', 'json', '--out', file], {
      onStderr: killWhenRunning(doomed.child),
    });
    doomed.child.kill('SIGKILL');
    assert.equal(outcome.signal, null);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(json.rpcs.total, 500);
    assert.ok(json.rpcs.ok > 0 && json.rpcs.failed > 0, JSON.stringify(json.rpcs));
    assert.ok((json.rpcs.byStatus.UNAVAILABLE ?? 0) > 0, JSON.stringify(json.rpcs.byStatus));
  });
});

describe('servers that do not speak gRPC, and TLS mix-ups (spawned)', { concurrency: 3 }, () => {
  let closer: Server;
  let http1: Server;
  let tls: { server: grpc.Server; address: string };
  let plain: GreeterServer[];
  before(async () => {
    closer = createTcpServer((socket) => socket.destroy());
    http1 = createHttpServer((_request, response) => response.end('hello'));
    await Promise.all([closer, http1].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    tls = await startTlsServer();
    plain = await startServers(1, 'plain');
  });
  after(() => {
    closer.close();
    http1.close();
    tls.server.forceShutdown();
    stopServers(plain);
  });

  // The run first waits for a ready channel (--connect-timeout, issue 9): these never get one.
  it('a port that accepts TCP and closes: exit 3 in one line naming the connection error', async () => {
    const outcome = await runCli(['run', '-t', addressOf(closer), '-n', '3', '--deadline-ms', '1000', '--connect-timeout', '2s', '-q']);
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /cannot connect to 127\.0\.0\.1:\d+ within [\d.]+ s \(--connect-timeout\): 14 UNAVAILABLE: No connection established/);
  });

  it('an HTTP/1.1 server: exit 3 saying it cannot answer gRPC', async () => {
    const outcome = await runCli(['run', '-t', addressOf(http1), '-n', '3', '--deadline-ms', '1000', '--connect-timeout', '2s', '-q']);
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /HTTP\/1\.1 server cannot answer gRPC/);
  });

  it('a plaintext client to a TLS server is told to add --tls', async () => {
    const outcome = await runCli(['run', '-t', tls.address, '-n', '3', '--deadline-ms', '1000', '--connect-timeout', '2s', '-q']);
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /if it speaks TLS add --tls/);
  });

  it('a TLS client to a plaintext server is told to drop --tls', async () => {
    const outcome = await runCli(['run', '-t', plain[0]!.address, '--tls', '-n', '3', '--deadline-ms', '1000', '--connect-timeout', '2s', '-q']);
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /TLS: wrong version number; the server does not speak TLS \(drop --tls\)/);
  });

  it('TLS to an IP target with the test CA works, with no deprecation warning', async () => {
    const outcome = await runCli(['run', '-t', tls.address, '--tls', '--ca-cert', 'fixtures/tls/ca.pem', '-n', '5', '-q']);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.stderr, '');
    assert.match(outcome.stdout, /tls-1\s*│/);
  });
});

describe('output that cannot be written, and signals (spawned)', { concurrency: 3 }, () => {
  let fast: GreeterServer[];
  let slow: GreeterServer[];
  before(async () => {
    fast = await startServers(1, 'fast');
    slow = await startServers(1, 'slow', { delayMs: 100 });
  });
  after(() => {
    stopServers(fast);
    stopServers(slow);
  });

  it('--out /dev/full: stderr names the file, the JSON goes to stdout, exit 74', async () => {
    const outcome = await runCli(['run', '-t', fast[0]!.address, '-n', '10', '-q', '-o', 'json', '--out', '/dev/full']);
    assert.equal(outcome.code, 74, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /--out \/dev\/full: cannot write: ENOSPC; the json report follows on stdout/);
    const json = JSON.parse(outcome.stdout.slice(outcome.stdout.indexOf('{')));
    assert.equal(json.rpcs.ok, 10);
  });

  it('--out /dev/full with a failed gate keeps exit 1', async () => {
    const outcome = await runCli(['run', '-t', fast[0]!.address, '-n', '10', '-q', '--min-backends', '2', '--out', '/dev/full']);
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.match(outcome.stderr, /--out \/dev\/full: cannot write: ENOSPC/);
    assert.match(outcome.stderr, /gate --min-backends failed/);
  });

  it('SIGHUP is an interrupt: partial report saved, exit 130', async () => {
    const file = outFile('hup.json');
    const outcome = await runCli(['run', '-t', slow[0]!.address, '-n', '1000', '-o', 'json', '--out', file], {
      onStderr: (text, child) => {
        if (/RPCs, \d+ RPC\/s/.test(text) && !/warming up/.test(text) && !child.killed) child.kill('SIGHUP');
      },
    });
    assert.equal(outcome.code, 130, outcome.stderr);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(json.stopReason, 'interrupted');
    assert.ok(json.rpcs.ok > 0 && json.rpcs.ok < 1000, `ok ${json.rpcs.ok}`);
  });

  it('two SIGINTs within 50 ms count as one: RPCs in flight finish, the report is whole', async () => {
    const file = outFile('double.json');
    let sent = false;
    const outcome = await runCli(['run', '-t', slow[0]!.address, '-n', '1000', '-c', '4', '-o', 'json', '--out', file], {
      onStderr: (text, child) => {
        if (/RPCs, \d+ RPC\/s/.test(text) && !/warming up/.test(text) && !sent) {
          sent = true;
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGINT'), 20);
        }
      },
    });
    assert.equal(outcome.code, 130, outcome.stderr);
    assert.doesNotMatch(outcome.stderr, /again, exiting now/);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(json.rpcs.failed, 0, 'the RPCs in flight were let finish');
    assert.match(outcome.stdout, /interrupted: partial results/);
  });

  it('a second SIGINT later exits at once and still writes --out with what was measured', async () => {
    const stalling = await startServers(1, 'stalling');
    const file = outFile('second.json');
    try {
      let sent = false;
      const outcome = await runCli(['run', '-t', stalling[0]!.address, '-c', '2', '-n', '100000000', '--deadline-ms', '60000', '-o', 'json', '--out', file], {
        onStderr: (text, child) => {
          if (!/RPCs, \d+ RPC\/s/.test(text) || sent) return;
          sent = true;
          // From now on every RPC hangs: the first SIGINT waits for them, the second does not.
          stalling[0]!.setDelayMs(60_000);
          setTimeout(() => child.kill('SIGINT'), 300);
          setTimeout(() => child.kill('SIGINT'), 1100);
        },
      });
      assert.equal(outcome.code, 130, outcome.stderr);
      assert.match(outcome.stderr, /SIGINT again, exiting now with what was measured/);
      const json = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(json.stopReason, 'interrupted');
      assert.ok(json.rpcs.ok > 0, JSON.stringify(json.rpcs));
      assert.match(outcome.stdout, new RegExp(`RPCs ${json.rpcs.ok} ok`), 'the table printed the same counts');
    } finally {
      stopServers(stalling);
    }
  });

  it('an interrupted idle run reports the time it really ran', async () => {
    // One RPC at once, the next due in 5 s: interrupted soon after the first measured progress line.
    let sent = false;
    const outcome = await runCli(['run', '-t', fast[0]!.address, '--rps', '0.2', '-n', '10', '-o', 'json'], {
      onStderr: (text, child) => {
        if (/RPCs, \d+ RPC\/s/.test(text) && !/warming up/.test(text) && !sent) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 600);
        }
      },
    });
    assert.equal(outcome.code, 130, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.rpcs.ok, 1);
    // Interrupted 600 ms after a measured progress line: far past its one RPC (a few ms).
    assert.ok(json.elapsedMs >= 500, `elapsed ${json.elapsedMs} ms`);
  });
});

describe('-o json on every exit but 2 (spawned)', () => {
  it('a run that never connected (exit 3) still prints its document and writes --out: stopReason, the error, what was tried', async () => {
    const file = outFile('never.json');
    const outcome = await runCli(['run', '-t', '127.0.0.1:1', '--connect-timeout', '1s', '-n', '3', '-o', 'json', '--out', file], { timeoutMs: 30_000 });
    assert.equal(outcome.code, 3, outcome.stderr);
    // A slow start may print a progress line (indented) before the connect timeout: only the error counts.
    assert.match(oneLine(outcome.stderr.replace(/^127\.0\.0\.1:1\n/, '').replace(/^\s+warming up[^\n]*\n/m, '')), /cannot connect to 127\.0\.0\.1:1 .*--connect-timeout/);
    assert.equal(outcome.stdout, '', 'no table: the line says it all');
    const document = JSON.parse(readFileSync(file, 'utf8')) as { stopReason: string; connect: { error: string }; resolvedAddresses: string[]; target: string };
    assert.equal(document.stopReason, 'connect-timeout');
    assert.match(document.connect.error, /ECONNREFUSED 127\.0\.0\.1:1/);
    assert.deepEqual(document.resolvedAddresses, ['127.0.0.1:1']);
    const piped = await runCli(['run', '-t', '127.0.0.1:1', '--connect-timeout', '1s', '-n', '3', '-o', 'json', '-q'], { timeoutMs: 30_000 });
    assert.equal(piped.code, 3, piped.stderr);
    assert.equal((JSON.parse(piped.stdout) as { stopReason: string }).stopReason, 'connect-timeout', 'one JSON document on stdout');
  });
});
