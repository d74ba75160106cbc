// `grpclb-probe serve` spawned as a user runs it, on loopback port 0: its addresses read from the
// lines it prints, the process at hand to stop or SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './helpers.js';

/** A running `serve`. */
export interface ServeProcess {
  /** `127.0.0.1:PORT` of each replica, in order. */
  readonly addresses: readonly string[];
  readonly child: ChildProcess;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

const LISTENING = /listening on (\S+) as hostname/g;

/** Spawns `serve --host 127.0.0.1 --port 0 ...args` and waits until `replicas` replicas listen (10 s at most). */
export function spawnServe(args: readonly string[], replicas = 1): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`serve did not listen within 10 s: ${stderr}`));
    }, 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const addresses = [...stderr.matchAll(LISTENING)].map((match) => match[1] as string);
      if (addresses.length >= replicas) {
        clearTimeout(timer);
        resolve({ addresses, child, kill });
      }
    });
  });
}
