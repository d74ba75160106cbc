// `--call Service/Method` without its package: the one service of that name in the protos given,
// the built-in ones or server reflection; several of that name is exit 2 naming each of them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServers, stopServers } from './helpers.js';
import { startEchoServers, type EchoServer } from './echo-server.js';
import type { GreeterServer } from '../src/server/greeter.js';

/** Two protos, each with a service Greeter of its own package. */
function twoGreeters(): string[] {
  const folder = mkdtempSync(join(tmpdir(), 'grpclb-probe-greeters-'));
  return ['alpha', 'beta'].map((name) => {
    const file = join(folder, `${name}.proto`);
    writeFileSync(file, `syntax = "proto3";\npackage ${name};\nservice Greeter { rpc SayHello (Req) returns (Rep) {} }\nmessage Req { string name = 1; }\nmessage Rep { string message = 1; }\n`);
    return file;
  });
}

describe('--call without the package (spawned)', { concurrency: 2 }, () => {
  let greeters: GreeterServer[];
  let echoes: EchoServer[];
  before(async () => {
    greeters = await startServers(1, 'plain');
    echoes = await startEchoServers(1, { reflection: true });
  });
  after(() => {
    stopServers(greeters);
    for (const server of echoes) server.stop();
  });

  /** Runs 5 RPCs of `call` and checks that each went to `path` and succeeded. */
  async function sends(target: string, call: string, path: string): Promise<void> {
    const outcome = await runCli(['run', '-t', target, '--call', call, '-n', '5', '-o', 'json']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.deepEqual([json.method, json.rpcs.ok], [path, 5]);
  }

  it('Greeter/SayHello is the built-in helloworld.Greeter, and every RPC succeeds', () => sends(greeters[0]!.address, 'Greeter/SayHello', '/helloworld.Greeter/SayHello'));

  it('Echo/Say is found through server reflection by its one fully qualified service', () => sends(echoes[0]!.address, 'Echo/Say', '/grpclbprobe.echo.Echo/Say'));

  it('two services named Greeter in the --proto files: exit 2, did you mean each of them', async () => {
    const protos = twoGreeters();
    const outcome = await runCli(['run', '-t', greeters[0]!.address, ...protos.flatMap((file) => ['--proto', file]), '--call', 'Greeter/SayHello', '-n', '5']);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.equal(outcome.stderr.trim(), 'grpclb-probe: --call: Greeter/SayHello names 2 services: did you mean alpha.Greeter/SayHello or beta.Greeter/SayHello?');
    assert.equal(outcome.stdout, '');
  });
});
