// The commander program: subcommands, --version, and the exit code of whatever they throw
// (command.ts maps it). The only place, with command.ts, that sets process.exitCode.
// Start-up stays light: a subcommand's module (and with it grpc-js, ink/react, jStat, the
// protos) is imported only when that subcommand runs; the others are listed by summary only.
import { Command } from 'commander';
import { exitCodeOfError } from './command.js';
import { EXIT } from './errors.js';
import { toolInfo } from '../tool.js';

/** A subcommand: its name and one-line summary for the root help, and how to load it. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  /** Imports the command's module and registers it, flags and action, on the program. */
  readonly register: (program: Command) => Promise<void>;
}

/** Every subcommand, in help order. Add new commands here, one entry each. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'probe a target and show which backends answered; no target: run the lab',
    register: async (program) => (await import('./run.js')).registerRun(program),
  },
  {
    name: 'serve',
    summary: 'run Greeter servers that reply with their hostname',
    register: async (program) => (await import('./serve.js')).registerServe(program),
  },
  {
    name: 'lab',
    summary: 'start the lab topology and keep it up until Ctrl-C',
    register: async (program) => (await import('./lab.js')).registerLab(program),
  },
  {
    name: 'scenario',
    summary: 'play a change over time on the lab: scale-out, rolling-restart, slow-pod, max-age',
    register: async (program) => (await import('./scenario.js')).registerScenario(program),
  },
  {
    name: 'merge',
    summary: 'merge run results from many probe pods into one report',
    register: async (program) => (await import('./merge.js')).registerMerge(program),
  },
  {
    name: 'diff',
    summary: 'compare two run results: verdict, skew, shares per backend, latency, errors',
    register: async (program) => (await import('./diff.js')).registerDiff(program),
  },
  {
    name: 'manifests',
    summary: 'print Kubernetes YAML: Greeters, ClusterIP and headless Services, a probe Job',
    register: async (program) => (await import('./manifests.js')).registerManifests(program),
  },
];

/** The subcommand `argv` names (`run ...`, `help run`), or null for the root (`--help`, `--version`). */
export function commandNamed(argv: readonly string[]): CommandEntry | null {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((entry) => entry.name === name) ?? null;
}

/**
 * Builds the program; exported for tests of the help text.
 * @param load the commands registered in full (module loaded); the others appear by summary only.
 *   Default: all of them.
 */
export async function buildProgram(load: readonly CommandEntry[] = COMMANDS): Promise<Command> {
  const program = new Command('grpclb-probe')
    .description(
      'Make gRPC load-balancing skew visible: which backend answered each RPC over one channel, how skewed, and why. ' +
        '`grpclb-probe run` with no target shows ClusterIP vs headless vs proxy side by side in a local lab.',
    )
    .version(toolInfo().version, '-V, --version')
    // Options after a subcommand are that subcommand's (`manifests probe` reuses names of `manifests`).
    .enablePositionalOptions()
    .exitOverride()
    // One line, always: a value holding CR/LF is echoed escaped, a suggestion joins the line.
    .configureOutput({
      outputError: (text, write) =>
        write(`${text.trimEnd().replace(/^error: /, 'grpclb-probe: ').replace(/\r/g, '\\r').replace(/\n(?=\(Did you mean)/g, ' ').replace(/\n/g, '\\n')}\n`),
    })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      '\nExamples:\n  $ grpclb-probe run\n  $ grpclb-probe run --target my-svc.my-ns:50051 --expect-backends 3\n  $ grpclb-probe serve --replicas 3\n  $ grpclb-probe manifests --replicas 3 --probe-pods 4 | kubectl apply -f -\n  $ grpclb-probe scenario scale-out\n  $ kubectl -n grpclb-probe logs -l job-name=grpclb-probe -c probe-clusterip --tail=-1 | grpclb-probe merge\n',
    );
  for (const entry of COMMANDS) {
    if (load.includes(entry)) await entry.register(program);
    else program.command(entry.name);
    program.commands.find((command) => command.name() === entry.name)?.summary(entry.summary);
  }
  return program;
}

/**
 * Drops Node's DEP0123 warning ("Setting the TLS ServerName to an IP address is not permitted
 * by RFC 6066"): grpc-js sets the servername to the target's host even when it is an IP
 * literal (grpc-node channel-credentials.ts `getConnectionOptions`), and Node ignores it there
 * anyway; a probe of `10.0.0.7:443 --tls` should not print a deprecation at the user.
 */
function dropIpServernameWarning(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const options = args[1];
    const code = typeof options === 'object' && options !== null ? (options as { code?: string }).code : args[2];
    if (code === 'DEP0123') return;
    emitWarning(...args);
  }) as typeof process.emitWarning;
}

/**
 * How long the process may take, once its command is done, to let its last sockets and timers
 * go before it ends anyway, ms: after a saturated run grpc-js can still hold an HTTP/2 session whose streams
 * never closed; a DNS query to a server that never answers cannot be cancelled (grpc-js
 * resolver-dns.ts `destroy`); a `waitForReady` given up on keeps its deadline timer (grpc-js
 * client.ts); and @grpc/grpc-js-xds keeps a resource's does-not-exist timer (15 s, xds-client.ts
 * ResourceTimer) after the channel that asked for it closed, so a scenario interrupted while its
 * xds setup connected stayed up 15 s after its report. The report and --out are written
 * synchronously by then; short, so that a `--connect-timeout` is honoured.
 */
export const LINGER_MS = 100;

/**
 * Parses `argv` (without node and script), runs the command, sets process.exitCode, and ends the
 * process {@link LINGER_MS} later if anything still holds it up. The process entry's alone:
 * tests that run commands in-process through {@link buildProgram} never end their process.
 * Never throws.
 */
export async function main(argv: readonly string[]): Promise<void> {
  dropIpServernameWarning();
  // `grpclb-probe run -o json | head`: a closed pipe ends the output, quietly, like any Unix tool.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
  // grpc-js logs errors it also returns to us (e.g. "No address added" on a failed bind);
  // the CLI reports those itself, in one line. GRPC_VERBOSITY / GRPC_TRACE still turn them on.
  // grpc-js reads GRPC_VERBOSITY when it loads (grpc-js src/logging.ts), which is later, lazily.
  if (process.env.GRPC_VERBOSITY === undefined && process.env.GRPC_TRACE === undefined) {
    process.env.GRPC_VERBOSITY = 'NONE';
  }
  try {
    const named = commandNamed(argv);
    const program = await buildProgram(named === null ? [] : [named]);
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    process.exitCode = exitCodeOfError(error);
  }
  // Unref'd: costs nothing when the process ends by itself.
  setTimeout(() => process.exit(), LINGER_MS).unref();
}
