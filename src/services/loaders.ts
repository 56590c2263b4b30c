import DataLoader from 'dataloader';
import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Action } from '../auth/ability';
import { accessCondition } from '../auth/caslToSql';
import type { Context } from '../context';
import { Case, CaseEvent, Child, Guardian, Organization } from '../entities';
import type { ShareAccess } from '../schema/enums';
import { createSchedulingLoaders, type SchedulingLoaders } from './schedulingLoaders';

/** What permission checks on a child's records need to know about its case (not filtered: internal use). */
export interface AccessFacts {
  caseId: string;
  childId: string;
  leadOrganizationId: string;
  shares: { organizationId: string; access: ShareAccess; createdAt?: string }[];
}

export interface EventPageKey {
  caseId: string;
  first: number;
  /** Return events with an id below this one (newest first). */
  before?: string;
}

export interface Loaders {
  /** Cases the user may read, by id (null when absent or not readable). */
  case: DataLoader<string, Case | null>;
  /** The (readable) case of a child, by child id. */
  caseByChild: DataLoader<string, Case | null>;
  child: DataLoader<string, Child | null>;
  organization: DataLoader<string, Organization | null>;
  guardiansByChild: DataLoader<string, Guardian[]>;
  /** One page of a case's events plus one extra row to tell whether more follow. */
  eventPage: DataLoader<EventPageKey, CaseEvent[], string>;
  accessFacts: DataLoader<string, AccessFacts | null>;
  /** How centre staff reach a child (placements, assignments, sessions), by child id (internal use). */
  childReach: DataLoader<string, ChildReach>;
  /** Centres, rooms, specialists, placements, care plans (CASL-filtered). */
  scheduling: SchedulingLoaders;
}

/** The centres a child is placed at and the specialists working with it, for in-memory CASL checks. */
export interface ChildReach {
  placements: { centreId: string; to: string | null }[];
  assignments: { specialistId: string }[];
  sessions: { specialistId: string }[];
}

/**
 * Access facts of the cases of these children, unfiltered: what permission checks evaluate, so every
 * check (loaders, mutations inside their transaction, the event feed) reads them with this one statement.
 */
export async function loadAccessFacts(em: EntityManager, childIds: string[]): Promise<AccessFacts[]> {
  if (childIds.length === 0) return [];
  const rows: { case_id: string; child_id: string; lead_organization_id: string; shares: AccessFacts['shares'] }[] = await em.query(
    `SELECT c.id AS case_id, c.child_id, c.lead_organization_id,
            COALESCE(json_agg(json_build_object('organizationId', s.organization_id, 'access', s.access, 'createdAt', s.created_at))
                     FILTER (WHERE s.case_id IS NOT NULL), '[]') AS shares
       FROM case_file c LEFT JOIN case_share s ON s.case_id = c.id
      WHERE c.child_id = ANY($1::uuid[])
      GROUP BY c.id`,
    [childIds],
  );
  return rows.map((r) => ({ caseId: r.case_id, childId: r.child_id, leadOrganizationId: r.lead_organization_id, shares: r.shares }));
}

/** The case as the rules on Case, Child (`case.…`) and Guardian (`child.case.…`) look at it. */
export function caseFactsOf(f: AccessFacts): { id: string; leadOrganizationId: string; shares: AccessFacts['shares'] } {
  return { id: f.caseId, leadOrganizationId: f.leadOrganizationId, shares: f.shares };
}

/** Adds the CASL filter for `action` on `subject` to a query builder whose root alias is `alias`. */
export function whereAccessible<T extends ObjectLiteral>(
  ctx: Context, qb: SelectQueryBuilder<T>, action: Action, subject: string, alias: string,
): SelectQueryBuilder<T> {
  const cond = accessCondition(ctx.ability, action, subject, alias);
  return qb.andWhere(cond.sql, cond.params);
}

function byKey<V>(keys: readonly string[], rows: V[], key: (v: V) => string): (V | null)[] {
  const map = new Map(rows.map((r) => [key(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

function groupByKey<V>(keys: readonly string[], rows: V[], key: (v: V) => string): V[][] {
  const map = new Map<string, V[]>(keys.map((k) => [k, []]));
  for (const r of rows) map.get(key(r))?.push(r);
  return keys.map((k) => map.get(k) ?? []);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const validIds = (keys: readonly string[]) => [...new Set(keys.filter((k) => UUID.test(k)))];

/** Builds the per-request loaders. Every loader that returns records applies the CASL filter in SQL. */
export function createLoaders(ctx: Context): Loaders {
  const em = () => ctx.deps.dataSource.manager;
  return {
    case: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      const qb = em().createQueryBuilder(Case, 'c').where('c.id IN (:...ids)', { ids });
      return byKey(keys, await whereAccessible(ctx, qb, 'read', 'Case', 'c').getMany(), (c) => c.id);
    }),
    caseByChild: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      const qb = em().createQueryBuilder(Case, 'c').where('c.child_id IN (:...ids)', { ids });
      return byKey(keys, await whereAccessible(ctx, qb, 'read', 'Case', 'c').getMany(), (c) => c.childId);
    }),
    child: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      const qb = em().createQueryBuilder(Child, 'ch').where('ch.id IN (:...ids)', { ids });
      return byKey(keys, await whereAccessible(ctx, qb, 'read', 'Child', 'ch').getMany(), (c) => c.id);
    }),
    organization: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0 || !ctx.ability.can('read', 'Organization')) return keys.map(() => null);
      const rows = await em().createQueryBuilder(Organization, 'o').where('o.id IN (:...ids)', { ids }).getMany();
      return byKey(keys, rows, (o) => o.id);
    }),
    guardiansByChild: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const qb = em().createQueryBuilder(Guardian, 'g').where('g.child_id IN (:...ids)', { ids }).orderBy('g.created_at').addOrderBy('g.id');
      return groupByKey(keys, await whereAccessible(ctx, qb, 'read', 'Guardian', 'g').getMany(), (g) => g.childId);
    }),
    eventPage: new DataLoader(
      async (keys) => {
        // Keys asking for the same page shape share one statement; a window function pages every case at once.
        const groups = new Map<string, EventPageKey[]>();
        for (const k of keys) {
          const g = `${k.first}|${k.before ?? ''}`;
          groups.set(g, [...(groups.get(g) ?? []), k]);
        }
        const found = new Map<string, CaseEvent[]>();
        for (const group of groups.values()) {
          const { first, before } = group[0];
          const ids = validIds(group.map((k) => k.caseId));
          if (ids.length === 0) continue;
          const inner = em().createQueryBuilder(CaseEvent, 'e')
            .select('e.id', 'id')
            .addSelect('row_number() OVER (PARTITION BY e.case_id ORDER BY e.id DESC)', 'rn')
            .where('e.case_id IN (:...ids)', { ids });
          if (before) inner.andWhere('e.id < :before', { before });
          whereAccessible(ctx, inner, 'read', 'CaseEvent', 'e');
          const rows = await em().createQueryBuilder(CaseEvent, 'ev')
            .where(`ev.id IN (SELECT p.id FROM (${inner.getQuery()}) p WHERE p.rn <= :limit)`)
            .setParameters({ ...inner.getParameters(), limit: first + 1 })
            .orderBy('ev.id', 'DESC')
            .getMany();
          for (const r of rows) {
            const key = eventKey({ caseId: r.caseId, first, before });
            found.set(key, [...(found.get(key) ?? []), r]);
          }
        }
        return keys.map((k) => found.get(eventKey(k)) ?? []);
      },
      { cacheKeyFn: eventKey },
    ),
    accessFacts: new DataLoader(async (keys) => byKey(keys, await loadAccessFacts(em(), validIds(keys)), (f) => f.childId)),
    scheduling: createSchedulingLoaders(ctx),
    childReach: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      const empty = (): ChildReach => ({ placements: [], assignments: [], sessions: [] });
      if (ids.length === 0) return keys.map(empty);
      const rows: { child_id: string; kind: string; ref: string; to_date: string | null }[] = await em().query(
        `SELECT child_id, 'P' AS kind, centre_id AS ref, to_date::text AS to_date FROM placement WHERE child_id = ANY($1::uuid[])
         UNION SELECT child_id, 'A', specialist_id, NULL FROM assignment WHERE child_id = ANY($1::uuid[])
         UNION SELECT child_id, 'S', specialist_id, NULL FROM session WHERE child_id = ANY($1::uuid[])`,
        [ids],
      );
      const out = new Map<string, ChildReach>(keys.map((k) => [k, empty()]));
      for (const r of rows) {
        const reach = out.get(r.child_id);
        if (!reach) continue;
        if (r.kind === 'P') reach.placements.push({ centreId: r.ref, to: r.to_date });
        else if (r.kind === 'A') reach.assignments.push({ specialistId: r.ref });
        else reach.sessions.push({ specialistId: r.ref });
      }
      return keys.map((k) => out.get(k) ?? empty());
    }),
  };
}

function eventKey(k: EventPageKey): string {
  return `${k.caseId}|${k.first}|${k.before ?? ''}`;
}
