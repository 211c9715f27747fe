/** Small argument parser shared by the matrix/verify/conformance commands. */
import { InputError } from '../common/errors.js';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/**
 * `spec` maps each accepted flag (long form, with aliases) to whether it takes a value.
 * Unknown flags and missing values are usage errors (exit 2).
 */
export function parseArgs(argv: string[], spec: Record<string, { value: boolean; alias?: string }>, cmd: string): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  const byAlias = new Map<string, string>();
  for (const [k, v] of Object.entries(spec)) {
    byAlias.set(k, k);
    if (v.alias) byAlias.set(v.alias, k);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-') && a !== '-') {
      const [rawName, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const name = byAlias.get(rawName);
      if (!name) throw usage(cmd, `unknown option '${rawName}'`);
      if (spec[name]!.value) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw usage(cmd, `option '${rawName}' needs a value`);
        flags.set(name, v);
      } else flags.set(name, true);
    } else positional.push(a);
  }
  return { positional, flags };
}

export function usage(cmd: string, message: string): InputError {
  return new InputError([{ severity: 'error', message: `udnc ${cmd}: ${message} (see udnc ${cmd} --help)` }]);
}

export function semanticsFlag(v: string | true | undefined, cmd: string): 'ovn-kubernetes' | 'kubernetes' {
  if (v === undefined) return 'ovn-kubernetes';
  if (v === 'ovn-kubernetes' || v === 'kubernetes') return v;
  throw usage(cmd, `--semantics must be ovn-kubernetes or kubernetes (got '${String(v)}')`);
}
