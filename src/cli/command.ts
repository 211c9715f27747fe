/** The CLI is a thin shell over the library: each command parses its arguments and calls one library function. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** true when stderr is a terminal: progress may be shown */
  isTTY: boolean;
  readStdin: () => Promise<string>;
}

export interface Command {
  name: string;
  /** one line for `udnc --help` */
  summary: string;
  /** full `udnc <name> --help` text */
  help: string;
  /** returns the exit code (see EXIT in src/common/errors.ts) */
  run(argv: string[], io: CliIO): Promise<number>;
}
