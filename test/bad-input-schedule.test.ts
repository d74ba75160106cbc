// Bad load-shape flags of `run` (--load-schedule, --concurrency-schedule and their values): exit 2,
// one line naming the flag, no stack, before any RPC.
import { badInputSuite, type BadInput } from './bad-input.js';

const T = ['run', '-t', '127.0.0.1:1', '-n', '1'];
const target = (...args: string[]): string[] => [...T, ...args];
const step = ['--load-schedule', 'step', '--load-start', '50', '--load-step', '50', '--load-step-duration', '1s'];
const concurrencyStep = ['--concurrency-schedule', 'step', '--concurrency-start', '1', '--concurrency-step', '1', '--concurrency-step-duration', '1s', '--concurrency-end', '4'];

const cases: BadInput[] = [
  { args: target('--load-schedule', 'ramp'), names: /--load-schedule/ },
  { args: target('--load-schedule', 'step', '--load-step', '50', '--load-step-duration', '1s'), names: /--load-schedule step needs --load-start/ },
  { args: target('--load-schedule', 'step', '--load-start', '50', '--load-step-duration', '1s'), names: /--load-schedule step needs --load-step/ },
  { args: target('--load-schedule', 'step', '--load-start', '50', '--load-step', '50'), names: /--load-schedule step needs --load-step-duration/ },
  { args: target('--load-schedule', 'line', '--load-step', '10'), names: /--load-schedule line needs --load-start/ },
  { args: target('--load-schedule', 'line', '--load-start', '10', '--load-step', '10', '--load-step-duration', '2s'), names: /--load-step-duration does not apply to --load-schedule line/ },
  { args: target('--load-start', '10'), names: /--load-start needs --load-schedule step or line/ },
  { args: target('--load-schedule', 'const'), names: /--load-schedule const needs --rps/ },
  { args: target(...step, '--rps', '100'), names: /--load-schedule step and --rps exclude each other/ },
  { args: target(...step, ...concurrencyStep), names: /--load-schedule and --concurrency-schedule exclude each other/ },
  { args: target('--load-schedule', 'const', '--rps', '10', '--concurrency-schedule', 'const'), names: /--load-schedule and --concurrency-schedule exclude each other/ },
  { args: target('--load-schedule', 'step', '--load-start', '0', '--load-step', '5', '--load-step-duration', '1s'), names: /--load-start/ },
  { args: target('--load-schedule', 'step', '--load-start', '-5', '--load-step', '5', '--load-step-duration', '1s'), names: /--load-start/ },
  { args: target(...step, '--load-end', '0'), names: /--load-end/ },
  { args: target('--load-schedule', 'step', '--load-start', '5', '--load-step', '0', '--load-step-duration', '1s'), names: /--load-step/ },
  { args: target('--load-schedule', 'step', '--load-start', '5', '--load-step', '5', '--load-step-duration', '0s'), names: /--load-step-duration/ },
  { args: target('--load-schedule', 'step', '--load-start', '5', '--load-step', '5', '--load-step-duration', '-1s'), names: /--load-step-duration/ },
  { args: target(...step, '--load-max-duration', '0s'), names: /--load-max-duration/ },
  { args: target(...step, '--load-end', '20'), names: /--load-end 20 is never reached from --load-start 50 by --load-step 50/ },
  { args: target('--load-schedule', 'step', '--load-start', '50', '--load-step=-10', '--load-step-duration', '1s', '--load-end', '100'), names: /--load-end 100 is never reached/ },
  { args: target('--load-schedule', 'step', '--load-start', '50', '--load-step=-10', '--load-step-duration', '1s'), names: /--load-step -10 ramps down to 0 or below/ },
  { args: target('--load-schedule', 'line', '--load-start', '50', '--load-step=-10', '--load-max-duration', '10s'), names: /--load-step -10 ramps down to 0 or below/ },
  { args: target(...step, '--load-step-duration', '25d'), names: /--load-step-duration.*2147483647 ms/ },
  { args: target(...step, '--load-max-duration', '25d'), names: /--load-max-duration.*2147483647 ms/ },
  { args: target('--load-schedule', 'step', '--load-start', '1e-9', '--load-step', '1', '--load-step-duration', '1s'), names: /--load-start.*2147483647 ms/ },
  { args: target('--load-schedule', 'step', '--load-start', '1', '--load-step=-0.9999999999', '--load-step-duration', '1s', '--load-max-duration', '1s'), names: /--load-step .* ramps below .* timer limit/ },
  { args: target('--concurrency-schedule', 'step', '--concurrency-start', '1', '--concurrency-step-duration', '1s'), names: /--concurrency-schedule step needs --concurrency-step/ },
  { args: target('--concurrency-schedule', 'step', '--concurrency-step', '1', '--concurrency-step-duration', '1s'), names: /--concurrency-schedule step needs --concurrency-start/ },
  { args: target('--concurrency-end', '4'), names: /--concurrency-end needs --concurrency-schedule step or line/ },
  { args: target(...concurrencyStep, '--rps', '10'), names: /--concurrency-schedule step is for the closed loop: drop --rps/ },
  { args: target(...concurrencyStep, '--concurrency', '4'), names: /--concurrency-schedule step and --concurrency exclude each other/ },
  { args: target('--concurrency-schedule', 'line', '--concurrency-start', '1', '--concurrency-step', '1'), names: /--concurrency-schedule ramps up without an end/ },
  { args: target('--concurrency-schedule', 'line', '--concurrency-start', '1', '--concurrency-step', '1', '--concurrency-end', '60000'), names: /--concurrency-schedule reaches 60000 RPCs in flight, above 50000/ },
  { args: target('--concurrency-schedule', 'line', '--concurrency-start', '1', '--concurrency-step', '1.5', '--concurrency-end', '5'), names: /--concurrency-step/ },
  { args: target('--concurrency-schedule', 'line', '--concurrency-start', '0', '--concurrency-step', '1', '--concurrency-end', '5'), names: /--concurrency-start/ },
  { args: target('--concurrency-schedule', 'line', '--concurrency-start', '4', '--concurrency-step=-1', '--concurrency-end', '8'), names: /--concurrency-end 8 is never reached/ },
  { args: target('--concurrency-schedule', 'line', '--concurrency-start', '4', '--concurrency-step=-1'), names: /--concurrency-step -1 ramps down to 0 or below/ },
  { args: target('--concurrency-schedule', 'line', '--concurrency-start', '2', '--concurrency-step', '1', '--concurrency-end', '4', '--channels', '3'), names: /--channels \(3\) cannot exceed the concurrency schedule's lowest value \(2\)/ },
  { args: target(...concurrencyStep, '--concurrency-max-duration', '30d'), names: /--concurrency-max-duration.*2147483647 ms/ },
];

badInputSuite('bad load-shape flags (spawned)', cases);
