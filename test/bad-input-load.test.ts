// Bad load and gate flags of `run`: exit 2, one line naming the flag, no stack, in time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { badInputSuite, type BadInput } from './bad-input.js';
import { BIN, runCli } from './helpers.js';

const T = ['run', '-t', '127.0.0.1:1', '-n', '1'];
const target = (...args: string[]): string[] => [...T, ...args];

const STREAM = ['--call', 'helloworld.Greeter/SayHelloStreamReply'];
const BIDI = ['--call', 'helloworld.Greeter/SayHelloBidiStream'];

const cases: BadInput[] = [
  { args: target(...STREAM, '--rps', '10'), names: /^grpclb-probe: --rps: .* streams/ },
  { args: target(...BIDI, '--streams', '0'), names: /--streams/ },
  { args: target(...BIDI, '--streams', '50001'), names: /--streams.*50000/ },
  { args: target(...STREAM, '--stream-interval', '10ms'), names: /^grpclb-probe: --stream-interval: .*server streaming/ },
  { args: target(...BIDI, '--max-stream-age', '5ms'), names: /--max-stream-age.*10ms/ },
  { args: target(...BIDI, '-c', '4'), names: /^grpclb-probe: --concurrency: .*--streams/ },
  { args: target(...BIDI, '--streams', '2', '--channels', '3'), names: /--channels \(3\) cannot exceed --streams/ },
  { args: target('--streams', '3'), names: /^grpclb-probe: --streams: .*unary/ },
  { args: ['run', '--streams', '3'], names: /--streams needs --target/ },
  { args: ['run', '--total', 'many'], names: /--total/ },
  { args: ['run', '--total', '0'], names: /--total/ },
  { args: ['run', '--total', '1.5'], names: /--total/ },
  { args: ['run', '-z', '30'], names: /--duration.*unit/ },
  { args: ['run', '--duration', 'soon'], names: /--duration/ },
  { args: ['run', '-z', '25d'], names: /--duration.*2147483647 ms/ },
  { args: ['run', '--duration', '0s'], names: /--duration/ },
  { args: ['run', '-t', '127.0.0.1:1', '--total', '5', '--duration', '1s'], names: /--total and --duration/ },
  { args: target('--concurrency', '0'), names: /--concurrency/ },
  { args: target('-c', 'lots'), names: /--concurrency/ },
  { args: target('--channels', '0'), names: /--channels/ },
  { args: target('--channels', '4', '--concurrency', '2'), names: /--channels \(4\) cannot exceed --concurrency/ },
  { args: target('--rps', '0'), names: /--rps/ },
  { args: target('--rps', '-1'), names: /--rps/ },
  { args: target('--rps', '1e-9'), names: /--rps.*2147483647 ms/ },
  { args: target('--rps', 'fast'), names: /--rps/ },
  { args: target('--rps', 'Infinity'), names: /--rps/ },
  { args: target('--warmup', '-1'), names: /--warmup/ },
  { args: target('--warmup', '25d'), names: /--warmup.*2147483647 ms/ },
  { args: target('--warmup', 'soon'), names: /--warmup/ },
  { args: target('--interval', '0.0001ms'), names: /--interval.*1ms/ },
  { args: target('--interval', '30d'), names: /--interval.*2147483647 ms/ },
  { args: target('--interval', '0s'), names: /--interval/ },
  { args: target('--watch-interval', '30d'), names: /--watch-interval.*2147483647 ms/ },
  { args: target('--connect-timeout', '30d'), names: /--connect-timeout.*2147483647 ms/ },
  { args: target('--connect-timeout', 'soon'), names: /--connect-timeout/ },
  { args: target('--watch-interval', '10ms'), names: /--watch-interval/ },
  { args: target('--deadline-ms', '0'), names: /--deadline-ms/ },
  { args: target('--deadline-ms', '4e14'), names: /--deadline-ms/ },
  { args: target('--deadline-ms', '400000000000000'), names: /--deadline-ms.*2147483647 ms/ },
  { args: target('--deadline-ms', '2147483648'), names: /--deadline-ms.*2147483647 ms/ },
  { args: target('--lb-policy', 'grpclb'), names: /--lb-policy/ },
  { args: target('--expect-backends', '20000'), names: /--expect-backends.*10000/ },
  { args: target('--expect-backends', '0'), names: /--expect-backends/ },
  { args: target('--max-skew', '0'), names: /--max-skew/ },
  { args: target('--max-skew', 'x'), names: /--max-skew/ },
  // Skew is >= 1 by definition: a limit under it could never pass.
  { args: target('--max-skew', '0.5'), names: /--max-skew.*'0\.5'.*expected a number >= 1: skew is the largest share \/ the fair share/ },
  { args: ['merge', '--max-skew', '0.9', '/dev/null'], names: /--max-skew.*>= 1/ },
  { args: target('--min-backends', '0'), names: /--min-backends/ },
  { args: target('--expect', 'wobbly'), names: /--expect/ },
  { args: target('--max-error-rate', '5'), names: /--max-error-rate/ },
  { args: target('--max-error-rate', '-0.1'), names: /--max-error-rate/ },
  { args: target('-o', 'yaml'), names: /--output/ },
  { args: target('--bogus'), names: /--bogus/ },
  { args: ['run', 'extra'], names: /too many arguments for 'run'/ },
  { args: target('--replicas', '3'), names: /--replicas only applies to the lab/ },
  { args: ['run', '--lb-policy', 'round_robin'], names: /--lb-policy needs --target/ },
  { args: ['run', '--expect-backends', '3'], names: /--expect-backends needs --target/ },
  // scenario takes its load and lab flags by run's rules
  { args: ['scenario', 'max-age', '--rps', '1e-9'], names: /--rps.*Node's timer limit/ },
  { args: ['scenario', 'max-age', '--rps', '0'], names: /--rps/ },
  { args: ['scenario', 'max-age', '--replicas', '300'], names: /--replicas.*from 1 to 250/ },
  { args: ['scenario', 'scale-out', '--replicas', '249'], names: /--replicas 249: scale-out adds 2 pods .*at most --replicas 248/ },
  { args: ['scenario', 'rolling-restart', '--replicas', '200'], names: /--replicas 200: rolling-restart adds 200 pods .*at most --replicas 125/ },
];

badInputSuite('bad load and gate flags (spawned)', cases);

describe('a tiny open-file limit (spawned)', { concurrency: 2 }, () => {
  // Commands load their modules lazily, so ulimit -n 32 runs out while loading grpclb-probe itself.
  for (const limit of [32, 40]) {
    it(`ulimit -n ${limit}: one line, exit 2`, async () => {
      const outcome = await runCli(T, { command: ['/bin/sh', '-c', `ulimit -n ${limit} && exec "$@"`, 'sh', process.execPath, BIN], timeoutMs: 30_000 });
      assert.equal(outcome.code, 2, outcome.stderr);
      const lines = outcome.stderr.trim().split('\n');
      assert.equal(lines.length, 1, outcome.stderr);
      assert.match(lines[0]!, /^grpclb-probe: (out of file descriptors \(EMFILE\).*ulimit -n|--channels 1 needs about \d+ open files)/);
    });
  }
});
