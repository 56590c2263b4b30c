import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { getMetadataStorage as validationMetadata, validate, type ValidationError } from 'class-validator';
import { getNamedType, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { buildSchema as buildTypeGraphQLSchema, createResolversMap, getMetadataStorage, type AuthChecker, type ResolverData } from 'type-graphql';
import { guardRecordFields } from '../auth/access/fieldGuard';
import type { Context } from '../context';
import { entities } from '../entities';
import { badInput, forbidden, unauthenticated } from '../errors';
import { normaliseArgs } from './inputNormaliser';
import { chargeResolverBudget } from './limits';
import { AuthResolver } from '../resolvers/AuthResolver';
import { CaseEventResolver, CaseResolver, CaseShareResolver } from '../resolvers/CaseResolver';
import { CaseEventActorResolver, CaseSubscriptionResolver } from '../resolvers/CaseSubscriptionResolver';
import { ChildResolver } from '../resolvers/ChildResolver';
import { OrganizationResolver } from '../resolvers/OrganizationResolver';
import { UserResolver } from '../resolvers/UserResolver';
import { CarePlanResolver, CentreResolver, ChildCareResolver, PlacementResolver, RoomResolver, SpecialistResolver } from '../resolvers/CentreResolver';
import { ProposedAssignmentResolver, ProposedSessionResolver, ScheduleResolver, UnmetNeedResolver } from '../resolvers/ScheduleResolver';
import { SessionResolver } from '../resolvers/SessionResolver';
import { GuardianVerificationResolver, ReturnOperationChildResolver, ReturnOperationResolver } from '../resolvers/returns/ReturnOperationResolver';
import { FollowUpResolver, ReintegrationItemResolver, ReintegrationPlanResolver } from '../resolvers/returns/ReintegrationResolver';
import { returnsLoaders } from '../services/returns/access';
import { StatisticsResolver } from '../resolvers/statistics/StatisticsResolver';
import { AuditTrailResolver, CaseEvidenceResolver, CustodyEventResolver, EvidenceItemResolver, IncidentResolver } from '../resolvers/evidence/EvidenceResolver';
import { evidenceLoaders } from '../services/evidence/evidenceLoaders';
import { CaseMatchingResolver, ExternalRecordResolver, MatchCandidateResolver } from '../resolvers/identification/IdentificationResolver';
import { identificationLoaders } from '../services/identification/identificationLoaders';

/** Coarse role check for `@Authorized(...)`: signed in, and holding one of the roles when any are named. */
const authChecker: AuthChecker<Context> = ({ context }, roles) => {
  if (!context.user) throw unauthenticated();
  if (roles.length > 0 && !roles.some((r) => context.user!.roles.includes(r as never))) {
    throw forbidden(`This needs one of the roles ${roles.join(', ')}`);
  }
  return true;
};

function firstProblem(errors: ValidationError[], prefix: string): { field: string; message: string } | null {
  for (const e of errors) {
    const path = `${prefix}.${e.property}`;
    if (e.constraints) return { field: path, message: Object.values(e.constraints)[0] };
    const nested = firstProblem(e.children ?? [], path);
    if (nested) return nested;
  }
  return null;
}

const constrained = new WeakMap<Function, boolean>();

/**
 * Whether class-validator has any constraint for instances of this class (nested validation is a constraint
 * too). Arguments without any, like a page's `first` and `after` asked once per case of a page, skip the
 * validator, which looks up its metadata on every call (issue 11).
 */
function hasConstraints(ctor: Function): boolean {
  let c = constrained.get(ctor);
  if (c === undefined) {
    c = validationMetadata().getTargetValidationMetadatas(ctor, '', true, false).length > 0;
    constrained.set(ctor, c);
  }
  return c;
}

/** Validates input objects with class-validator; BAD_USER_INPUT names the argument path, e.g. `input.birthDate`. */
async function validateArg(value: unknown, type: unknown, data: ResolverData): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  if (!Array.isArray(value) && !hasConstraints(value.constructor)) return;
  // The argument's name, found by its input type, so that the error says `filter.search`, not just `search`.
  const typeName = typeof type === 'function' ? type.name : undefined;
  const field = data.info.parentType.getFields()[data.info.fieldName];
  const argName = field?.args.find((a) => getNamedType(a.type).name === typeName)?.name ?? 'input';
  const items = Array.isArray(value) ? value : [value];
  for (const [i, item] of items.entries()) {
    if (item === null || typeof item !== 'object') continue;
    const errors = await validate(item as object, { forbidUnknownValues: false, validationError: { target: false, value: false } });
    const problem = firstProblem(errors, Array.isArray(value) ? `${argName}.${i}` : argName);
    if (problem) throw badInput(problem.field, problem.message);
  }
}

export const RESOLVERS = [AuthResolver, UserResolver, OrganizationResolver, CaseResolver, CaseShareResolver, ChildResolver, CaseSubscriptionResolver, CaseEventActorResolver,
  CentreResolver, PlacementResolver, CarePlanResolver, RoomResolver, SpecialistResolver, ChildCareResolver, SessionResolver,
  ScheduleResolver, ProposedSessionResolver, ProposedAssignmentResolver, UnmetNeedResolver,
  ReturnOperationResolver, ReturnOperationChildResolver, GuardianVerificationResolver, ReintegrationPlanResolver, ReintegrationItemResolver, FollowUpResolver,
  StatisticsResolver,
  CaseEventResolver,
  IncidentResolver, EvidenceItemResolver, CustodyEventResolver, CaseEvidenceResolver, AuditTrailResolver,
  ExternalRecordResolver, MatchCandidateResolver, CaseMatchingResolver] as const;

/**
 * type-graphql insists on a topic pub/sub once any subscription exists; ours bring their own `subscribe`
 * (events cross instances through src/pubsub and are checked per subscriber), so topics are refused.
 */
const NO_TOPIC_PUBSUB = {
  publish(): void { throw new Error('Topic pub/sub is not used: publish case events through CaseService'); },
  subscribe(): AsyncIterable<unknown> { throw new Error('Topic pub/sub is not used: give @Subscription a subscribe function'); },
};

type FieldResolver = (source: unknown, args: Record<string, unknown>, ctx: unknown, info: unknown) => unknown;

/**
 * Every field that takes arguments gets them normalised first (src/schema/inputNormaliser.ts): one place
 * for all text input, whichever resolver, input type or transport. Fields without arguments are untouched.
 */
function normaliseTextArguments(base: GraphQLSchema, resolvers: Record<string, Record<string, unknown>>): void {
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = base.getType(typeName);
    if (!isObjectType(type)) continue;
    const defs = type.getFields();
    for (const [fieldName, resolver] of Object.entries(fields)) {
      const args = defs[fieldName]?.args;
      if (!args?.length) continue;
      const wrap = (fn: FieldResolver): FieldResolver => (source, raw, ctx, info) => fn(source, normaliseArgs(raw ?? {}, args), ctx, info);
      if (typeof resolver === 'function') fields[fieldName] = wrap(resolver as FieldResolver);
      else if (resolver && typeof resolver === 'object') {
        const r = resolver as { subscribe?: FieldResolver; resolve?: FieldResolver };
        fields[fieldName] = { ...r, ...(r.subscribe ? { subscribe: wrap(r.subscribe) } : {}), ...(r.resolve ? { resolve: wrap(r.resolve) } : {}) };
      }
    }
  }
}

/**
 * The GraphQL types that carry records: the object types whose class is an entity. A new entity exposed
 * in the schema is guarded from its first field on; its GraphQL name is its CASL subject.
 */
export function recordTypeNames(): ReadonlySet<string> {
  const tables = new Set<Function>(entities);
  return new Set(getMetadataStorage().objectTypes.filter((t) => tables.has(t.target)).map((t) => t.name));
}

const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable"])';

/**
 * Builds the executable schema: type-graphql's code-first schema, turned into an Apollo Federation 2
 * subgraph whose `_entities` resolve through the same permission-filtered loaders as every other path.
 */
export async function buildSchema(): Promise<GraphQLSchema> {
  const base = await buildTypeGraphQLSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    validateFn: validateArg,
    pubSub: NO_TOPIC_PUBSUB,
    emitSchemaFile: false,
  });
  const referenceResolvers = {
    Case: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? ctx.loaders.case.load(ref.id) : null) },
    Child: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? ctx.loaders.child.load(ref.id) : null) },
    Organization: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? ctx.loaders.organization.load(ref.id) : null) },
    ReturnOperation: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? returnsLoaders(ctx).operation.load(ref.id) : null) },
    Incident: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? evidenceLoaders(ctx).incident.load(ref.id) : null) },
    EvidenceItem: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? evidenceLoaders(ctx).evidence.load(ref.id) : null) },
    ExternalRecord: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? identificationLoaders(ctx).externalRecord.load(ref.id) : null) },
    MatchCandidate: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? identificationLoaders(ctx).matchCandidate.load(ref.id) : null) },
  };
  const resolvers = createResolversMap(base) as Record<string, Record<string, unknown>>;
  normaliseTextArguments(base, resolvers);
  for (const [type, extra] of Object.entries(referenceResolvers)) resolvers[type] = { ...resolvers[type], ...extra };
  const schema = buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(base)}`),
    resolvers: resolvers as never,
  });
  checkEntityRepresentations(schema, Object.keys(referenceResolvers));
  // Every field of every record type is hidden unless a rule grants it (src/auth/access/fieldGuard.ts).
  guardRecordFields(schema, recordTypeNames());
  // Outermost, so that a field past the request's resolver budget runs nothing (src/schema/limits.ts).
  return chargeResolverBudget(schema);
}

/**
 * `_entities` throws a plain error (a 500) for a representation of a type that is not an entity here:
 * that is the caller's mistake, so it is BAD_USER_INPUT naming the representation, checked before any loads.
 */
function checkEntityRepresentations(schema: GraphQLSchema, entityTypes: string[]): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return;
  field.resolve = (source, args, ctx, info) => {
    const reps = (args as { representations?: unknown[] }).representations ?? [];
    reps.forEach((rep, i) => {
      const r = rep as { __typename?: unknown; id?: unknown } | null;
      if (!r || typeof r !== 'object' || typeof r.__typename !== 'string' || !entityTypes.includes(r.__typename)) {
        throw badInput(`representations.${i}.__typename`, `must be one of ${entityTypes.join(', ')}`);
      }
      if (typeof r.id !== 'string') throw badInput(`representations.${i}.id`, 'must be a string id');
    });
    return resolve(source, args, ctx, info);
  };
}
