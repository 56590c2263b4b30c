import depthLimit from 'graphql-depth-limit';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import {
  getNamedType, getNullableType, GraphQLError, isCompositeType, isListType, Kind, visit,
  type DocumentNode, type GraphQLSchema, type ValidationRule,
} from 'graphql';
import { appError } from '../errors';

/**
 * Typical sizes of the lists of records that take no `first`, where the domain bounds them (a child has a
 * handful of guardians, a week seven opening days, a centre a few dozen placements). They keep honest
 * nested queries (a coordinator's centres with their placements and care plans) inside the limit; the
 * per-request resolver budget (`MAX_RESOLVER_CALLS`) is the hard bound when real data is larger. Every
 * other list of records counts as a full page (`MAX_PAGE_SIZE`), whether or not it takes `first`.
 */
export const LIST_SIZE_ESTIMATES: Readonly<Record<string, number>> = {
  'Query.centres': 10,
  'Query.specialists': 30,
  'Case.shares': 20,
  'Child.guardians': 10,
  'Child.carePlans': 5,
  'CarePlan.needs': 5,
  'Centre.openingHours': 14,
  'Centre.rooms': 15,
  'Centre.specialists': 30,
  'Centre.placements': 60,
  'Centre.carePlans': 60,
  'Specialist.centres': 5,
  'Specialist.availability': 20,
  'ScheduleScore.breakdown': 20,
};

/**
 * Lists count once per item they may return: `cases(first: 50) { … }` costs 50 × its selection, and a
 * list without `first` (`organizations { … }`) costs a full page, so that a thousand aliased lists are
 * refused before anything runs. `_entities` costs one per representation. Introspection is left to the
 * simple estimator: it is bounded by the schema, and only signed-in callers (or the gateway) may run it.
 */
export function listEstimator(maxPageSize: number): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    if (type.name.startsWith('__')) return undefined;
    const child = Math.max(1, childComplexity);
    // A paged field (a connection) costs its page: `first`, or the largest page when it is left out.
    if (field.args.some((a) => a.name === 'first')) {
      return 1 + (typeof args.first === 'number' ? Math.max(1, Math.min(args.first, maxPageSize)) : maxPageSize) * child;
    }
    if (field.name === '_entities' && Array.isArray(args.representations)) return 1 + Math.max(1, args.representations.length) * child;
    const returns = getNullableType(field.type);
    if (!isListType(returns) || !isCompositeType(getNamedType(returns))) return undefined;
    // A connection's `edges` are the page its field already paid for.
    if (field.name === 'edges' && type.name.endsWith('Connection')) return undefined;
    return 1 + (LIST_SIZE_ESTIMATES[`${type.name}.${field.name}`] ?? maxPageSize) * child;
  };
}

/** Validation rules applied to every operation, over HTTP and WebSocket alike. */
export function limitRules(maxDepth: number): ValidationRule[] {
  return [depthLimit(maxDepth) as ValidationRule];
}

/** Refuses an operation whose estimated cost is above `max`, with a clear error. */
export function assertComplexity(schema: GraphQLSchema, query: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, max: number, maxPageSize = 100): number {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query,
      variables: variables ?? {},
      operationName,
      estimators: [listEstimator(maxPageSize), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (e) {
    // Estimating needs the variables coerced; a bad variable is the client's error, said as GraphQL would.
    if (e instanceof GraphQLError) throw appError('BAD_USER_INPUT', e.message);
    throw e;
  }
  if (complexity > max) {
    throw appError('BAD_USER_INPUT', `Query is too complex: ${complexity} > ${max}; ask for smaller pages or fewer fields`, { complexity, maximum: max });
  }
  return complexity;
}

/** The fields that describe the schema: introspection, and the federation SDL a gateway composes from. */
const SCHEMA_FIELDS = new Set(['__schema', '__type', '_service']);

/** Whether a document asks for the schema anywhere (operations and fragments alike). `__typename` is not. */
export function asksForSchema(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (SCHEMA_FIELDS.has(node.name.value)) {
        found = true;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Anonymous callers may not read the schema (`__schema`, `__type`, `_service { sdl }`): only signed-in
 * users, and the federation gateway when it presents the configured shared secret.
 */
export function assertSchemaReadable(document: DocumentNode, caller: { authenticated: boolean; gateway: boolean }): void {
  if (caller.authenticated || caller.gateway) return;
  if (asksForSchema(document)) {
    throw appError('UNAUTHENTICATED', 'Introspection and the service SDL need a signed-in user (or the gateway secret)');
  }
}

/** Counts field resolutions of one request; past `max` every further one fails and the request is refused. */
export class ResolverBudget {
  calls = 0;
  exceeded = false;
  constructor(readonly max: number) {}
  /** Call before each resolver; throws once the budget is spent. */
  spend(): void {
    if (++this.calls > this.max) {
      this.exceeded = true;
      throw this.error();
    }
  }
  error(): GraphQLError {
    return appError('BAD_USER_INPUT', `Query resolves too many fields: more than ${this.max}; ask for smaller pages or fewer fields`, { maximumResolverCalls: this.max });
  }
}
