import DataLoader from 'dataloader';
import type { Context } from '../../context';
import { ExternalRecord, MatchCandidate } from '../../entities';
import { whereAccessible } from '../loaders';

/** Per-request loaders of the identification records; every one that returns records filters with CASL in SQL. */
export interface IdentificationLoaders {
  externalRecord: DataLoader<string, ExternalRecord | null>;
  matchCandidate: DataLoader<string, MatchCandidate | null>;
  /**
   * The children whose current-location rule decides a trace's foundAt (internal: permission checks): the
   * child it is linked to, or while it is linked to none, the children it is an OPEN candidate for.
   */
  traceChildren: DataLoader<string, string[]>;
  /**
   * The child a trace is linked to, when the reader may read the CONFIRMED candidate that linked them (by trace
   * id): the link is a candidate's decision, so a reader of the trace through another child's candidate (or a
   * SUMMARY reader of the linked child) does not learn which child it became.
   */
  linkedChildId: DataLoader<string, string | null>;
  /** The aliases of a child that came from confirmed traces, by child id (internal: Child.aliases hides them from some readers). */
  traceAliases: DataLoader<string, string[]>;
  /** Cases marked doNotMatch, by case id (internal: the field's guard has already run). */
  doNotMatch: DataLoader<string, boolean>;
  /** Display names of users, by id (internal: only shown to members of the same organization). */
  userName: DataLoader<string, string | null>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const validIds = (keys: readonly string[]) => [...new Set(keys.filter((k) => UUID.test(k)))];

// Keyed by the request's loader set, so that they live and die with the request like the core loaders.
const perRequest = new WeakMap<object, IdentificationLoaders>();

/** The identification loaders of this request (created on first use). */
export function identificationLoaders(ctx: Context): IdentificationLoaders {
  let l = perRequest.get(ctx.loaders);
  if (!l) perRequest.set(ctx.loaders, (l = create(ctx)));
  return l;
}

function create(ctx: Context): IdentificationLoaders {
  const em = () => ctx.deps.dataSource.manager;
  return {
    externalRecord: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      const qb = em().createQueryBuilder(ExternalRecord, 'r').where('r.id IN (:...ids)', { ids });
      const rows = await whereAccessible(ctx, qb, 'read', 'ExternalRecord', 'r').getMany();
      const map = new Map(rows.map((r) => [r.id, r]));
      return keys.map((k) => map.get(k) ?? null);
    }),
    matchCandidate: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      const qb = em().createQueryBuilder(MatchCandidate, 'm').where('m.id IN (:...ids)', { ids });
      const rows = await whereAccessible(ctx, qb, 'read', 'MatchCandidate', 'm').getMany();
      const map = new Map(rows.map((r) => [r.id, r]));
      return keys.map((k) => map.get(k) ?? null);
    }),
    traceChildren: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      const out = new Map<string, string[]>(keys.map((k) => [k, []]));
      if (ids.length) {
        // A rejected or superseded candidate says the trace is NOT that child: it opens no location.
        const rows: { rid: string; cid: string }[] = await em().query(
          `SELECT r.id AS rid, r.linked_child_id AS cid FROM external_record r WHERE r.id = ANY($1::uuid[]) AND r.linked_child_id IS NOT NULL
           UNION
           SELECT m.external_record_id, m.child_id FROM match_candidate m JOIN external_record r ON r.id = m.external_record_id
            WHERE m.external_record_id = ANY($1::uuid[]) AND r.linked_child_id IS NULL AND m.status = 'OPEN'`,
          [ids],
        );
        for (const r of rows) out.get(r.rid)?.push(r.cid);
      }
      return keys.map((k) => out.get(k) ?? []);
    }),
    linkedChildId: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      const qb = em().createQueryBuilder(MatchCandidate, 'm')
        .select('m.external_record_id', 'rid').addSelect('m.child_id', 'cid')
        .innerJoin(ExternalRecord, 'r', 'r.id = m.external_record_id AND r.linked_child_id = m.child_id')
        .where('m.external_record_id IN (:...ids)', { ids }).andWhere(`m.status = 'CONFIRMED'`);
      const rows: { rid: string; cid: string }[] = await whereAccessible(ctx, qb, 'read', 'MatchCandidate', 'm').getRawMany();
      const map = new Map(rows.map((r) => [r.rid, r.cid]));
      return keys.map((k) => map.get(k) ?? null);
    }),
    traceAliases: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      const rows: { id: string; trace_aliases: string[] }[] = ids.length
        ? await em().query(`SELECT id, trace_aliases FROM child WHERE id = ANY($1::uuid[]) AND trace_aliases <> '{}'`, [ids]) : [];
      const map = new Map(rows.map((r) => [r.id, r.trace_aliases]));
      return keys.map((k) => map.get(k) ?? []);
    }),
    doNotMatch: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      const rows: { case_id: string }[] = ids.length ? await em().query('SELECT case_id FROM case_match_exclusion WHERE case_id = ANY($1::uuid[])', [ids]) : [];
      const set = new Set(rows.map((r) => r.case_id));
      return keys.map((k) => set.has(k));
    }),
    userName: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      const rows: { id: string; display_name: string }[] = ids.length ? await em().query('SELECT id, display_name FROM app_user WHERE id = ANY($1::uuid[])', [ids]) : [];
      const map = new Map(rows.map((r) => [r.id, r.display_name]));
      return keys.map((k) => map.get(k) ?? null);
    }),
  };
}
