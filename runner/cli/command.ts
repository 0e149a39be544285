// A CLI command: its help text and its entry point (returns the exit code).

export interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad command-line usage; main prints it with the command's help hint. */
export class UsageError extends Error {}
