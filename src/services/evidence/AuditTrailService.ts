import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { AUDIT_ENTRY_FIELDS } from '../../auth/rules/evidence';
import { accessCondition } from '../../auth/caslToSql';
import { concernsAny, entryFromRow } from '../../audit/AuditLog';
import { inclusionProofs, leafHash, type SignedCheckpoint } from '../../audit/chain';
import { auditPaths } from '../../audit/proofs';
import type { Context } from '../../context';
import { badInput, forbidden } from '../../errors';
import type { AuditTrailFilter } from '../../schema/evidence/inputs';
import type { AuditCheckpoint, AuditTrailConnection, InclusionProof } from '../../schema/evidence/payloads';
import { pageSize, requireUser } from '../CaseService';

void AUDIT_ENTRY_FIELDS;

const proofLoaders = new WeakMap<object, DataLoader<string, InclusionProof | null>>();

/** The audit trail as investigators and the coordination council read it, with inclusion proofs. */
export class AuditTrailService {
  static withKey(ctx: Context, c: SignedCheckpoint): AuditCheckpoint {
    return { ...c, publicKey: ctx.deps.audit.keys.publicKeyPem };
  }

  static async latestCheckpoint(ctx: Context): Promise<SignedCheckpoint | null> {
    const [c]: { size: string; root: string; head: string; at: Date; key_id: string; signature: string }[] = await ctx.em.query(
      'SELECT size::text AS size, root, head, at, key_id, signature FROM audit_checkpoint c ORDER BY c.size DESC LIMIT 1',
    );
    return c ? { size: c.size, root: c.root, head: c.head, at: c.at.toISOString(), keyId: c.key_id, signature: c.signature } : null;
  }

  /** Entries matching the filter, oldest first; entries about evidence the reader may not read are left out. */
  static async trail(ctx: Context, filter: AuditTrailFilter | undefined, first: number | undefined, after: string | undefined): Promise<AuditTrailConnection> {
    requireUser(ctx);
    if (!ctx.ability.can('read', 'AuditEntry')) throw forbidden('The audit trail is for investigators and the coordination council');
    const limit = pageSize(first, 50, ctx.deps.config.maxPageSize);
    const qb = ctx.em.createQueryBuilder().from('audit_entry', 'a');
    const cols = ['seq::text:seq', 'at:at', 'actor_id:actor_id', 'organization_id:organization_id', 'operation:operation', 'entity_type:entity_type',
      'entity_id:entity_id', 'entity_ids:entity_ids', 'fields:fields', 'values_hash:values_hash', 'prev_hash:prev_hash', 'hash:hash'];
    cols.forEach((c, i) => {
      const [expr, alias] = [c.slice(0, c.lastIndexOf(':')), c.slice(c.lastIndexOf(':') + 1)];
      if (i === 0) qb.select(`a.${expr}`, alias);
      else qb.addSelect(`a.${expr}`, alias);
    });
    if (filter?.entityType) qb.andWhere('a.entity_type = :et', { et: filter.entityType });
    if (filter?.entityId) qb.andWhere(concernsAny('ARRAY[:eid]::text[]'), { eid: filter.entityId });
    if (filter?.userId) qb.andWhere('a.actor_id = :uid', { uid: filter.userId });
    if (filter?.from) qb.andWhere('a.at >= :from', { from: filter.from });
    if (filter?.to) qb.andWhere('a.at < :to', { to: filter.to });
    if (after) {
      const seq = Buffer.from(after, 'base64url').toString('utf8');
      if (!/^\d{1,18}$/.test(seq)) throw badInput('after', 'is not a cursor this API gave out');
      qb.andWhere('a.seq > :after', { after: seq });
    }
    // Nobody learns of an evidence item through the audit trail who could not read the item itself.
    const ev = accessCondition(ctx.ability, 'read', 'EvidenceItem', 'ev');
    // A batched READ entry (format 2) names every item it lists: shown only to whom may read them all.
    qb.andWhere(`(a.entity_type <> 'EvidenceItem' OR (CASE WHEN a.entity_ids IS NULL
        THEN EXISTS (SELECT 1 FROM evidence_item ev WHERE ev.id::text = a.entity_id AND ${ev.sql})
        ELSE NOT EXISTS (SELECT 1 FROM unnest(a.entity_ids) x(id) WHERE NOT EXISTS (SELECT 1 FROM evidence_item ev WHERE ev.id::text = x.id AND ${ev.sql})) END))`, ev.params);
    const rows = await qb.orderBy('a.seq').limit(limit + 1).getRawMany();
    const entries = rows.slice(0, limit).map(entryFromRow);
    const edges = entries.map((node: ReturnType<typeof entryFromRow>) => ({ node, cursor: Buffer.from(node.seq, 'utf8').toString('base64url') }));
    const checkpoint = await AuditTrailService.latestCheckpoint(ctx);
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
      checkpoint: checkpoint ? AuditTrailService.withKey(ctx, checkpoint) : null,
    };
  }

  /** The RFC 6962 audit path of entry `seq` against the latest checkpoint (null if the entry is newer). Batched per request. */
  static proof(ctx: Context, seq: string): Promise<InclusionProof | null> {
    let loader = proofLoaders.get(ctx.loaders);
    if (!loader) {
      loader = new DataLoader(async (seqs) => {
        const c = await AuditTrailService.latestCheckpoint(ctx);
        if (!c) return seqs.map(() => null);
        const proofs = await AuditTrailService.proofs(ctx, c, seqs.map((s) => Number(s) - 1));
        return seqs.map((s) => {
          const path = proofs.get(Number(s) - 1);
          return path ? { leafIndex: String(Number(s) - 1), treeSize: c.size, root: c.root, path } : null;
        });
      });
      proofLoaders.set(ctx.loaders, loader);
    }
    return loader.load(seq);
  }

  /**
   * Audit paths of several leaves (0-based) in the tree of checkpoint `c`: O(log n) each, from the subtree hashes
   * the checkpoints store (src/audit/proofs.ts). A checkpoint signed before those were kept falls back to one
   * pass over its leaves until the next checkpoint fills them in.
   */
  static async proofs(ctx: Context, c: SignedCheckpoint, indices: number[]): Promise<Map<number, string[]>> {
    const size = Number(c.size);
    const query = (sql: string, params?: unknown[]) => ctx.deps.dataSource.query(sql, params);
    const fast = await auditPaths(query, size, c.root, indices);
    if (fast) return fast;
    ctx.deps.logger.warn({ checkpoint: c.size }, 'audit: subtree hashes not stored yet for this checkpoint; proofs take a pass over the log until the next checkpoint');
    const wanted = indices.filter((i) => i >= 0 && i < size);
    if (wanted.length === 0) return new Map();
    return inclusionProofs(await AuditTrailService.leaves(ctx.deps.dataSource.manager, 0n, BigInt(size)), wanted);
  }

  /** The Merkle leaf hashes of entries from < seq <= to, in order, read through `em` (a transaction sees its own). */
  static async leaves(em: Pick<EntityManager, 'query'>, from: bigint, to: bigint): Promise<Buffer[]> {
    const out: Buffer[] = [];
    const batch = 100000n;
    for (let lo = from; lo < to; lo += batch) {
      const hi = lo + batch < to ? lo + batch : to;
      const rows: { hash: string }[] = await em.query('SELECT hash FROM audit_entry WHERE seq > $1 AND seq <= $2 ORDER BY seq', [lo.toString(), hi.toString()]);
      if (rows.length !== Number(hi - lo)) throw new Error(`audit: entries ${lo + 1n}..${hi} are not all there`);
      for (const r of rows) out.push(leafHash(r.hash));
    }
    return out;
  }
}
