import { type SourceRef, formatSource } from './source.js';

/**
 * One problem found in the input. `path` is the field path inside the object
 * (e.g. `spec.ingress[0].ports[1].port`) when the problem is about a field.
 */
export interface Diagnostic {
  severity: 'error' | 'warning' | 'notice';
  source?: SourceRef;
  path?: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${formatSource(d.source)}: ` : '';
  const path = d.path ? `${d.path}: ` : '';
  return `${where}${d.severity}: ${path}${d.message}`;
}

/**
 * Exit codes, shared by every command:
 *  0 ok, 1 a check failed (verify/golden/diff found something), 2 bad input or usage,
 *  3 udnc disagrees with itself (classifier vs semantics: a compiler bug).
 */
export const EXIT = { OK: 0, CHECK_FAILED: 1, BAD_INPUT: 2, INTERNAL_DISAGREEMENT: 3 } as const;

/** Input that a real cluster would reject. Carries every diagnostic found, not just the first. */
export class InputError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'InputError';
    this.diagnostics = diagnostics;
  }
}
