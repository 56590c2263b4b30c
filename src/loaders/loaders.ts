import DataLoader from 'dataloader';
import { loadAccessFacts, loadChildReach, type AccessFacts, type ChildReach } from '../auth/access/accessFacts';
import { accessConditionAt } from '../auth/access/whereAccessible';
import { asEntities, readRows, selectColumns } from '../db/rawRead';
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
  const ds = () => ctx.deps.dataSource;
  // Fixed SQL text per role and shape, run as prepared statements without TypeORM's builder and hydration
  // (issue 11); ids go as one array parameter, so the text does not depend on how many there are.
  const readable = async <T extends object>(entity: new () => T, subject: string, alias: string, from: string, where: string, values: unknown[], orderBy = ''): Promise<T[]> => {
    const acl = accessConditionAt(ctx.ability, 'read', subject, alias, values.length + 1);
    const sql = `SELECT ${selectColumns(ds(), entity, alias)} FROM ${from} ${alias} WHERE ${where} AND ${acl.sql}${orderBy}`;
    return asEntities(entity, await readRows(ds(), sql, [...values, ...acl.values]));
  };
  return {
    case: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await readable(Case, 'Case', 'c', 'case_file', 'c.id = ANY($1::uuid[])', [ids]), (c) => c.id);
    }),
    caseByChild: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await readable(Case, 'Case', 'c', 'case_file', 'c.child_id = ANY($1::uuid[])', [ids]), (c) => c.childId);
    }),
    child: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await readable(Child, 'Child', 'ch', 'child', 'ch.id = ANY($1::uuid[])', [ids]), (c) => c.id);
    }),
    organization: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0 || !ctx.ability.can('read', 'Organization')) return keys.map(() => null);
      const rows = await readRows(ds(), `SELECT ${selectColumns(ds(), Organization, 'o')} FROM organization o WHERE o.id = ANY($1::uuid[])`, [ids]);
      return byKey(keys, asEntities(Organization, rows), (o) => o.id);
    }),
    guardiansByChild: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const rows = await readable(Guardian, 'Guardian', 'g', 'guardian', 'g.child_id = ANY($1::uuid[])', [ids], ' ORDER BY g.created_at, g.id');
      return groupByKey(keys, rows, (g) => g.childId);
    }),
    eventPage: new DataLoader(
      async (keys) => {
        // Keys asking for the same page shape share one statement: each case's newest events (an index range
        // scan per case on case_event (case_id, id)), the reader's filter applied before the limit.
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
          const acl = accessConditionAt(ctx.ability, 'read', 'CaseEvent', 'e', 4);
          const sql = `SELECT ${selectColumns(ds(), CaseEvent, 'ev')}
  FROM unnest($1::uuid[]) AS k(case_id)
  CROSS JOIN LATERAL (SELECT e.* FROM case_event e
                       WHERE e.case_id = k.case_id AND ($2::bigint IS NULL OR e.id < $2::bigint) AND ${acl.sql}
                       ORDER BY e.id DESC LIMIT $3::int) ev
 ORDER BY ev.id DESC`;
          const rows = asEntities(CaseEvent, await readRows(ds(), sql, [ids, before ?? null, first + 1, ...acl.values]));
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
