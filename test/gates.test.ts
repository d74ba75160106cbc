import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../src/analysis/diagnosis.js';
import { describeFailedGates, evaluateGates } from '../src/analysis/gates.js';
import { computeSkew } from '../src/analysis/skew.js';
import { counts, facts } from './diagnosis-facts.js';

describe('gates', () => {
  const skew = computeSkew(counts(200, 100), 3);
  const diagnosis = diagnose(facts({ counts: [200, 100], expected: 3, peers: 2 }));
  it('report the limit and the measured value, and which failed', () => {
    const gates = evaluateGates(
      { maxSkew: 1.5, minBackends: 2, expect: 'balanced', maxErrorRate: 0.01 },
      { skew, diagnosis, rpcsTotal: 310, rpcsFailed: 10 },
    );
    assert.deepEqual(
      gates.map((gate) => [gate.gate, gate.passed, gate.limit, gate.measured]),
      [
        ['--max-skew', false, 1.5, 2],
        ['--min-backends', true, 2, 2],
        ['--expect', false, 'BALANCED', 'PARTIAL'],
        ['--max-error-rate', false, 0.01, 0.032258],
      ],
    );
    assert.equal(gates[3]?.display, 'limit <= 0.01, measured 0.0323');
    assert.deepEqual(describeFailedGates(gates)[0], 'gate --max-skew failed: limit <= 1.5, measured 2.00');
  });
  it('never pass a gate over the spread when the backends cannot be told apart: measured null, the reason shown; the error rate is still judged', () => {
    const perfect = computeSkew(counts(300), null, 'seen');
    const unknown = diagnose(facts({ counts: [300], backendsByPeer: true, onlyPeer: '127.0.20.1:50051' }));
    const reason = 'the backends behind 127.0.20.1:50051 cannot be told apart (replies do not name the server)';
    const gates = evaluateGates({ maxSkew: 1.3, minBackends: 1, expect: 'balanced', maxErrorRate: 0.01 }, { skew: perfect, diagnosis: unknown, rpcsTotal: 300, rpcsFailed: 0, cannotJudge: reason });
    assert.deepEqual(
      gates.map((gate) => [gate.gate, gate.passed, gate.measured]),
      [
        ['--max-skew', false, null],
        ['--min-backends', false, null],
        ['--expect', false, null],
        ['--max-error-rate', true, 0],
      ],
    );
    assert.equal(describeFailedGates(gates)[0], `gate --max-skew failed: cannot judge: ${reason}`);
  });
  it('--expect says what it expected and what it got', () => {
    const [gate] = evaluateGates({ expect: 'balanced' }, { skew, diagnosis, rpcsTotal: 300, rpcsFailed: 0 });
    assert.equal(gate?.display, 'expected BALANCED, got PARTIAL');
  });
  it('check nothing without limits', () => {
    assert.deepEqual(evaluateGates({}, { skew, diagnosis, rpcsTotal: 300, rpcsFailed: 0 }), []);
  });
});
