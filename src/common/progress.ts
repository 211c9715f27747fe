/**
 * Progress on stderr for long runs: one line, rewritten in place, showing the stage and a percent.
 * Shown only when stderr is a terminal (`CliIO.isTTY`); otherwise every call is a no-op, so output
 * captured by scripts, CI logs and tests never contains it.
 *
 * Usage in a command (see src/cli/commands/report.ts):
 *
 *   const progress = createProgress(io, 'report');
 *   progress.stage('model');                 // "udnc report: model"
 *   progress.stage('matrix', rows.length);   // a stage with a known amount of work
 *   for (...) progress.tick();               // "udnc report: matrix 42%" (redrawn only when the percent changes)
 *   progress.done();                         // clears the line; call it before writing results or errors
 *
 * `compileStages(progress)` is an `onStage` for src/compile.ts; `progress.update(name, done, total)`
 * suits library callbacks that report (done, total).
 *
 * Library code should not import this; pass a callback (`onProgress?: (done, total) => void`) and
 * let the command forward it to `tick`.
 */

/** The part of CliIO the reporter needs. */
export interface ProgressIO {
  stderr: (s: string) => void;
  isTTY: boolean;
}

export interface Progress {
  /** start a stage; `total` units of work when known (then `tick` shows a percent) */
  stage(name: string, total?: number): void;
  /** `n` more units of the current stage done (default 1) */
  tick(n?: number): void;
  /** `done` of `total` units of stage `name` (starts the stage when it is not the current one) */
  update(name: string, done: number, total: number): void;
  /** clear the progress line (idempotent) */
  done(): void;
  /** false when silent */
  readonly enabled: boolean;
}

const CLEAR = '\r\x1b[K';

export function createProgress(io: ProgressIO, command: string): Progress {
  if (!io.isTTY) return { stage() {}, tick() {}, update() {}, done() {}, enabled: false };
  let name = '';
  let total = 0;
  let count = 0;
  let shownPct = -1;
  let dirty = false;
  const draw = (text: string): void => {
    io.stderr(`${CLEAR}udnc ${command}: ${text}`);
    dirty = true;
  };
  const p: Progress = {
    enabled: true,
    stage(n, t) {
      name = n;
      total = t ?? 0;
      count = 0;
      shownPct = total > 0 ? 0 : -1;
      draw(total > 0 ? `${name} 0%` : name);
    },
    tick(n = 1) {
      if (total <= 0) return;
      count = Math.min(total, count + n);
      const pct = Math.floor((count * 100) / total);
      if (pct !== shownPct) {
        shownPct = pct;
        draw(`${name} ${pct}%`);
      }
    },
    update(n, d, t) {
      if (n !== name || t !== total || !dirty) p.stage(n, t);
      p.tick(d - count);
    },
    done() {
      if (dirty) io.stderr(CLEAR);
      dirty = false;
    },
  };
  return p;
}

/** What the compile stages (src/compile.ts `onStage`) are called on the progress line. */
const STAGE_LABELS: Record<string, string> = {
  manifests: 'reading manifests', model: 'model', nb: 'northbound rows', lflow: 'logical flows', openflow: 'OpenFlow flows',
};

/** An `onStage` callback for src/compile.ts that names each stage on the progress line. */
export function compileStages(p: Progress, prefix = ''): (stage: string) => void {
  return (stage) => p.stage(`${prefix}${STAGE_LABELS[stage] ?? stage}`);
}

/** `io` whose stderr first clears the progress line, for code that reports on stderr while a stage runs. */
export function clearingStderr<T extends ProgressIO>(io: T, p: Progress): T {
  return { ...io, stderr: (s: string) => { p.done(); io.stderr(s); } };
}
