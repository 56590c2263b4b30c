import { subject } from '@casl/ability';
import type { MiddlewareFn } from 'type-graphql';
import { recordSensitiveRead } from '../audit/audit';
import type { Context } from '../context';
import { forbidden } from '../errors';
import { caseFactsOf, type AccessFacts } from '../services/loaders';
import { SENSITIVE_FIELDS } from './ability';

const SENSITIVE = new Set(Object.entries(SENSITIVE_FIELDS).flatMap(([type, fields]) => fields.map((f) => `${type}.${f}`)));

type Row = Record<string, unknown> & { id: string };

/**
 * The CASL subject of a record together with the relation data its rules look at
 * (a case's shares; a child's case; a guardian's child's case). Facts come from a batched loader.
 */
export async function accessSubject(ctx: Context, type: string, row: Row) {
  const childId = type === 'Case' ? (row.childId as string) : type === 'Child' ? row.id : (row.childId as string);
  const facts: AccessFacts | null = childId ? await ctx.loaders.accessFacts.load(childId) : null;
  const caseFacts = facts ? caseFactsOf(facts) : null;
  // Centre staff reach children through placements, assignments and sessions (loaded only for them).
  const centreStaff = type !== 'Case' && childId && ctx.principal && (ctx.principal.centreIds?.length || ctx.principal.specialistId);
  const reach = centreStaff ? await ctx.loaders.childReach.load(childId) : null;
  switch (type) {
    case 'Case':
      return subject('Case', { ...row, shares: facts?.shares ?? [] });
    case 'Child':
      return subject('Child', { ...row, case: caseFacts, ...reach });
    case 'Guardian':
      return subject('Guardian', { ...row, child: { id: childId, case: caseFacts, ...reach } });
    default:
      return subject(type as 'Case', { ...row });
  }
}

/** Whether the context may read `field` of this record. */
export async function canReadField(ctx: Context, type: string, row: Row, field: string): Promise<boolean> {
  return ctx.ability.can('read', await accessSubject(ctx, type, row), field);
}

/**
 * Field-level permission: a field the reader may not see resolves to null, and the response
 * carries a FORBIDDEN error at that path (the rest of the record still resolves).
 */
export const FieldGuard: MiddlewareFn<Context> = async ({ root, info, context }, next) => {
  const type = info.parentType.name;
  if (!(await canReadField(context, type, root as Row, info.fieldName))) {
    throw forbidden(`Not allowed to read ${type}.${info.fieldName}`);
  }
  // Every read of a sensitive field is audited (batched per request, see src/audit/audit.ts).
  if (SENSITIVE.has(`${type}.${info.fieldName}`)) recordSensitiveRead(context, type, (root as Row).id, info.fieldName);
  return next();
};
