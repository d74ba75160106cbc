// Shared test helpers: real Greeter servers on loopback port 0, and the CLI spawned as a user runs it.
// Import this first in a test file: it turns on grpc-js's alternative resolver before grpc-js loads.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GreeterServer, type GreeterServerOptions } from '../src/server/greeter.js';

/** Absolute path of bin/grpclb-probe.js (runs the built dist/, which `npm test` builds first). */
export const BIN = fileURLToPath(new URL('../bin/grpclb-probe.js', import.meta.url));

/** Starts `count` Greeter servers on 127.0.0.1:0 named `<prefix>-1..count`. */
export async function startServers(
  count: number,
  prefix = 'pod',
  options: Partial<GreeterServerOptions> = {},
): Promise<GreeterServer[]> {
  const servers = Array.from(
    { length: count },
    (_, index) => new GreeterServer({ host: '127.0.0.1', port: 0, hostname: `${prefix}-${index + 1}`, ...options }),
  );
  await Promise.all(servers.map((server) => server.start()));
  return servers;
}

/** Kills servers at once. */
export function stopServers(servers: readonly GreeterServer[]): void {
  for (const server of servers) server.kill();
}

/** `ipv4:a,b,c` over the servers' addresses. */
export function ipv4Target(servers: readonly GreeterServer[]): string {
  return `ipv4:${servers.map((server) => server.address).join(',')}`;
}

/** What a spawned CLI did. */
export interface CliOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to spawn the CLI. */
export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Gets stderr so far and the child on each chunk, e.g. to send signals. */
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
  /** Gets the child once spawned, e.g. for a test server to signal it when a request arrives. */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
  /** Text written to the child's stdin (then closed); default: no stdin. */
  stdin?: string;
  /** Working directory; default this process's. */
  cwd?: string;
  /** Run this instead of `node bin/grpclb-probe.js`: `[file, ...leading args]` (the bundle, the executable). */
  command?: readonly string[];
  /** Use `env` as the whole environment instead of adding it to this process's. */
  replaceEnv?: boolean;
}

/** Spawns the CLI with `args`, no TTY, CI unset unless given; kills it after `timeoutMs`. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliOutcome> {
  // The wide table layout these tests' patterns read (`name │ peer`); the reflow to a
  // narrow terminal has its own tests (terminal-fit.test.ts), which set COLUMNS themselves.
  const env: NodeJS.ProcessEnv = options.replaceEnv === true ? { ...options.env } : { ...process.env, COLUMNS: '200', ...options.env };
  delete env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER;
  if (options.env?.GRPC_NODE_USE_ALTERNATIVE_RESOLVER !== undefined) {
    env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER = options.env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER;
  }
  const [file, ...leading] = options.command ?? [process.execPath, BIN];
  const child = spawn(file as string, [...leading, ...args], {
    env,
    cwd: options.cwd,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    options.onStderr?.(stderr, child);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Asserts that `stderr` is one line with no stack trace, and returns it. */
export function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  return lines[0]!;
}
