import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import type { Context } from '../../context';
import { Case, CustodyEvent, EvidenceItem, Incident } from '../../entities';
import { accessCondition } from '../../auth/caslToSql';
import { whereAccessible } from '../loaders';

/** Per-request, CASL-filtered loaders of the ICC records. */
export interface EvidenceLoaders {
  incident: DataLoader<string, Incident | null>;
  evidence: DataLoader<string, EvidenceItem | null>;
  incidentsByCase: DataLoader<string, Incident[]>;
  incidentsByEvidence: DataLoader<string, Incident[]>;
  evidenceByCase: DataLoader<string, EvidenceItem[]>;
  evidenceByIncident: DataLoader<string, EvidenceItem[]>;
  /** Case ids linked to an incident or an item (the cases themselves load through ctx.loaders.case, filtered). */
  caseIdsByIncident: DataLoader<string, string[]>;
  caseIdsByEvidence: DataLoader<string, string[]>;
  custodyByEvidence: DataLoader<string, CustodyEvent[]>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const validIds = (keys: readonly string[]) => [...new Set(keys.filter((k) => UUID.test(k)))];

function group<V>(keys: readonly string[], pairs: { key: string; value: V }[]): V[][] {
  const map = new Map<string, V[]>(keys.map((k) => [k, []]));
  for (const p of pairs) map.get(p.key)?.push(p.value);
  return keys.map((k) => map.get(k) ?? []);
}

// Kept beside the request's loaders: every copy of a request context (transactions) shares them.
const cache = new WeakMap<object, EvidenceLoaders>();

export function evidenceLoaders(ctx: Context): EvidenceLoaders {
  let l = cache.get(ctx.loaders);
  if (!l) {
    l = create(ctx);
    cache.set(ctx.loaders, l);
  }
  return l;
}

function create(ctx: Context): EvidenceLoaders {
  const em = () => ctx.deps.dataSource.manager;
  const byIds = <T extends { id: string }>(entity: new () => T, subject: string, alias: string) => new DataLoader<string, T | null>(async (keys) => {
    const ids = validIds(keys);
    if (ids.length === 0) return keys.map(() => null);
    const qb = em().createQueryBuilder(entity, alias).where(`${alias}.id IN (:...ids)`, { ids });
    const rows = await whereAccessible(ctx, qb, 'read', subject, alias).getMany();
    const map = new Map(rows.map((r) => [r.id, r]));
    return keys.map((k) => map.get(k) ?? null);
  });
  /** Records linked through `link` (a join table), filtered in SQL. */
  const linked = <T extends { id: string }>(entity: new () => T, subject: string, table: string, keyCol: string, valueCol: string) =>
    new DataLoader<string, T[]>(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const qb = em().createQueryBuilder(entity, 'r')
        .innerJoin(table, 'l', `l.${valueCol} = r.id`)
        .addSelect(`l.${keyCol}`, 'link_key')
        .where(`l.${keyCol} IN (:...ids)`, { ids })
        .orderBy('r.created_at').addOrderBy('r.id');
      whereAccessible(ctx, qb, 'read', subject, 'r');
      const { entities, raw } = await qb.getRawAndEntities();
      // getRawAndEntities deduplicates entities; pair each raw row with its entity by id.
      const byId = new Map(entities.map((e) => [e.id, e]));
      return group(keys, raw.map((r: Record<string, string>) => ({ key: r.link_key, value: byId.get(r.r_id)! })).filter((p) => p.value));
    });
  const caseIds = (table: string, keyCol: string) => new DataLoader<string, string[]>(async (keys) => {
    const ids = validIds(keys);
    if (ids.length === 0) return keys.map(() => []);
    // Only case ids the reader may read leave the database.
    const cond = accessCondition(ctx.ability, 'read', 'Case', 'c');
    const qb = em().createQueryBuilder().select(`l.${keyCol}`, 'k').addSelect('l.case_id', 'case_id').from(table, 'l')
      .innerJoin(Case, 'c', 'c.id = l.case_id').where(`l.${keyCol} IN (:...ids)`, { ids }).andWhere(cond.sql, cond.params).orderBy('l.case_id');
    const rows: { k: string; case_id: string }[] = await qb.getRawMany();
    return group(keys, rows.map((r) => ({ key: r.k, value: r.case_id })));
  });
  return {
    incident: byIds(Incident, 'Incident', 'i'),
    evidence: byIds(EvidenceItem, 'EvidenceItem', 'ev'),
    incidentsByCase: linked(Incident, 'Incident', 'incident_case', 'case_id', 'incident_id'),
    incidentsByEvidence: linked(Incident, 'Incident', 'evidence_incident', 'evidence_id', 'incident_id'),
    evidenceByCase: linked(EvidenceItem, 'EvidenceItem', 'evidence_case', 'case_id', 'evidence_id'),
    evidenceByIncident: linked(EvidenceItem, 'EvidenceItem', 'evidence_incident', 'incident_id', 'evidence_id'),
    caseIdsByIncident: caseIds('incident_case', 'incident_id'),
    caseIdsByEvidence: caseIds('evidence_case', 'evidence_id'),
    custodyByEvidence: new DataLoader((keys) => custodyOf(ctx, em(), keys)),
  };
}

/**
 * The chains of custody of items (in `keys` order), as `ctx`'s user may read them, through `em`: the loader
 * reads committed rows, the dossier export reads inside its transaction (its own EXPORTED events included).
 */
export async function custodyOf(ctx: Context, em: EntityManager, keys: readonly string[]): Promise<CustodyEvent[][]> {
  const ids = validIds(keys);
  if (ids.length === 0) return keys.map(() => []);
  const item = accessCondition(ctx.ability, 'read', 'EvidenceItem', 'ev');
  const qb = em.createQueryBuilder(CustodyEvent, 'ce').where('ce.evidence_id IN (:...ids)', { ids })
    .andWhere(`EXISTS (SELECT 1 FROM evidence_item ev WHERE ev.id = ce.evidence_id AND ${item.sql})`, item.params)
    .orderBy('ce.id');
  whereAccessible(ctx, qb, 'read', 'CustodyEvent', 'ce');
  const rows = await qb.getMany();
  return group(keys, rows.map((r) => ({ key: r.evidenceId, value: r })));
}
