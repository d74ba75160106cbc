// The CLI's error hierarchy: each error carries the exit code the process ends with
// (mapped in command.ts). Only src/cli sets process.exitCode; everything else throws or returns data.

/** Exit codes, as documented in the README and in `--help`. */
export const EXIT = {
  ok: 0,
  gateFailed: 1,
  usage: 2,
  targetUnavailable: 3,
  labFailed: 4,
  /** The run ended but --out or GITHUB_STEP_SUMMARY could not be written (sysexits EX_IOERR); the report went to stdout instead. */
  ioError: 74,
  /** A bug in grpclb-probe itself (sysexits EX_SOFTWARE). */
  internal: 70,
  interrupted: 130,
} as const;

/** An error the CLI reports as one line (no stack trace) and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Bad flags or arguments: exit 2. The message names the flag and what would fix it. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** No RPC succeeded: exit 3. */
export class TargetUnavailableError extends CliError {
  constructor(message: string) {
    super(message, EXIT.targetUnavailable);
  }
}

/** The lab could not bind an address or port: exit 4. */
export class LabStartError extends CliError {
  constructor(message: string) {
    super(message, EXIT.labFailed);
  }
}
