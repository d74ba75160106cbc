import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import type { ProgressSnapshot } from '../src/result/run-result.js';
import { LiveView } from '../src/ui/live-view.js';

const snapshot = (done: number, backends: { name: string; rpcs: number }[]): ProgressSnapshot => ({
  elapsedMs: 1500,
  done,
  totalCalls: 300,
  durationMs: null,
  failed: 2,
  rpcsPerSecond: 200,
  p50Ms: 0.42,
  p99Ms: 1.5,
  backends,
  warmingUp: false,
});

describe('LiveView', () => {
  it('shows names a server sent escaped: no escape sequence reaches the terminal', () => {
    const view = render(<LiveView title={'t\u001b]0;PWNED\u0007'} snapshot={snapshot(2, [{ name: 'pod-\u001b[2J\nBALANCED: forged', rpcs: 2 }])} color={false} columns={120} />);
    const frame = view.lastFrame() ?? '';
    assert.doesNotMatch(frame, /[\u0000-\u0009\u000b-\u001f]/);
    assert.doesNotMatch(frame, /^BALANCED: forged/m);
    assert.match(frame, /pod-\\x1b\[2J\\nBALANCED: forged/);
  });

  it('shows each backend with its count and a bar that grows with new snapshots', () => {
    const view = render(<LiveView title="ipv4:a,b" snapshot={snapshot(30, [{ name: 'pod-a', rpcs: 20 }, { name: 'pod-b', rpcs: 10 }])} color={false} barWidth={12} />);
    const first = view.lastFrame() ?? '';
    assert.match(first, /ipv4:a,b/);
    assert.match(first, /30\/300 RPCs\s+200 RPC\/s\s+errors 2\s+p50 0\.420 ms\s+p99 1\.500 ms/);
    assert.match(first, /pod-a\s+████████\s+20/);
    assert.match(first, /pod-b\s+████\s+10/);
    view.rerender(<LiveView title="ipv4:a,b" snapshot={snapshot(300, [{ name: 'pod-a', rpcs: 150 }, { name: 'pod-b', rpcs: 150 }])} color={false} barWidth={12} />);
    const last = view.lastFrame() ?? '';
    assert.match(last, /300\/300 RPCs/);
    assert.match(last, /pod-a\s+██████\s+150/);
    assert.doesNotMatch(last, /\u001b\[/, 'no color codes with color off');
    view.unmount();
  });

  it('shows elapsed of duration for time-bounded runs', () => {
    const view = render(<LiveView title="t" snapshot={{ ...snapshot(10, []), totalCalls: null, durationMs: 30_000 }} color={false} />);
    assert.match(view.lastFrame() ?? '', /1\.5\/30 s, 10 RPCs/);
    view.unmount();
  });

  it('counts open streams for a streaming call, and says nothing of streams otherwise', () => {
    const view = render(<LiveView title="t" snapshot={{ ...snapshot(10, []), openStreams: 12 }} color={false} columns={120} />);
    assert.match(view.lastFrame() ?? '', /p99 1\.500 ms\s+streams 12 open/);
    view.unmount();
    const unary = render(<LiveView title="t" snapshot={snapshot(10, [])} color={false} columns={120} />);
    assert.doesNotMatch(unary.lastFrame() ?? '', /streams/);
    unary.unmount();
  });

  it('at 80x20 with 30 backends stays under 20 rows and 80 columns: the busiest backends, then +N more', () => {
    const backends = Array.from({ length: 30 }, (_, index) => ({ name: `greeter-7d4b9c6f8-pod${String(index).padStart(2, '0')}`, rpcs: 100 + index }));
    const view = render(<LiveView title={`ipv4:${backends.map((_, index) => `10.0.0.${index}:50051`).join(',')}`} snapshot={snapshot(3000, backends)} color={false} rows={20} columns={80} />);
    const lines = (view.lastFrame() ?? '').split('\n');
    assert.ok(lines.length < 20, `${lines.length} rows`);
    for (const line of lines) assert.ok([...line].length <= 80, line);
    const more = lines.find((line) => line.startsWith('+'));
    assert.match(more ?? '', /^\+14 more \(\d+ RPCs\)$/, 'two header rows, 16 backends, one +N more row, one row free');
    assert.match(lines.join('\n'), /pod29/, 'the busiest is shown');
    assert.doesNotMatch(lines.join('\n'), /pod00/, 'the least busy is folded');
    view.unmount();
  });
});
