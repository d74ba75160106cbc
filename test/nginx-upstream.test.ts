// The README's nginx recipe against real nginx (Debian's package; `.ci/run` installs it): `grpc_pass`
// to three `serve` replicas with `add_header x-upstream-addr $upstream_addr always;`, so `auto`
// names each backend behind the one peer. nginx runs from a temp dir the test owns, on loopback.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { runCli } from './helpers.js';
import { spawnServe, type ServeProcess } from './serve-process.js';

const NGINX = '/usr/sbin/nginx';
const NGINX_MISSING = existsSync(NGINX) ? null : `${NGINX} is missing (apt-get install nginx, as .ci/run does)`;

/** A free loopback port: nginx takes a port in its config, not 0. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The README's recipe in a config that keeps nginx inside `dir`: one process, in the foreground. */
function nginxConfig(dir: string, port: number, upstreams: readonly string[]): string {
  const temp = (name: string): string => `${name}_temp_path ${path.join(dir, name)};`;
  return [
    'daemon off;',
    // One process: killing the child stops nginx, with no orphaned worker left listening.
    'master_process off;',
    // As root, nginx would run its worker as nobody, which cannot use the temp dir.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'error.log')} warn;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
    `  upstream replicas { ${upstreams.map((address) => `server ${address};`).join(' ')} }`,
    '  server {',
    `    listen 127.0.0.1:${port} http2;`,
    '    location / {',
    '      grpc_pass grpc://replicas;',
    '      add_header x-upstream-addr $upstream_addr always;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Resolves once `port` accepts a connection; rejects after `ms` or when nginx exits. */
async function listening(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nginx exited (${child.exitCode ?? child.signalCode})`);
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (connected) return;
    await delay(50);
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${ms} ms`);
}

describe('nginx with the README recipe names its upstream (spawned)', () => {
  if (NGINX_MISSING !== null && process.env.CI === undefined) {
    it('runs against real nginx', { skip: NGINX_MISSING }, () => {});
    return;
  }
  let serve: ServeProcess | undefined;
  let nginx: ChildProcess | undefined;
  let nginxExited: Promise<void> = Promise.resolve();
  let dir: string | undefined;
  let address = '';
  let nginxOutput = '';
  before(async () => {
    assert.equal(NGINX_MISSING, null, `CI is set: ${NGINX_MISSING}`);
    serve = await spawnServe(['--replicas', '3', '--hostname', 'replica'], 3);
    dir = await mkdtemp(path.join(tmpdir(), 'grpclb-probe-nginx-'));
    const port = await freePort();
    const config = path.join(dir, 'nginx.conf');
    await writeFile(config, nginxConfig(dir, port, serve.addresses));
    // -e: the log of start-up itself, before the config is read (Debian's default is under /var/log).
    nginx = spawn(NGINX, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    const child = nginx;
    nginxExited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr!.on('data', (chunk: Buffer) => (nginxOutput += chunk.toString()));
    await listening(port, child, 10_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${nginxOutput}`);
    });
    address = `127.0.0.1:${port}`;
  });
  after(async () => {
    if (nginx !== undefined && nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGKILL');
    await nginxExited;
    await serve?.kill();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('auto finds three backends through one peer, BALANCED, and every gate is judged over them', async () => {
    const outcome = await runCli(
      ['run', '-t', address, '--call', 'grpc.health.v1.Health/Check', '-n', '90', '--max-skew', '1.3', '--min-backends', '3', '--expect', 'balanced', '-o', 'json'],
      { timeoutMs: 60_000 },
    );
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.identity.used, 'header:x-upstream-addr');
    assert.deepEqual(json.peers, [address]);
    const backends = json.backends as { name: string; rpcs: number }[];
    assert.deepEqual(backends.map((backend) => backend.name).sort(), [...(serve as ServeProcess).addresses].sort());
    // nginx's round robin per RPC: 30 each, give or take a few.
    for (const backend of backends) assert.ok(backend.rpcs >= 20 && backend.rpcs <= 40, `${backend.name}: ${backend.rpcs} RPCs`);
    assert.equal(json.diagnosis.verdict, 'BALANCED');
    assert.deepEqual(
      json.gates.map((gate: { gate: string; measured: unknown; passed: boolean }) => [gate.gate, typeof gate.measured, gate.passed]),
      [
        ['--max-skew', 'number', true],
        ['--min-backends', 'number', true],
        ['--expect', 'string', true],
      ],
    );
  });
});
