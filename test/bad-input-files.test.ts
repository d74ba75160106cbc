// Bad TLS files, output paths, serve and lab flags: exit 2, one line naming the flag or file,
// no stack, in time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badInputSuite, type BadInput } from './bad-input.js';

const run = (...args: string[]): string[] => ['run', '-n', '1', ...args];
const T = ['-t', '127.0.0.1:1'];
const tls = (name: string): string => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'grpclb-probe-bad-'));
const aFile = join(folder, 'a-file');
writeFileSync(aFile, 'not a folder\n');

const cases: BadInput[] = [
  // TLS files
  { args: run(...T, '--tls', '--ca-cert', 'package.json'), names: /--ca-cert package\.json: not a PEM certificate/ },
  { args: run(...T, '--tls', '--ca-cert', join(folder, 'missing.pem')), names: /--ca-cert .*missing\.pem: cannot read: ENOENT/ },
  { args: run(...T, '--tls', '--cert', tls('server.pem'), '--key', tls('client.key')), names: /--cert .*server\.pem and --key .*client\.key do not belong together/ },
  { args: run(...T, '--tls', '--cert', 'package.json', '--key', tls('client.key')), names: /--cert package\.json: not a PEM certificate/ },
  { args: run(...T, '--tls', '--cert', tls('client.pem'), '--key', tls('client.pem')), names: /--key .*client\.pem: not a PEM private key/ },
  { args: run(...T, '--ca-cert', tls('ca.pem')), names: /--ca-cert needs --tls/ },
  { args: run(...T, '--tls', '--cert', tls('client.pem')), names: /--cert and --key go together/ },
  // Output files, checked before the run
  { args: run(...T, '--out', join(folder, 'missing', 'report.json')), names: /--out .*: folder .*missing does not exist/ },
  { args: run(...T, '--out', folder), names: /--out .*: is a folder/ },
  { args: run(...T, '--out', join(aFile, 'report.json')), names: /--out .*a-file is not a folder/ },
  { args: run(...T), env: { GITHUB_STEP_SUMMARY: join(folder, 'missing', 'summary.md') }, names: /GITHUB_STEP_SUMMARY .*does not exist/ },
  { args: run(...T), env: { GITHUB_STEP_SUMMARY: folder }, names: /GITHUB_STEP_SUMMARY .*is a folder/ },
  // serve and lab
  { args: ['serve', '--port', '70000'], names: /--port/ },
  { args: ['serve', '--tls-cert', 'package.json', '--tls-key', tls('server.key')], names: /--tls-cert package\.json: not a PEM certificate/ },
  { args: ['serve', '--tls-cert', tls('server.pem'), '--tls-key', tls('client.key')], names: /--tls-cert .*server\.pem and --tls-key .*client\.key do not belong together/ },
  { args: ['serve', '--port', '-1'], names: /--port|-p/ },
  { args: ['serve', '--hostname', ''], names: /--hostname.*printable ASCII/ },
  { args: ['serve', '--hostname', 'pod é'], names: /--hostname.*printable ASCII/ },
  { args: ['serve', '--hostname', ' pod'], names: /--hostname/ },
  { args: ['serve', '--drain-ms', '3000000000'], names: /--drain-ms.*2147483647 ms/ },
  { args: ['serve', '--delay-ms', '-1'], names: /--delay-ms/ },
  { args: ['serve', '--delay-ms', '1.5'], names: /--delay-ms/ },
  { args: ['serve', '--max-connection-age-ms', '0'], names: /--max-connection-age-ms/ },
  { args: ['serve', '--max-connection-age-ms', '3000000000'], names: /--max-connection-age-ms.*2147483647 ms/ },
  { args: ['serve', '--max-connection-age-grace-ms', '3000000000'], names: /--max-connection-age-grace-ms.*2147483647/ },
  { args: ['serve', '--replicas', '0'], names: /--replicas/ },
  { args: ['serve', '--port', '65535', '--replicas', '2'], names: /--port 65535 with --replicas 2 runs past port 65535/ },
  { args: ['lab', '--replicas', '251'], names: /--replicas.*250/ },
  { args: ['lab', '--delay-ms', '3000000000'], names: /--delay-ms.*2147483647/ },
  { args: ['lab', '--clusterip-mode', 'random'], names: /--clusterip-mode/ },
  { args: ['lab', '--port', '99999'], names: /--port/ },
  // lab flags of run, and commands
  { args: ['run', '--setups', 'nope'], names: /--setups/ },
  { args: ['run', '--replicas', '256'], names: /--replicas.*250/ },
  { args: ['run', '--replicas', '0'], names: /--replicas/ },
  { args: ['run', '--clusterip-mode', 'random'], names: /--clusterip-mode/ },
  { args: ['bogus'], names: /unknown command 'bogus'/ },
];

badInputSuite('bad TLS files, output paths, serve and lab flags (spawned)', cases);
