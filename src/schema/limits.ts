import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import {
  defaultFieldResolver, getNamedType, getNullableType, GraphQLError, isCompositeType, isListType, isObjectType, Kind, visit,
  type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode, type ValidationRule,
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
  'Query.guardianVerifications': 10,
  'Mutation.scheduleFollowUps': 4,
  'ReturnOperation.organizations': 5,
  'ReturnOperation.children': 30,
  'ReturnOperationChild.documents': 10,
  'ReintegrationPlan.items': 10,
  'ReintegrationPlan.followUps': 4,
  // A statistics answer is a handful of tables of at most a few dozen published cells each.
  'Statistics.tables': 10,
  'Statistics.durations': 4,
  'StatisticsTable.cells': 60,
  // ICC documentation: a case's incidents and evidence, an item's links and custody log.
  'Case.incidents': 5,
  'Case.evidence': 10,
  'Incident.cases': 5,
  'Incident.evidence': 5,
  'EvidenceItem.incidents': 5,
  'EvidenceItem.cases': 5,
  'EvidenceItem.custody': 10,
  // Identification: one explanation row per compared field; an import's rejects are bounded by its 1,000 records.
  'MatchCandidate.explanation': 6,
  'ImportExternalRecordsPayload.rejected': 1000,
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
  return [depthLimitRule(maxDepth)];
}

/**
 * Estimates already made, per parsed document (Apollo's document store hands out the same DocumentNode for
 * the same query text, so a client repeating its query hits this), then per schema, page size, operation and
 * variables. Only successful estimates are kept; a document's entries are bounded, and variables too large to
 * key cheaply are not cached. Estimating walked the whole selection per request (issue 11: ~0.3 ms of the
 * nested cases query's ~7 ms of hub CPU).
 */
const estimates = new WeakMap<DocumentNode, Map<string, number>>();
const schemaIds = new WeakMap<GraphQLSchema, number>();
let nextSchemaId = 0;
const MAX_ESTIMATES_PER_DOCUMENT = 64;
const MAX_ESTIMATE_KEY = 2048;

/** Refuses an operation whose estimated cost is above `max`, with a clear error. */
export function assertComplexity(schema: GraphQLSchema, query: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, max: number, maxPageSize = 100): number {
  let schemaId = schemaIds.get(schema);
  if (schemaId === undefined) schemaIds.set(schema, (schemaId = ++nextSchemaId));
  const key = `${schemaId}|${maxPageSize}|${operationName ?? ''}|${JSON.stringify(variables ?? {})}`;
  let byKey = estimates.get(query);
  let complexity = byKey?.get(key);
  if (complexity === undefined) {
    complexity = estimateComplexity(schema, query, variables, operationName, maxPageSize);
    if (key.length <= MAX_ESTIMATE_KEY) {
      if (!byKey) estimates.set(query, (byKey = new Map()));
      if (byKey.size >= MAX_ESTIMATES_PER_DOCUMENT) byKey.clear();
      byKey.set(key, complexity);
    }
  }
  if (complexity > max) {
    throw appError('BAD_USER_INPUT', `Query is too complex: ${complexity} > ${max}; ask for smaller pages or fewer fields`, { complexity, maximum: max });
  }
  return complexity;
}

function estimateComplexity(schema: GraphQLSchema, query: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, maxPageSize: number): number {
  try {
    return getComplexity({
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
  /** Takes one resolution from the budget; false (and `exceeded`) once it is spent. */
  spend(): boolean {
    if (++this.calls > this.max) {
      this.exceeded = true;
      return false;
    }
    return true;
  }
  error(): GraphQLError {
    return appError('BAD_USER_INPUT', `Query resolves too many fields: more than ${this.max}; ask for smaller pages or fewer fields`, { maximumResolverCalls: this.max });
  }
}

/**
 * Charges every field resolution of `schema` (introspection types aside: bounded by the schema) to the
 * request's budget, `context.resolverBudget` (set by src/http/security.ts `exposurePlugin`; a context
 * without one is not limited). Once the budget is spent a field's resolver does not run (nothing more
 * reaches the database) and the field fails with a *rejected promise*, never a synchronous throw:
 * graphql-js 16 completes a list's items one after the other and, when an item throws synchronously
 * (a non-null field of it failed at once), stops there and drops the promises of the items before it.
 * Record fields resolve asynchronously (type-graphql runs its middlewares, the default field guard among
 * them, as async functions), so an earlier item whose own fields had failed was such a dropped, rejected
 * promise: an unhandled rejection, which ends a Node process. That is why the budget is not enforced by
 * throwing from an Apollo `willResolveField` hook, which runs outside the resolver, synchronously.
 */
export function chargeResolverBudget(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const budget = (context as { resolverBudget?: ResolverBudget } | undefined)?.resolverBudget;
        if (budget && !budget.spend()) return Promise.reject(budget.error());
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/**
 * Lexical tokens one document may hold (graphql-js `maxTokens`, over HTTP and WebSocket). graphql-js
 * validates and executes fragment spreads recursively: a chain of thousands of fragments would overflow
 * the stack before any rule could refuse it. The largest operation a client sends is far below this.
 */
export const MAX_DOCUMENT_TOKENS = 15_000;

/**
 * Refuses operations nested deeper than `maxDepth` fields (introspection fields do not count). Unlike
 * graphql-depth-limit it walks without recursion and measures each fragment once, so a long chain of
 * fragment spreads, a spread of an unknown fragment or a fragment cycle (reported by graphql's own rules)
 * cannot overflow the stack or throw.
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => {
    const doc = context.getDocument();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const heights = fragmentHeights(fragments);
    const nesting = fragmentNesting(fragments);
    for (const [name, n] of nesting) {
      if (n > MAX_FRAGMENT_NESTING) {
        context.reportError(new GraphQLError(`Fragment ${name} nests more than ${MAX_FRAGMENT_NESTING} fragment spreads deep`, { nodes: [fragments.get(name)!] }));
        return {};
      }
    }
    for (const d of doc.definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      // The height counts field levels; the depth is the number of fields above the deepest one.
      const depth = selectionHeight(d.selectionSet, heights) - 1;
      if (depth > maxDepth) {
        context.reportError(new GraphQLError(`'${d.name?.value ?? ''}' exceeds maximum operation depth of ${maxDepth}`, { nodes: [d] }));
      }
    }
    return {};
  };
}

/** Field levels in a selection set, with fragment spreads counted by their (already known) heights. */
function selectionHeight(root: SelectionSetNode, heights: ReadonlyMap<string, number>): number {
  let max = 0;
  const stack: [SelectionSetNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [set, level] = stack.pop()!;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        max = Math.max(max, level + 1);
        if (sel.selectionSet) stack.push([sel.selectionSet, level + 1]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        stack.push([sel.selectionSet, level]);
      } else {
        max = Math.max(max, level + (heights.get(sel.name.value) ?? 0));
      }
    }
  }
  return max;
}

/** Each fragment's height, dependencies first (an explicit stack, no recursion); cycles count as 0. */
function fragmentHeights(fragments: ReadonlyMap<string, FragmentDefinitionNode>): Map<string, number> {
  const heights = new Map<string, number>();
  const seen = new Set<string>();
  for (const start of fragments.keys()) {
    const stack: [string, boolean][] = [[start, false]];
    while (stack.length > 0) {
      const [name, ready] = stack.pop()!;
      const fragment = fragments.get(name);
      if (!fragment) continue;
      if (ready) {
        heights.set(name, selectionHeight(fragment.selectionSet, heights));
        continue;
      }
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push([name, true]);
      for (const dep of spreadsOf(fragment.selectionSet)) if (!seen.has(dep)) stack.push([dep, false]);
    }
  }
  return heights;
}

/**
 * How deep fragment spreads nest (a fragment spreading another that spreads another…). graphql-query-
 * complexity and graphql's execution follow such chains recursively; no real client nests them deeply.
 */
export const MAX_FRAGMENT_NESTING = 50;

/** For each fragment, the longest chain of spreads starting at it (itself counted), without recursion. */
function fragmentNesting(fragments: ReadonlyMap<string, FragmentDefinitionNode>): Map<string, number> {
  const depth = new Map<string, number>();
  const seen = new Set<string>();
  for (const start of fragments.keys()) {
    const stack: [string, boolean][] = [[start, false]];
    while (stack.length > 0) {
      const [name, ready] = stack.pop()!;
      const fragment = fragments.get(name);
      if (!fragment) continue;
      if (ready) {
        depth.set(name, 1 + Math.max(0, ...spreadsOf(fragment.selectionSet).map((d) => depth.get(d) ?? 0)));
        continue;
      }
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push([name, true]);
      for (const dep of spreadsOf(fragment.selectionSet)) if (!seen.has(dep)) stack.push([dep, false]);
    }
  }
  return depth;
}

function spreadsOf(root: SelectionSetNode): string[] {
  const names: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const sel of stack.pop()!.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) names.push(sel.name.value);
      else if (sel.selectionSet) stack.push(sel.selectionSet);
    }
  }
  return names;
}
