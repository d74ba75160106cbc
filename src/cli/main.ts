// The commander program: subcommands, --version, and the mapping from errors to one-line
// messages and exit codes. The only place, with the subcommands, that sets process.exitCode.
import { Command, CommanderError } from 'commander';
import grpc from '@grpc/grpc-js';
import { CliError, EXIT } from './errors.js';
import { toolInfo } from '../tool.js';
import { registerLab } from './lab.js';
import { registerManifests } from './manifests.js';
import { registerMerge } from './merge.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';

/** Exit code for a bug in grpclb-probe itself (sysexits EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** Builds the program; exported for tests of the help text. */
export function buildProgram(): Command {
  const program = new Command('grpclb-probe')
    .description(
      'Make gRPC load-balancing skew visible: which backend answered each RPC over one channel, how skewed, and why. ' +
        '`grpclb-probe run` with no target shows ClusterIP vs headless vs proxy side by side in a local lab.',
    )
    .version(toolInfo().version, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'grpclb-probe: ')) })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      '\nExamples:\n  $ grpclb-probe run\n  $ grpclb-probe run --target my-svc.my-ns:50051 --expect-backends 3\n  $ grpclb-probe serve --replicas 3\n  $ grpclb-probe manifests --replicas 3 --probe-pods 4 | kubectl apply -f -\n  $ kubectl logs -l job-name=grpclb-probe -c probe-clusterip --tail=-1 | grpclb-probe merge\n',
    );
  registerRun(program);
  registerServe(program);
  registerLab(program);
  registerMerge(program);
  registerManifests(program);
  return program;
}

/** Parses `argv` (without node and script), runs the command, sets process.exitCode. Never throws. */
export async function main(argv: readonly string[]): Promise<void> {
  // `grpclb-probe run -o json | head`: a closed pipe ends the output, quietly, like any Unix tool.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
  // grpc-js logs errors it also returns to us (e.g. "No address added" on a failed bind);
  // the CLI reports those itself, in one line. GRPC_VERBOSITY / GRPC_TRACE still turn them on.
  if (process.env.GRPC_VERBOSITY === undefined && process.env.GRPC_TRACE === undefined) {
    grpc.setLogVerbosity(grpc.logVerbosity.NONE);
  }
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here with exit code 0; usage errors were already printed.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (error instanceof CliError) {
      process.stderr.write(`grpclb-probe: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      const text = error instanceof Error ? error.message : String(error);
      process.stderr.write(`grpclb-probe: internal error: ${text.split('\n')[0]} (set GRPCLB_PROBE_DEBUG=1 for the stack)\n`);
      if (process.env.GRPCLB_PROBE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
      process.exitCode = EXIT_INTERNAL;
    }
  }
}
