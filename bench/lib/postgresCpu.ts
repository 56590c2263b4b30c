import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Client } from 'pg';

/*
 * CPU time of the PostgreSQL backends serving one database, read from /proc (user + system) for the
 * client backends that pg_stat_activity lists for it. Only possible when PostgreSQL runs on this machine
 * and /proc/<pid>/stat is readable; otherwise the sampler is null and the benchmark prints "n/a".
 * Both servers' pools connect to the same database; only the server under load makes its backends work.
 */

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU milliseconds of one process so far, or undefined when /proc cannot tell. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: fields after it start at "state" (field 3).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

export type CpuSample = Map<number, number>;

export interface PostgresCpuSampler {
  sample(): Promise<CpuSample>;
  /** CPU milliseconds spent between two samples (a backend that appeared in between counts from zero). */
  between(before: CpuSample, after: CpuSample): number;
}

/** A sampler for the backends of `database`, or null when their CPU time cannot be read here. */
export async function postgresCpuSampler(admin: Client, database: string, host: string): Promise<PostgresCpuSampler | null> {
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) || process.platform !== 'linux') return null;
  const sample = async (): Promise<CpuSample> => {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [database]);
    const out: CpuSample = new Map();
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) out.set(pid, ms);
    }
    return out;
  };
  const first = await sample();
  if (first.size === 0) return null;
  return {
    sample,
    between(before, after) {
      let total = 0;
      for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
      return total;
    },
  };
}
