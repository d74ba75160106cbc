// Bad TLS files, output paths, serve and lab flags: exit 2, one line naming the flag or file,
// no stack, in time.
import { copyFileSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
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
// Inputs the report must never overwrite, and links to them or to nowhere.
const proto = join(folder, 'api.proto');
copyFileSync(fileURLToPath(new URL('../fixtures/echo.proto', import.meta.url)), proto);
const request = join(folder, 'req.json');
writeFileSync(request, '{"text":"hi"}\n');
const result = join(folder, 'a.json');
writeFileSync(result, '{}\n');
const linkToProto = join(folder, 'link-to-proto');
symlinkSync(proto, linkToProto);
const dangling = join(folder, 'dangling');
symlinkSync(join(folder, 'gone', 'report.json'), dangling);
const CALL = ['--call', 'grpclbprobe.echo.Echo/Say'];

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
  { args: run(...T, '--proto', proto, ...CALL, '--out', proto), names: /--out .*api\.proto: is the --proto .*api\.proto this command reads/ },
  { args: run(...T, '--proto', proto, ...CALL, '--out', linkToProto), names: /--out .*link-to-proto: is the --proto .*api\.proto/ },
  { args: run(...T, '--protoset', proto, ...CALL, '--out', proto), names: /--out .*: is the --protoset / },
  { args: run(...T, '--proto', proto, ...CALL, '-D', request, '--out', request), names: /--out .*req\.json: is the -D\/--data-file .*req\.json/ },
  { args: run(...T, '--out', dangling), names: /--out .*dangling: folder .*gone does not exist/ },
  { args: ['merge', result, '--out', result], names: /--out .*a\.json: is the merge input / },
  { args: run(...T, '--proto', proto, ...CALL), env: { GITHUB_STEP_SUMMARY: proto }, names: /GITHUB_STEP_SUMMARY .*: is the --proto / },
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
