import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { validate, type ValidationError } from 'class-validator';
import { getNamedType, parse, type GraphQLSchema } from 'graphql';
import { buildSchema as buildTypeGraphQLSchema, createResolversMap, type AuthChecker, type ResolverData } from 'type-graphql';
import type { Context } from '../context';
import { badInput, forbidden, unauthenticated } from '../errors';
import { AuthResolver } from '../resolvers/AuthResolver';
import { CaseResolver, CaseShareResolver } from '../resolvers/CaseResolver';
import { CaseEventActorResolver, CaseSubscriptionResolver } from '../resolvers/CaseSubscriptionResolver';
import { ChildResolver } from '../resolvers/ChildResolver';
import { OrganizationResolver } from '../resolvers/OrganizationResolver';
import { UserResolver } from '../resolvers/UserResolver';
import { CarePlanResolver, CentreResolver, ChildCareResolver, PlacementResolver, RoomResolver, SpecialistResolver } from '../resolvers/CentreResolver';
import { ProposedAssignmentResolver, ProposedSessionResolver, ScheduleResolver, UnmetNeedResolver } from '../resolvers/ScheduleResolver';
import { SessionResolver } from '../resolvers/SessionResolver';
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

/** Validates input objects with class-validator; BAD_USER_INPUT names the argument path, e.g. `input.birthDate`. */
async function validateArg(value: unknown, type: unknown, data: ResolverData): Promise<void> {
  if (value === null || typeof value !== 'object') return;
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
  ExternalRecordResolver, MatchCandidateResolver, CaseMatchingResolver] as const;

/**
 * type-graphql insists on a topic pub/sub once any subscription exists; ours bring their own `subscribe`
 * (events cross instances through src/pubsub and are checked per subscriber), so topics are refused.
 */
const NO_TOPIC_PUBSUB = {
  publish(): void { throw new Error('Topic pub/sub is not used: publish case events through CaseService'); },
  subscribe(): AsyncIterable<unknown> { throw new Error('Topic pub/sub is not used: give @Subscription a subscribe function'); },
};

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
    ExternalRecord: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? identificationLoaders(ctx).externalRecord.load(ref.id) : null) },
    MatchCandidate: { __resolveReference: (ref: { id: string }, ctx: Context) => (ctx.user ? identificationLoaders(ctx).matchCandidate.load(ref.id) : null) },
  };
  const resolvers = createResolversMap(base) as Record<string, Record<string, unknown>>;
  for (const [type, extra] of Object.entries(referenceResolvers)) resolvers[type] = { ...resolvers[type], ...extra };
  return buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(base)}`),
    resolvers: resolvers as never,
  });
}
