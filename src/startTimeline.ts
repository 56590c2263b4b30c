/**
 * Where a start's time goes: each phase as milliseconds from the process's start (`performance.now()`
 * counts from it), so phases that overlap (PostgreSQL booting in its own process while this one loads
 * modules and builds the schema) show as overlapping. `npm run bench:start` prints it from the `ready`
 * log line.
 */
export class StartTimeline {
  private readonly spans: { phase: string; from: number; to: number }[] = [];

  /** Records a phase that ran from `from` until now (both in ms since the process started). */
  record(phase: string, from: number, to: number = performance.now()): void {
    this.spans.push({ phase, from: Math.round(from), to: Math.round(to) });
  }

  /** Runs `work` as a phase. */
  async time<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
    const from = performance.now();
    try {
      return await work();
    } finally {
      this.record(phase, from);
    }
  }

  /** The phases in the order they ended, `[phase, from, to]` each. */
  toJSON(): [string, number, number][] {
    return this.spans.map((s) => [s.phase, s.from, s.to]);
  }
}
