import { subject } from '@casl/ability';
import { defaultFieldResolver, GraphQLError, isObjectType, responsePathAsArray, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import type { Context } from '../../context';
import { forbidden } from '../../errors';
import { caseFactsOf, type AccessFacts } from './accessFacts';
import { fieldVerdict } from './whereAccessible';
import { recordSensitiveRead } from '../../audit/audit';
import { SENSITIVE_FIELDS } from '../rules/fields';

const SENSITIVE = new Set(Object.entries(SENSITIVE_FIELDS).flatMap(([type, fields]) => fields.map((f) => `${type}.${f}`)));

type Row = Record<string, unknown> & { id: string };

/**
 * The CASL subject of a record together with the relation data its rules look at (a case's shares; a
 * child's case, placements and assignments; a guardian's child; an event's or a share's case). Facts come
 * from batched loaders, so a page of records costs one statement per kind of fact.
 */
export async function accessSubject(ctx: Context, type: string, row: Row) {
  let facts: AccessFacts | null = null;
  let childId: string | undefined;
  if (type === 'CaseEvent' || (type === 'CaseShare' && !row.childId)) {
    facts = row.caseId ? await ctx.loaders.accessFactsByCase.load(row.caseId as string) : null;
    childId = facts?.childId;
  } else {
    childId = type === 'Child' ? row.id : (row.childId as string | undefined);
    facts = childId && ['Case', 'Child', 'Guardian', 'CaseShare'].includes(type) ? await ctx.loaders.accessFacts.load(childId) : null;
  }
  const caseFacts = facts ? caseFactsOf(facts) : null;
  // Centre staff reach children through placements and assignments (loaded only for them).
  const centreStaff = (type === 'Child' || type === 'Guardian') && childId && ctx.principal && (ctx.principal.centreIds?.length || ctx.principal.specialistId);
  const reach = centreStaff ? await ctx.loaders.childReach.load(childId!) : null;
  switch (type) {
    case 'Case':
      return subject('Case', { ...row, shares: facts?.shares ?? [] });
    case 'Child':
      return subject('Child', { ...row, case: caseFacts, ...reach });
    case 'Guardian':
      return subject('Guardian', { ...row, child: { id: childId, case: caseFacts, ...reach } });
    case 'CaseEvent':
    case 'CaseShare':
      return subject(type, { ...row, case: caseFacts });
    default: {
      // Any other record that belongs to a case (a follow-up, a verification, an incident's link…): its
      // rules may test the case (`case.leadOrganizationId`, `case.shares`), so it gets the same case facts.
      const ofCase = typeof row.caseId === 'string' ? await ctx.loaders.accessFactsByCase.load(row.caseId) : null;
      return subject(type as 'Case', ofCase ? { ...row, case: caseFactsOf(ofCase) } : { ...row });
    }
  }
}

/** Whether the context may read `field` of this (readable) record. */
export async function canReadField(ctx: Context, type: string, row: Row, field: string): Promise<boolean> {
  const verdict = fieldVerdict(ctx.ability, type, field);
  if (verdict !== 'check') return verdict === 'allow';
  return ctx.ability.can('read', await accessSubject(ctx, type, row), field);
}

/**
 * The FORBIDDEN error of a hidden field, built cheaply (issue 11: a page can carry dozens): no stack trace is
 * captured (it would only say "the field guard", and clients never see it), and it is located already (path
 * and nodes), so graphql-js uses it as it is instead of wrapping it in a second error. The response is the
 * same as with `forbidden()`: message, locations, path, extensions.code FORBIDDEN.
 */
export function forbiddenField(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'path' | 'fieldName'>, type: string): GraphQLError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(`Not allowed to read ${type}.${info.fieldName}`, {
      nodes: info.fieldNodes, path: responsePathAsArray(info.path), extensions: { code: 'FORBIDDEN' },
    });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The default field guard, put once around every field of every record type (`recordTypes`: the GraphQL
 * types backed by an entity, whose names are CASL subjects) of the built schema: a field resolves only when a
 * rule of the reader grants it on that record; otherwise it resolves to null and the response carries
 * FORBIDDEN at its path. A new field is hidden until a rule names it. Other types (payloads, connections)
 * pass through: the records inside them are guarded themselves.
 *
 * Wrapped around the schema's resolvers rather than registered as a type-graphql global middleware (issue 11):
 * type-graphql runs middlewares through async functions, which made every field of every record, a scalar
 * read off the row included, a promise for graphql-js to await. Here a field the rules decide alone (granted
 * by every read rule, or by none: most of them) is answered synchronously, and only a field whose verdict
 * depends on the record waits for its access facts.
 */
export function guardRecordFields(schema: GraphQLSchema, recordTypes: ReadonlySet<string>): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !recordTypes.has(type.name)) continue;
    const typeName = type.name;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      const fieldName = field.name;
      const key = `${typeName}.${fieldName}`;
      // Every read of a sensitive field is audited (batched per request, see src/audit/audit.ts).
      const sensitive = SENSITIVE.has(key);
      field.resolve = (root, args, context: Context, info) => {
        const verdict = fieldVerdict(context.ability, typeName, fieldName, key);
        if (verdict === 'allow') {
          if (sensitive) recordSensitiveRead(context, typeName, (root as Row).id, fieldName);
          return resolve(root, args, context, info);
        }
        if (verdict === 'deny') throw forbiddenField(info, typeName);
        return accessSubject(context, typeName, root as Row).then((subj) => {
          if (!context.ability.can('read', subj, fieldName)) throw forbiddenField(info, typeName);
          if (sensitive) recordSensitiveRead(context, typeName, (root as Row).id, fieldName);
          return resolve(root, args, context, info);
        });
      };
    }
  }
  return schema;
}

/**
 * Field-level permission for one field, whatever its type. Kept for code that still names it per field;
 * record types need nothing: the default guard covers every field of theirs.
 */
export const FieldGuard: MiddlewareFn<Context> = async ({ root, info, context }, next) => {
  const type = info.parentType.name;
  if (!(await canReadField(context, type, root as Row, info.fieldName))) {
    throw forbidden(`Not allowed to read ${type}.${info.fieldName}`);
  }
  return next();
};
