import type { DataSource } from 'typeorm';
import type { AuditLog } from '../../audit/AuditLog';
import { CustodyEvent } from '../../entities';
import { CustodyEventKind } from '../../schema/enums';
import { contentPath, rehash } from './evidenceStore';

export interface FixityResult {
  checked: number;
  failed: { evidenceId: string; expected: string; actual: string | null; problem: 'MISSING' | 'CHANGED' }[];
}

/**
 * Re-hashes every stored original and records the outcome as a FIXITY_CHECKED custody event (ok or not) and an
 * audit entry by the hub itself. A missing or changed file is reported by item.
 */
export async function runFixity(ds: DataSource, audit: AuditLog, evidenceDir: string, progress: (done: number) => void = () => undefined): Promise<FixityResult> {
  const result: FixityResult = { checked: 0, failed: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const items: { id: string; sha256: string }[] = await ds.query(
      'SELECT id, sha256 FROM evidence_item WHERE sha256 IS NOT NULL AND id > $1 ORDER BY id LIMIT 200', [after],
    );
    if (items.length === 0) break;
    const outcomes: { it: { id: string; sha256: string }; actual: string | null; ok: boolean }[] = [];
    for (const it of items) {
      const actual = await rehash(contentPath(evidenceDir, it.sha256));
      const ok = actual === it.sha256;
      if (!ok) result.failed.push({ evidenceId: it.id, expected: it.sha256, actual, problem: actual === null ? 'MISSING' : 'CHANGED' });
      outcomes.push({ it, actual, ok });
    }
    await ds.transaction(async (em) => {
      await em.insert(CustodyEvent, outcomes.map(({ it, actual, ok }) => ({
        evidenceId: it.id, kind: CustodyEventKind.FIXITY_CHECKED, ok, sha256: actual, note: ok ? 'fixity OK' : actual === null ? 'FAILED: file missing' : `FAILED: file now hashes to ${actual}`,
      })));
      await audit.append(em, outcomes.map(({ it, actual, ok }) => ({
        actorId: null, organizationId: null, operation: 'FIXITY_CHECK', entityType: 'EvidenceItem', entityId: it.id, fields: ['content'], values: { ok, actual },
      })));
    });
    result.checked += items.length;
    progress(result.checked);
    after = items[items.length - 1].id;
  }
  return result;
}
