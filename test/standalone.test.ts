// The single-file bundle and the single executable, each copied alone into an empty folder:
// they serve, probe, and answer --version/--help/bad flags as bin/grpclb-probe.js does.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { runCli, type CliOptions } from './helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const EXECUTABLE = join(ROOT, 'dist', 'grpclb-probe-linux-x64');

/** Serves one Greeter with the standalone command, probes it with the same command, stops it. */
async function serveAndProbe(options: CliOptions): Promise<void> {
  let server: ChildProcess | null = null;
  let announce: (port: string) => void = () => undefined;
  const port = new Promise<string>((resolve) => (announce = resolve));
  const served = runCli(['serve', '--port', '0', '--host', '127.0.0.1', '--hostname', 'standalone-1'], {
    ...options,
    onStderr: (text, child) => {
      server = child;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (match !== null) announce(match[1] as string);
    },
  });
  const ready = await Promise.race([port, served.then((outcome) => Promise.reject(new Error(`serve ended: ${outcome.stderr}`)))]);
  try {
    const probe = await runCli(['run', '-t', `127.0.0.1:${ready}`, '-n', '20', '-o', 'json'], options);
    assert.equal(probe.code, 0, probe.stderr);
    const json = JSON.parse(probe.stdout);
    assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name), ['standalone-1']);
    assert.equal(json.rpcs.ok, 20);
    assert.deepEqual(json.tool, { name: 'grpclb-probe', version: VERSION });
    // --call without --proto: types by server reflection, whose protos (client and server side) are embedded.
    const reflected = await runCli(['run', '-t', `127.0.0.1:${ready}`, '-n', '5', '--call', 'helloworld.Greeter/SayHello', '-d', '{"name":"x"}', '-o', 'json'], options);
    assert.equal(reflected.code, 0, reflected.stderr);
    assert.equal(JSON.parse(reflected.stdout).rpcs.ok, 5);
  } finally {
    (server as ChildProcess | null)?.kill('SIGTERM');
  }
  const stopped = await served;
  assert.equal(stopped.code, 0, `serve drains and exits 0 on SIGTERM: ${stopped.stderr}`);
}

/**
 * --version, --help and a usage error as bin/grpclb-probe.js answers them.
 * @param sameHelp compare the help text with bin's: the bundle is built by the test; the
 *   executable may predate the last source change outside CI, so it is held to the shape only.
 */
async function behavesLikeBin(options: CliOptions, sameHelp: boolean): Promise<void> {
  const version = await runCli(['--version'], options);
  assert.equal(version.stdout.trim(), VERSION, version.stderr);
  const [help, binHelp] = await Promise.all([runCli(['merge', '--help'], options), runCli(['merge', '--help'])]);
  assert.equal(help.code, 0);
  if (sameHelp) assert.equal(help.stdout, binHelp.stdout);
  else assert.match(help.stdout, /^Usage: grpclb-probe merge /);
  const usage = await runCli(['run', '--total', 'many'], options);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--total/);
}

/**
 * An xds: target goes through the embedded @grpc/grpc-js-xds (its protos read from memory) to a
 * control plane that does not answer: exit 3 at the connect timeout, naming xDS, not a module
 * or file the standalone copy lacks.
 */
async function reachesXds(options: CliOptions): Promise<void> {
  // @grpc/grpc-js-xds 1.14 requires node.locality; without it the bootstrap is exit 2 (xds-bootstrap.ts).
  const bootstrap = { xds_servers: [{ server_uri: '127.0.0.1:1', channel_creds: [{ type: 'insecure' }] }], node: { id: 'standalone-test', locality: {} } };
  const env = { ...options.env, GRPC_XDS_BOOTSTRAP_CONFIG: JSON.stringify(bootstrap) };
  const outcome = await runCli(['run', '-t', 'xds:///greeter', '-n', '1', '--connect-timeout', '1s', '-q'], { ...options, env });
  assert.doesNotMatch(outcome.stderr, /Cannot find module|__dirname|ENOENT/, outcome.stderr);
  assert.equal(outcome.code, 3, outcome.stderr);
  assert.match(outcome.stderr, /xDS|xds/);
}

describe('single-file bundle (npm run bundle)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'grpclb-bundle-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('copied alone into an empty folder, runs with node alone: serves, probes, same help and exit codes', async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(build.status, 0, build.stderr);
    copyFileSync(join(ROOT, 'dist', 'grpclb-probe.mjs'), join(folder, 'grpclb-probe.mjs'));
    const options: CliOptions = { command: [process.execPath, join(folder, 'grpclb-probe.mjs')], cwd: folder, env: {}, replaceEnv: true };
    await behavesLikeBin(options, true);
    await serveAndProbe(options);
    await reachesXds(options);
  });
});

describe('single executable (npm run sea)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'grpclb-sea-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const missing = !existsSync(EXECUTABLE);
  // .ci/run builds it before npm test; locally `npm run sea` does (about 100 MB, not committed).
  const skip = missing && process.env.CI === undefined ? `${EXECUTABLE} is absent: run \`npm run sea\` first (.ci/run does)` : false;

  it('copied alone, runs --version and a probe with PATH emptied', { skip }, async () => {
    assert.ok(!missing, `${EXECUTABLE} must be built in CI (.ci/run runs npm run sea)`);
    const copy = join(folder, 'grpclb-probe');
    copyFileSync(EXECUTABLE, copy);
    const options: CliOptions = { command: [copy], cwd: folder, env: { PATH: '' }, replaceEnv: true };
    await behavesLikeBin(options, process.env.CI !== undefined);
    await serveAndProbe(options);
    await reachesXds(options);
  });
});
