// Bad values for `manifests`: values its pods would refuse (or kubectl would) are exit 2 here,
// one line naming the flag, before any YAML is printed.
import { badInputSuite, type BadInput } from './bad-input.js';

const cases: BadInput[] = [
  { args: ['manifests', '--replicas', '20000'], names: /--replicas.*10000.*--expect-backends/ },
  { args: ['manifests', '--replicas', '0'], names: /--replicas/ },
  { args: ['manifests', '--drain-ms', '3000000000'], names: /--drain-ms.*2147483647 ms/ },
  { args: ['manifests', '--max-connection-age-ms', '3000000000'], names: /--max-connection-age-ms.*2147483647 ms/ },
  { args: ['manifests', '--max-connection-age-ms', '0'], names: /--max-connection-age-ms/ },
  { args: ['manifests', '--namespace', 'Bad_NS!'], names: /--namespace.*DNS-1123/ },
  { args: ['manifests', '--namespace', 'a'.repeat(64)], names: /--namespace.*63/ },
  { args: ['manifests', '--image', 'Registry.Example/Team/Probe:latest'], names: /--image.*image reference/ },
  { args: ['manifests', '--image', 'grpclb-probe:bad tag'], names: /--image/ },
  { args: ['manifests', '--probe-pods', '5000'], names: /--probe-pods.*1000/ },
  { args: ['manifests', '-n', '0'], names: /--total/ },
];

badInputSuite('manifests refuses what its pods or kubectl would', cases);
