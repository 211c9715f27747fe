/** The CLI is a thin shell over the library: each command parses its arguments and calls one library function. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { EXIT } from '../common/errors.js';
import type { Progress } from '../common/progress.js';
import { loadManifests } from '../manifests/index.js';
import type { ManifestSet } from '../manifests/types.js';
import { buildModel } from '../model/index.js';
import type { ClusterModel } from '../model/types.js';
import type { Protocol } from '../model/k8s.js';
import { usage } from '../semantics/cli-util.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** true when stderr is a terminal: progress may be shown */
  isTTY: boolean;
  readStdin: () => Promise<string>;
  /**
   * The command has succeeded and its output is final: what it wrote so far and everything after
   * goes to stdout as written, not kept until the end (OpenFlow text at 10,000 pods is GBs).
   */
  stream?: () => void;
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
 * The options matrix and verify both take (each help text lists them): how the manifests are read
 * and modelled (see {@link loadModel}), which semantics judge them, and the OpenFlow cross-check.
 */
export const MODEL_OPTIONS = {
  semantics: { type: 'string' },
  'implicit-namespaces': { type: 'boolean' },
  'no-cross-check': { type: 'boolean' },
  lenient: { type: 'boolean' },
} as const;

/**
 * The manifests and their cluster model, as matrix and verify read them (`--lenient`,
 * `--implicit-namespaces`), each step named on the progress line.
 */
export async function loadModel(
  paths: string[], flags: { lenient?: boolean; 'implicit-namespaces'?: boolean }, io: CliIO, progress: Progress,
): Promise<{ set: ManifestSet; model: ClusterModel }> {
  progress.stage('reading manifests');
  const set = await loadManifests(paths, { readStdin: io.readStdin, lenient: flags.lenient === true });
  progress.stage('model');
  return { set, model: buildModel(set, { implicitNamespaces: flags['implicit-namespaces'] === true }) };
}

/**
 * `--port P [--protocol PROTO]` as matrix and report take them: the one port to probe, or undefined
 * (probe every declared and policy port). Bad values are usage errors (exit 2).
 */
export function probePortOption(cmd: string, port: string | undefined, protocol: string | undefined): Array<{ protocol: Protocol; port: number }> | undefined {
  const proto = (protocol ?? 'TCP').toUpperCase() as Protocol;
  if (!['TCP', 'UDP', 'SCTP'].includes(proto)) throw usage(cmd, `unknown protocol '${proto}'`);
  if (port === undefined) {
    if (protocol !== undefined) throw usage(cmd, '--protocol needs --port');
    return undefined;
  }
  const p = Number(port);
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw usage(cmd, '--port must be 1-65535');
  return [{ protocol: proto, port: p }];
}
