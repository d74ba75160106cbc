// Bad values for `manifests`: values its pods would refuse (or kubectl would) are exit 2 here,
// one line naming the flag, before any YAML is printed. More cases run in-process in
// test/manifests-probe.test.ts; these few are spawned as a user runs them.
import { badInputSuite, type BadInput } from './bad-input.js';

const cases: BadInput[] = [
  { args: ['manifests', '--replicas', '20000'], names: /--replicas.*10000.*--expect-backends/ },
  { args: ['manifests', '--drain-ms', '3000000000'], names: /--drain-ms.*2147483647 ms/ },
  { args: ['manifests', '--max-connection-age-ms', '3000000000'], names: /--max-connection-age-ms.*2147483647 ms/ },
  { args: ['manifests', '--namespace', 'Bad_NS!'], names: /--namespace.*DNS-1123/ },
  { args: ['manifests', '--image', 'Registry.Example/Team/Probe:latest'], names: /--image.*image reference/ },
  { args: ['manifests', '--probe-pods', '5000'], names: /--probe-pods.*1000/ },
];

const probe = (...args: string[]): string[] => ['manifests', 'probe', '-t', 'greeter.shop:50051', ...args];

const probeCases: BadInput[] = [
  { args: ['manifests', 'probe'], names: /--target/ },
  { args: probe('--channels', '4', '--concurrency', '2'), names: /--channels \(4\) cannot exceed --concurrency/ },
  { args: probe('--schedule', '61 * * * *'), names: /--schedule.*minute/ },
  { args: probe('--schedule', '@hourly', '--forever'), names: /--forever and --schedule/ },
  { args: probe('--proto', 'fixtures/missing.proto'), names: /--proto.*missing\.proto/ },
  { args: probe('-D', '-'), names: /--data-file -.*stdin/ },
  { args: probe('--tls', '--cert', 'fixtures/tls-cert.pem', '--key', 'fixtures/tls-key.pem'), names: /--cert.*Secret/ },
];

badInputSuite('manifests refuses what its pods or kubectl would', cases);
badInputSuite('manifests probe refuses what run would', probeCases);
