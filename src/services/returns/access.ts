import DataLoader from 'dataloader';
import type { Action } from '../../auth/ability';
import type { Context } from '../../context';
import {
  FollowUp, GuardianVerification, Guardian, ReintegrationPlan, ReintegrationPlanItem, ReturnOperation, ReturnOperationChild, Session,
} from '../../entities';
import { badInput, forbidden, notFound, unauthenticated } from '../../errors';
import { whereAccessible } from '../loaders';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const validIds = (keys: readonly string[]) => [...new Set(keys.filter((k) => UUID.test(k)))];

export function requireUserOf(ctx: Context) {
  if (!ctx.user || !ctx.principal) throw unauthenticated();
  return ctx.user;
}

export function assertUuid(value: string, field: string): void {
  if (!UUID.test(value)) throw badInput(field, 'must be a UUID');
}

type Entity = { new (): object };

/**
 * Which of these rows the context may `action`, decided in SQL by the CASL translation (the one home of
 * access decisions); inside a transaction it reads through the transaction's entity manager.
 */
export async function allowedIds(ctx: Context, entity: Entity, subjectName: string, action: Action, ids: string[]): Promise<Set<string>> {
  const valid = validIds(ids);
  if (valid.length === 0) return new Set();
  const qb = ctx.em.createQueryBuilder(entity, 'r').select('r.id', 'id').where('r.id IN (:...ids)', { ids: valid });
  const rows: { id: string }[] = await whereAccessible(ctx, qb, action, subjectName, 'r').getRawMany();
  return new Set(rows.map((r) => r.id));
}

/** NOT_FOUND unless readable (revealing nothing), FORBIDDEN unless `action` is allowed. */
export async function assertAllowed(ctx: Context, entity: Entity, subjectName: string, action: Action, id: string, what: string): Promise<void> {
  if (!(await allowedIds(ctx, entity, subjectName, 'read', [id])).has(id)) throw notFound(what, id);
  if (action !== 'read' && !(await allowedIds(ctx, entity, subjectName, action, [id])).has(id)) throw forbidden(`You may not ${action} this ${what}`);
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

/** Per-request loaders of the return and reintegration records; every one filters in SQL with the reader's rules. */
export interface ReturnsLoaders {
  operation: DataLoader<string, ReturnOperation | null>;
  organizationIdsByOperation: DataLoader<string, string[]>;
  entriesByOperation: DataLoader<string, ReturnOperationChild[]>;
  entry: DataLoader<string, ReturnOperationChild | null>;
  verificationsByCase: DataLoader<string, GuardianVerification[]>;
  planByCase: DataLoader<string, ReintegrationPlan | null>;
  plan: DataLoader<string, ReintegrationPlan | null>;
  itemsByPlan: DataLoader<string, ReintegrationPlanItem[]>;
  followUpsByPlan: DataLoader<string, FollowUp[]>;
  guardian: DataLoader<string, Guardian | null>;
  session: DataLoader<string, Session | null>;
  userName: DataLoader<string, string | null>;
}

// One set per request, kept beside the request's core loaders (which are created per context).
const perRequest = new WeakMap<object, ReturnsLoaders>();

export function returnsLoaders(ctx: Context): ReturnsLoaders {
  let l = perRequest.get(ctx.loaders);
  if (!l) {
    l = createReturnsLoaders(ctx);
    perRequest.set(ctx.loaders, l);
  }
  return l;
}

function createReturnsLoaders(ctx: Context): ReturnsLoaders {
  const em = () => ctx.deps.dataSource.manager;
  const filtered = <T extends object>(entity: { new (): T }, subjectName: string, alias: string) =>
    whereAccessible(ctx, em().createQueryBuilder(entity, alias), 'read', subjectName, alias);
  return {
    operation: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      const rows = await filtered(ReturnOperation, 'ReturnOperation', 'o').andWhere('o.id IN (:...ids)', { ids }).getMany();
      return byKey(keys, rows, (r) => r.id);
    }),
    organizationIdsByOperation: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      // Only for operations the reader may read (the parent was loaded through the filtered loader).
      const rows: { operation_id: string; organization_id: string }[] = await em().query(
        `SELECT oo.operation_id, oo.organization_id FROM return_operation_org oo JOIN organization o ON o.id = oo.organization_id
          WHERE oo.operation_id = ANY($1::uuid[]) ORDER BY o.name`, [ids],
      );
      return groupByKey(keys, rows, (r) => r.operation_id).map((g) => g.map((r) => r.organization_id));
    }),
    entriesByOperation: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const rows = await filtered(ReturnOperationChild, 'ReturnOperationChild', 'e').andWhere('e.operation_id IN (:...ids)', { ids })
        .orderBy('e.created_at').addOrderBy('e.id').getMany();
      return groupByKey(keys, rows, (r) => r.operationId);
    }),
    entry: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await filtered(ReturnOperationChild, 'ReturnOperationChild', 'e').andWhere('e.id IN (:...ids)', { ids }).getMany(), (r) => r.id);
    }),
    verificationsByCase: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const rows = await filtered(GuardianVerification, 'GuardianVerification', 'v').andWhere('v.case_id IN (:...ids)', { ids })
        .orderBy('v.verified_at').addOrderBy('v.id').getMany();
      return groupByKey(keys, rows, (r) => r.caseId);
    }),
    planByCase: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await filtered(ReintegrationPlan, 'ReintegrationPlan', 'p').andWhere('p.case_id IN (:...ids)', { ids }).getMany(), (r) => r.caseId);
    }),
    plan: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await filtered(ReintegrationPlan, 'ReintegrationPlan', 'p').andWhere('p.id IN (:...ids)', { ids }).getMany(), (r) => r.id);
    }),
    itemsByPlan: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const rows = await filtered(ReintegrationPlanItem, 'ReintegrationItem', 'i').andWhere('i.plan_id IN (:...ids)', { ids })
        .orderBy('i.due_date').addOrderBy('i.id').getMany();
      return groupByKey(keys, rows, (r) => r.planId);
    }),
    followUpsByPlan: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => []);
      const rows = await filtered(FollowUp, 'FollowUp', 'f').andWhere('f.plan_id IN (:...ids)', { ids }).orderBy('f.months').getMany();
      return groupByKey(keys, rows, (r) => r.planId);
    }),
    guardian: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await filtered(Guardian, 'Guardian', 'g').andWhere('g.id IN (:...ids)', { ids }).getMany(), (r) => r.id);
    }),
    session: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      return byKey(keys, await filtered(Session, 'Session', 's').andWhere('s.id IN (:...ids)', { ids }).getMany(), (r) => r.id);
    }),
    userName: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      if (ids.length === 0) return keys.map(() => null);
      // Names of staff travel only within their organization (as for case-event actors).
      const rows: { id: string; display_name: string }[] = await em().query(
        'SELECT id, display_name FROM app_user WHERE id = ANY($1::uuid[]) AND organization_id = $2', [ids, ctx.principal?.organizationId ?? null],
      );
      return byKey(keys, rows, (r) => r.id).map((r) => r?.display_name ?? null);
    }),
  };
}

