import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';

const BAG = /^dossier-\d{8}T\d{6}Z-[0-9a-f]{8,}$/;

/** What a sweep of the export directory did. */
export interface SweepReport {
  removedPartial: string[];
  quarantined: string[];
}

/**
 * Clears what a hub killed in the middle of an export left in `exportDir` (run at start). A bag is renamed
 * into place just before its transaction commits, so after a crash:
 * - a `<name>.partial` directory never committed: it is removed;
 * - a bag whose `EXPORT Dossier <name>` audit entry is not in the log never committed either (the kill came
 *   between the rename and the commit): it is renamed `<name>.uncommitted`, kept for an operator but never
 *   taken for a bag (its checkpoint was never stored or published).
 * Only entries older than `minAgeMs` are touched, so that another instance's export in progress is left alone.
 */
export async function sweepExports(ds: DataSource, exportDir: string, logger: Logger, minAgeMs = 10 * 60_000, now = Date.now()): Promise<SweepReport> {
  const report: SweepReport = { removedPartial: [], quarantined: [] };
  let names: string[];
  try {
    names = await fs.promises.readdir(exportDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw e;
  }
  // The newest change anywhere inside: an export copying large originals writes deep in its tree for a while.
  const newest = async (p: string): Promise<number> => {
    const st = await fs.promises.stat(p);
    if (!st.isDirectory()) return st.mtimeMs;
    let t = st.mtimeMs;
    for (const e of await fs.promises.readdir(p)) t = Math.max(t, await newest(path.join(p, e)));
    return t;
  };
  const old = async (name: string) => now - await newest(path.join(exportDir, name)) >= minAgeMs;
  const finals = names.filter((n) => BAG.test(n));
  const committed = new Set<string>(finals.length === 0 ? [] : (await ds.query(
    `SELECT entity_id FROM audit_entry WHERE operation = 'EXPORT' AND entity_type = 'Dossier' AND entity_id = ANY($1::text[])`, [finals],
  )).map((r: { entity_id: string }) => r.entity_id));
  for (const name of names) {
    const partial = name.endsWith('.partial') && BAG.test(name.slice(0, -'.partial'.length));
    if (partial && await old(name)) {
      await fs.promises.rm(path.join(exportDir, name), { recursive: true, force: true });
      report.removedPartial.push(name);
    } else if (BAG.test(name) && !committed.has(name) && await old(name)) {
      await fs.promises.rename(path.join(exportDir, name), path.join(exportDir, `${name}.uncommitted`));
      report.quarantined.push(name);
    }
  }
  if (report.removedPartial.length || report.quarantined.length) {
    logger.warn({ dir: exportDir, ...report }, 'exports: removed bags left half-written and set aside bags whose export never committed');
  }
  return report;
}
