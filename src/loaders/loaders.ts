import DataLoader from 'dataloader';
import { loadAccessFacts, loadChildReach, type AccessFacts, type ChildReach } from '../auth/access/accessFacts';
import { whereAccessible } from '../auth/access/whereAccessible';
import type { Context } from '../context';
import { Case, CaseEvent, Child, Guardian, Organization } from '../entities';
import { createSchedulingLoaders, type SchedulingLoaders } from '../services/schedulingLoaders';

// Access decisions live in src/auth; these names stay importable from here for code written against them.
export { caseFactsOf, loadAccessFacts, type AccessFacts, type ChildReach } from '../auth/access/accessFacts';
export { whereAccessible } from '../auth/access/whereAccessible';

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
  /** The same facts by case id (for events and shares). */
  accessFactsByCase: DataLoader<string, AccessFacts | null>;
  /** How centre staff reach a child (placements, assignments), by child id (internal use). */
  childReach: DataLoader<string, ChildReach>;
  /** Centres, rooms, specialists, placements, care plans (CASL-filtered). */
  scheduling: SchedulingLoaders;
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
    accessFactsByCase: new DataLoader(async (keys) => byKey(keys, await loadAccessFacts(em(), validIds(keys), 'case'), (f) => f.caseId)),
    scheduling: createSchedulingLoaders(ctx),
    childReach: new DataLoader(async (keys) => {
      const reach = await loadChildReach(em(), validIds(keys));
      return keys.map((k) => reach.get(k) ?? { placements: [], assignments: [] });
    }),
  };
}

function eventKey(k: EventPageKey): string {
  return `${k.caseId}|${k.first}|${k.before ?? ''}`;
}
