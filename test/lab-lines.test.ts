import './resolver-env.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fetchFileDescriptors } from '../src/grpc/reflection.js';
import { BIN, runCli } from './helpers.js';

/** Splits a printed shell line into words ('...' quoting only, a trailing # comment dropped). */
function words(line: string): string[] {
  return [...line.replace(/\s#.*$/, '').matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? (match[2] as string));
}

describe('grpclb-probe lab (spawned): its printed lines run as printed', () => {
  it('npx grpclb-probe run lines exit 0; the grpcurl line\u2019s service is described by reflection', async () => {
    const env = { ...process.env };
    delete env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER;
    const lab = spawn(process.execPath, [BIN, 'lab', '--replicas', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => lab.kill('SIGKILL'), 60_000);
    let stdout = '';
    lab.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        lab.stderr.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('up; Ctrl-C')) resolve();
        });
        lab.once('exit', (code) => reject(new Error(`lab exited ${code}: ${stdout}`)));
      });
      const runLines = stdout.split('\n').filter((line) => line.includes(' npx grpclb-probe run '));
      assert.ok(runLines.length >= 5, stdout);
      const outcomes = await Promise.all(
        runLines.map((line) => runCli([...words(line.slice(line.indexOf('npx grpclb-probe ') + 'npx grpclb-probe '.length)), '-n', '20', '-q'])),
      );
      outcomes.forEach((outcome, index) => assert.equal(outcome.code, 0, `${runLines[index]}: ${outcome.stderr}`));
      const curl = stdout.split('\n').find((line) => line.includes(' grpcurl -plaintext '));
      assert.ok(curl !== undefined, stdout);
      const [address, method] = words(curl.slice(curl.indexOf('grpcurl '))).slice(-2) as [string, string];
      const files = await fetchFileDescriptors({ target: address, lbPolicy: null }, method.split('/')[0] as string, { deadlineMs: 5000 });
      assert.ok(files.length >= 1);
    } finally {
      lab.kill('SIGINT');
      await once(lab, 'exit');
      clearTimeout(killer);
    }
  });
});
