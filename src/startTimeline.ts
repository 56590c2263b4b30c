/** A moment of the start: ms since the process started (`performance.now()` counts from it) and the process's CPU ms by then. */
export interface StartMark { ms: number; cpu: number }

/**
 * Where a start's time goes: each phase as its span from the process's start, so phases that overlap
 * (PostgreSQL booting in its own process while this one loads modules and builds the schema) show as
 * overlapping, with this process's CPU time in it (on a shared machine the wall time of a phase is mostly
 * waiting for a core; its CPU time is not). `npm run bench:start` prints it from the `ready` log line.
 */
export class StartTimeline {
  private readonly spans: [phase: string, from: number, to: number, cpu: number | null][] = [];

  /** Now, as a mark to record a phase from. */
  static mark(): StartMark {
    const { user, system } = process.cpuUsage();
    return { ms: performance.now(), cpu: (user + system) / 1000 };
  }

  /**
   * Records a phase that ran from `from` (the process's start when omitted) until now; `elsewhere` for one
   * that ran in another process (its CPU is not this process's).
   */
  record(phase: string, from: StartMark = { ms: 0, cpu: 0 }, elsewhere = false): void {
    const to = StartTimeline.mark();
    this.spans.push([phase, Math.round(from.ms), Math.round(to.ms), elsewhere ? null : Math.round(to.cpu - from.cpu)]);
  }

  /** Runs `work` as a phase. */
  async time<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
    const from = StartTimeline.mark();
    try {
      return await work();
    } finally {
      this.record(phase, from);
    }
  }

  /** The phases in the order they ended: `[phase, from ms, to ms, CPU ms or null]` each. */
  toJSON(): [string, number, number, number | null][] {
    return this.spans.map((s) => [...s]);
  }
}
