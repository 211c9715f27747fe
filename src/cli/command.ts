/** The CLI is a thin shell over the library: each command parses its arguments and calls one library function. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { EXIT } from '../common/errors.js';
import type { Progress } from '../common/progress.js';
import { loadManifests } from '../manifests/index.js';
import type { ManifestSet } from '../manifests/types.js';
import { buildModel } from '../model/index.js';
import type { ClusterModel } from '../model/types.js';

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

/**
 * `node:util` parseArgs with the commands' usage-error convention: on an unknown or malformed
 * option, print `udnc CMD: message` and the help on stderr and return undefined (exit 2).
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(
  cmd: Pick<Command, 'name' | 'help'>, argv: string[], options: O, io: CliIO,
): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>> | undefined {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (e) {
    usageError(io, cmd, (e as Error).message, true);
    return undefined;
  }
}

/** `udnc CMD: message` on stderr (with the help text when `withHelp`); returns exit 2. */
export function usageError(io: CliIO, cmd: Pick<Command, 'name' | 'help'>, message: string, withHelp = false): number {
  io.stderr(`udnc ${cmd.name}: ${message}\n${withHelp ? `\n${cmd.help}` : ''}`);
  return EXIT.BAD_INPUT;
}

/**
 * The manifests and their cluster model, as matrix and verify read them (`--lenient`,
 * `--implicit-namespaces`), each step named on the progress line.
 */
export async function loadModel(paths: string[], flags: ReadonlyMap<string, unknown>, io: CliIO, progress: Progress): Promise<{ set: ManifestSet; model: ClusterModel }> {
  progress.stage('reading manifests');
  const set = await loadManifests(paths, { readStdin: io.readStdin, lenient: flags.has('--lenient') });
  progress.stage('model');
  return { set, model: buildModel(set, { implicitNamespaces: flags.has('--implicit-namespaces') }) };
}
