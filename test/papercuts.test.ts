// What a newcomer pastes and reads: help examples that run as printed, serve's ready-to-paste
// target, GITHUB_STEP_SUMMARY written once when stdout is that file, no colors for TERM=dumb,
// "-" for latency nobody measured, and counts with their noun in the right number.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { GreeterServer } from '../src/server/greeter.js';
import { startEchoServers, type EchoServer } from './echo-server.js';
import { BIN, ipv4Target, runCli, startServers, stopServers } from './helpers.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** util-linux `script` gives the CLI a terminal, as a person running it has. */
const hasScript = spawnSync('script', ['--version']).status === 0;
const ESCAPE = '\x1b[';

/** The words of a pasted command line, with '...' and "..." quoting (enough for our examples). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

/** Runs `command` in `sh -c` at a terminal (through `script`), with `env` added; its output. */
function atTerminal(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  const base = { ...process.env };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'CI']) delete base[name];
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    }),
  );
}

describe('papercuts (spawned)', { concurrency: 3 }, () => {
  let greeters: GreeterServer[];
  let echo: EchoServer[];
  before(async () => {
    greeters = await startServers(2, 'cut');
    echo = await startEchoServers(1, { prefix: 'echo' });
  });
  after(() => {
    stopServers(greeters);
    echo.forEach((server) => server.stop());
  });

  it('the --proto example of run --help runs as printed from the clone (the package of fixtures/echo.proto)', async () => {
    const help = await runCli(['run', '--help']);
    const line = help.stdout.split('\n').find((text) => text.includes('$ grpclb-probe run ') && text.includes('--proto '));
    assert.ok(line !== undefined, help.stdout);
    const args = words(line.slice(line.indexOf('grpclb-probe run ') + 'grpclb-probe run '.length));
    // Only the target changes: ours is a loopback echo server, not dns:///echo:9000.
    const target = args.indexOf('-t');
    args[target + 1] = echo[0]!.address;
    const outcome = await runCli(['run', ...args, '-n', '3', '-q', '-o', 'json'], { cwd: REPO });
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(JSON.parse(outcome.stdout).rpcs.ok, 3);
  });

  it('the kubectl logs examples name the namespace manifests creates', async () => {
    const manifests = await runCli(['manifests', '--replicas', '2']);
    const namespace = /kind: Namespace\s+metadata:\s+name: (\S+)/.exec(manifests.stdout)?.[1];
    assert.ok(namespace !== undefined, manifests.stdout.slice(0, 400));
    for (const args of [['--help'], ['merge', '--help'], ['manifests', '--help']]) {
      const help = await runCli(args);
      const lines = help.stdout.split('\n').filter((text) => text.includes('kubectl') && text.includes(' logs '));
      assert.ok(lines.length > 0, `${args.join(' ')} shows kubectl logs`);
      for (const text of lines) assert.match(text, new RegExp(`kubectl -n ${namespace} logs `), text);
    }
  });

  it('serve --replicas 3 prints an ipv4: run line that reaches all three', async () => {
    const serve = spawn(process.execPath, [BIN, 'serve', '--replicas', '3', '--port', '0', '--host', '127.0.0.1', '--hostname', 'pasted'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        serve.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /probe them: grpclb-probe (run .*)\n/.exec(stderr);
          if (match !== null) resolve(match[1]!);
        });
        serve.on('exit', () => reject(new Error(stderr)));
        setTimeout(() => reject(new Error(`no run line in 20 s: ${stderr}`)), 20_000).unref();
      });
      assert.match(line, /^run -t ipv4:127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+ --lb-policy round_robin --expect-backends 3$/);
      const outcome = await runCli([...words(line), '-n', '30', '-q', '-o', 'json']);
      assert.equal(outcome.code, 0, outcome.stderr);
      const json = JSON.parse(outcome.stdout);
      assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name).sort(), ['pasted-1', 'pasted-2', 'pasted-3']);
    } finally {
      serve.kill('SIGKILL');
    }
  });

  it('-o markdown >> "$GITHUB_STEP_SUMMARY" writes the report there once', async () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'grpclb-probe-summary-')), 'summary.md');
    writeFileSync(summary, '');
    const command = `"${process.execPath}" "${BIN}" run -t ${ipv4Target(greeters)} -n 4 -q -o markdown >> "$GITHUB_STEP_SUMMARY"`;
    const outcome = await runCli(['-c', command], { command: ['sh'], env: { GITHUB_STEP_SUMMARY: summary } });
    assert.equal(outcome.code, 0, outcome.stderr);
    const written = readFileSync(summary, 'utf8');
    assert.equal(written.split('### grpclb-probe').length - 1, 1, written);
    // Piped elsewhere, stdout shows the report and the summary still gets it.
    const piped = await runCli(['run', '-t', ipv4Target(greeters), '-n', '4', '-q', '-o', 'markdown'], { env: { GITHUB_STEP_SUMMARY: summary } });
    assert.match(piped.stdout, /### grpclb-probe/);
    assert.equal(readFileSync(summary, 'utf8').split('### grpclb-probe').length - 1, 2);
  });

  it('backends that never answered show "-" for latency; counts of one read "1 channel", "1 peer"', async () => {
    const failing = await runCli(['run', '-t', greeters[0]!.address, '-n', '3', '-q', '--proto', 'fixtures/echo.proto', '-i', 'fixtures/include', '--call', 'grpclbprobe.echo.Echo/Say'], { cwd: REPO });
    assert.equal(failing.code, 3, failing.stderr);
    const row = failing.stdout.split('\n').find((line) => line.includes(greeters[0]!.address) && line.includes('failed'));
    assert.ok(row !== undefined, failing.stdout);
    assert.match(row, /│ - +│ - +│ - +│/, row);
    assert.match(failing.stdout, /p50 - ms {2}p95 - ms {2}p99 - ms/);
    assert.doesNotMatch(failing.stdout, /0\.000/);
    const markdown = await runCli(['run', '-t', greeters[0]!.address, '-n', '1', '-q', '-o', 'markdown']);
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /, 1 channel, 1 ok \/ 0 failed RPC, /);
    assert.match(markdown.stdout, /\| \*\*all\*\* \| 1 peer \|/);
    assert.doesNotMatch(markdown.stdout, /\(s\)/);
  });

  it('TERM=dumb at a terminal gets no color codes; another TERM does', { skip: hasScript ? false : 'util-linux script is not installed' }, async () => {
    const command = `"${process.execPath}" "${BIN}" run -t ${ipv4Target(greeters)} -n 4 -q`;
    const dumb = await atTerminal(command, { TERM: 'dumb', COLUMNS: '200' });
    const xterm = await atTerminal(command, { TERM: 'xterm-256color', COLUMNS: '200' });
    assert.match(dumb, /backend/, dumb);
    assert.ok(!dumb.includes(ESCAPE), JSON.stringify(dumb.slice(0, 300)));
    assert.ok(xterm.includes(ESCAPE), 'the same run at a color terminal is colored');
  });
});
