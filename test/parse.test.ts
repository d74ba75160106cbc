import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import * as parse from '../src/cli/parse.js';
import { validateRunFlags, type RunFlags } from '../src/cli/run-flags.js';
import { UsageError } from '../src/cli/errors.js';

describe('flag parsers', () => {
  it('durations need a unit', () => {
    assert.equal(parse.duration('30s'), 30_000);
    assert.equal(parse.duration('2m'), 120_000);
    assert.equal(parse.duration('500ms'), 500);
    assert.throws(() => parse.duration('30'), InvalidArgumentError);
    assert.throws(() => parse.duration('soon'), InvalidArgumentError);
  });

  it('--warmup takes a count or a duration', () => {
    assert.deepEqual(parse.warmup('50'), { calls: 50 });
    assert.deepEqual(parse.warmup('2s'), { durationMs: 2000 });
    assert.throws(() => parse.warmup('-1'), InvalidArgumentError);
  });

  it('--metadata accumulates lower-cased key:value pairs, values may hold colons', () => {
    const first = parse.metadataEntry('X-Team:payments');
    assert.deepEqual(parse.metadataEntry('authorization: Bearer a:b', first), [
      ['x-team', 'payments'],
      ['authorization', 'Bearer a:b'],
    ]);
    assert.throws(() => parse.metadataEntry('novalue'), UsageError);
    assert.throws(() => parse.metadataEntry('bad key:v'), UsageError);
  });

  it('numbers, ports, fractions and lists are checked', () => {
    assert.equal(parse.integerAtLeast(1)('16'), 16);
    assert.throws(() => parse.integerAtLeast(1)('0'), InvalidArgumentError);
    assert.throws(() => parse.integerAtLeast(1)('1.5'), InvalidArgumentError);
    assert.equal(parse.port('0'), 0);
    assert.throws(() => parse.port('65536'), InvalidArgumentError);
    assert.equal(parse.fraction('0.01'), 0.01);
    assert.throws(() => parse.fraction('5'), InvalidArgumentError);
    assert.deepEqual(parse.listOf(['a', 'b', 'c'] as const)('c, a,c'), ['c', 'a']);
    assert.throws(() => parse.listOf(['a', 'b'] as const)('a,z'), InvalidArgumentError);
  });
});

describe('validateRunFlags: rules across flags, in one place', () => {
  const base: RunFlags = { output: 'table', concurrency: 4, channels: 1, interval: 1000, deadlineMs: 1000, target: '127.0.0.1:1' };
  const fails = (flags: Partial<RunFlags>, pattern: RegExp) =>
    assert.throws(() => validateRunFlags({ ...base, ...flags }), (error: Error) => error instanceof UsageError && pattern.test(error.message));

  it('rejects contradictions with a message naming the flags', () => {
    fails({ total: 10, duration: 1000 }, /--total and --duration/);
    fails({ channels: 8 }, /--channels \(8\) cannot exceed --concurrency \(4\)/);
    fails({ caCert: 'ca.pem' }, /--ca-cert needs --tls/);
    fails({ tls: true, cert: 'c.pem' }, /--cert and --key go together/);
    fails({ target: undefined, lbPolicy: 'round_robin' }, /--lb-policy needs --target/);
    fails({ replicas: 5 }, /--replicas only applies to the lab/);
  });

  it('accepts a consistent set', () => {
    validateRunFlags({ ...base, channels: 4, tls: true, cert: 'c.pem', key: 'k.pem' });
    validateRunFlags({ ...base, target: undefined, replicas: 5, setups: ['proxy'] });
  });
});
