import DataLoader from 'dataloader';
import type { Context } from '../../context';
import { ExternalRecord, MatchCandidate } from '../../entities';
import { whereAccessible } from '../loaders';

/** Per-request loaders of the identification records; every one that returns records filters with CASL in SQL. */
export interface IdentificationLoaders {
  externalRecord: DataLoader<string, ExternalRecord | null>;
  matchCandidate: DataLoader<string, MatchCandidate | null>;
  /** Children a trace is (or was) a candidate for, and the child it is linked to (internal: permission checks). */
  traceChildren: DataLoader<string, string[]>;
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
        const rows: { rid: string; cid: string }[] = await em().query(
          `SELECT external_record_id AS rid, child_id AS cid FROM match_candidate WHERE external_record_id = ANY($1::uuid[])
           UNION SELECT id, linked_child_id FROM external_record WHERE id = ANY($1::uuid[]) AND linked_child_id IS NOT NULL`,
          [ids],
        );
        for (const r of rows) out.get(r.rid)?.push(r.cid);
      }
      return keys.map((k) => out.get(k) ?? []);
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
