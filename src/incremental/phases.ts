/**
 * CPU time per phase of one Compiler.apply (process.cpuUsage, ms): where an incremental change
 * spends its time, for the bench and for controllers that want to watch it. Phases are named
 * after the code that runs in them (model, nb, nb-diff, lflow-view, lflow-datapaths, …).
 */
export class PhaseTimer {
  readonly ms: Record<string, number> = {};
  private last = process.cpuUsage();

  /** Charges the CPU time since the previous mark (or construction) to `phase`. */
  mark(phase: string): void {
    const d = process.cpuUsage(this.last);
    this.last = process.cpuUsage();
    this.ms[phase] = (this.ms[phase] ?? 0) + (d.user + d.system) / 1000;
  }
}
