// A CLI command: its documentation (one table that the option parser, `--help`,
// `bringup help <command>` and the shell completions all read, so they cannot drift
// apart) and its entry point (returns the exit code).

/** What a shell should offer for a value: files, directories, or the ids bringup knows. */
export type Completion = 'file' | 'dir' | 'suite' | 'board' | 'kernel' | 'command' | 'none';

export interface OptionSpec {
  /** the long name, without "--" */
  name: string;
  /** one letter, without "-" */
  short?: string;
  type: 'string' | 'boolean';
  /** may be given more than once (values collect in order) */
  multiple?: boolean;
  /** the placeholder in help text, e.g. "FILE" (string options) */
  value?: string;
  /** the only values accepted; checked by the parser, offered by the completions */
  choices?: readonly string[];
  complete?: Completion;
  /** one or more lines; the first is what a completion menu shows */
  help: string;
}

export interface CommandDoc {
  name: string;
  /** one line: the command list and NAME */
  summary: string;
  /** usage lines, each without the leading "bringup " */
  synopsis: string[];
  /** paragraphs separated by blank lines */
  description: string;
  options: OptionSpec[];
  /** what the operands are, for completion; absent: the command takes none */
  operands?: Completion;
  /** command lines (without "$ ") with what each does */
  examples: { command: string; says: string }[];
  exit: string;
  environment?: string;
  /** further text after the options (limits, formats) */
  notes?: string;
  seeAlso?: string[];
}

export interface Command {
  /** `bringup <command> --help`: usage, options, exit status */
  help: string;
  /** the structured documentation; commands without it get their help text verbatim */
  doc?: CommandDoc;
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad command-line usage; main prints it with the command's help hint. */
export class UsageError extends Error {}
