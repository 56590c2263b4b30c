import DataLoader from 'dataloader';
import type { Context } from '../context';
import { Assignment, AvailabilityRule, CarePlan, Centre, Placement, Room, SessionSeries, Specialist } from '../entities';
import { whereAccessible } from '../auth/access/whereAccessible';

/** Per-request loaders of the scheduling records; every one applies the CASL read filter in SQL. */
export interface SchedulingLoaders {
  centre: DataLoader<string, Centre | null>;
  room: DataLoader<string, Room | null>;
  specialist: DataLoader<string, Specialist | null>;
  series: DataLoader<string, SessionSeries | null>;
  roomsByCentre: DataLoader<string, Room[]>;
  specialistsByCentre: DataLoader<string, Specialist[]>;
  placementsByCentre: DataLoader<string, Placement[]>;
  carePlansByCentre: DataLoader<string, CarePlan[]>;
  carePlansByChild: DataLoader<string, CarePlan[]>;
  assignmentsByChild: DataLoader<string, Assignment[]>;
  centreIdsBySpecialist: DataLoader<string, string[]>;
  availabilityBySpecialist: DataLoader<string, AvailabilityRule[]>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const validIds = (keys: readonly string[]) => [...new Set(keys.filter((k) => UUID.test(k)))];

function byKey<V>(keys: readonly string[], rows: V[], key: (v: V) => string): (V | null)[] {
  const map = new Map(rows.map((r) => [key(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

function groupByKey<V>(keys: readonly string[], rows: V[], key: (v: V) => string): V[][] {
  const map = new Map<string, V[]>(keys.map((k) => [k, []]));
  for (const r of rows) map.get(key(r))?.push(r);
  return keys.map((k) => map.get(k) ?? []);
}

export function createSchedulingLoaders(ctx: Context): SchedulingLoaders {
  const em = () => ctx.deps.dataSource.manager;
  const one = <T extends { id: string }>(entity: new () => T, subject: string, alias: string) =>
    new DataLoader<string, T | null>(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      const qb = em().createQueryBuilder(entity, alias).where(`${alias}.id IN (:...ids)`, { ids });
      return byKey(keys, await whereAccessible(ctx, qb, 'read', subject, alias).getMany(), (r) => r.id);
    });
  const manyBy = <T extends { [k: string]: unknown }>(entity: new () => T, subject: string, alias: string, column: string, prop: keyof T, order: string) =>
    new DataLoader<string, T[]>(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const qb = em().createQueryBuilder(entity, alias).where(`${alias}.${column} IN (:...ids)`, { ids }).orderBy(order).addOrderBy(`${alias}.id`);
      return groupByKey(keys, await whereAccessible(ctx, qb, 'read', subject, alias).getMany(), (r) => r[prop] as string);
    });
  return {
    centre: one(Centre, 'Centre', 'ce'),
    room: one(Room, 'Room', 'ro'),
    specialist: one(Specialist, 'Specialist', 'sp'),
    // A series is as readable as any of its sessions; its fields are only the rule, so the sessions carry the check.
    series: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await em().createQueryBuilder(SessionSeries, 'ss').where('ss.id IN (:...ids)', { ids }).getMany(), (r) => r.id);
    }),
    roomsByCentre: manyBy(Room as never, 'Room', 'ro', 'centre_id', 'centreId' as never, 'ro.name') as unknown as DataLoader<string, Room[]>,
    specialistsByCentre: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const qb = em().createQueryBuilder(Specialist, 'sp')
        .innerJoin('specialist_centre', 'sc', 'sc.specialist_id = sp.id')
        .addSelect('sc.centre_id', 'sc_centre_id')
        .where('sc.centre_id IN (:...ids)', { ids })
        .orderBy('sp.full_name').addOrderBy('sp.id');
      whereAccessible(ctx, qb, 'read', 'Specialist', 'sp');
      const { entities, raw } = await qb.getRawAndEntities();
      const pairs = raw.map((r: { sc_centre_id: string; sp_id: string }) => ({ centreId: r.sc_centre_id, specialist: entities.find((e) => e.id === r.sp_id)! }));
      return groupByKey(keys, pairs, (p) => p.centreId).map((list) => list.map((p) => p.specialist));
    }),
    placementsByCentre: manyBy(Placement as never, 'Placement', 'pl', 'centre_id', 'centreId' as never, 'pl.from_date') as unknown as DataLoader<string, Placement[]>,
    carePlansByCentre: manyBy(CarePlan as never, 'CarePlan', 'cp', 'centre_id', 'centreId' as never, 'cp.from_date') as unknown as DataLoader<string, CarePlan[]>,
    carePlansByChild: manyBy(CarePlan as never, 'CarePlan', 'cp', 'child_id', 'childId' as never, 'cp.from_date') as unknown as DataLoader<string, CarePlan[]>,
    assignmentsByChild: manyBy(Assignment as never, 'Assignment', 'asg', 'child_id', 'childId' as never, 'asg.created_at') as unknown as DataLoader<string, Assignment[]>,
    availabilityBySpecialist: manyBy(AvailabilityRule as never, 'AvailabilityRule', 'ar', 'specialist_id', 'specialistId' as never, 'ar.created_at') as unknown as DataLoader<string, AvailabilityRule[]>,
    // Which centres a specialist works at (not filtered: the specialist itself was loaded under CASL).
    centreIdsBySpecialist: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const rows: { specialist_id: string; centre_id: string }[] = await em().query(
        'SELECT specialist_id, centre_id FROM specialist_centre WHERE specialist_id = ANY($1::uuid[])', [ids],
      );
      return groupByKey(keys, rows, (r) => r.specialist_id).map((l) => l.map((r) => r.centre_id));
    }),
  };
}
