import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode, type ValidationRule } from 'graphql';
import { appError } from '../errors';

/** Lists count once per requested item: `cases(first: 50) { … }` costs 50 × its selection. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? Math.max(1, args.first) : undefined;
  return first !== undefined ? 1 + first * Math.max(1, childComplexity) : undefined;
};

/** Validation rules applied to every operation, over HTTP and WebSocket alike. */
export function limitRules(maxDepth: number): ValidationRule[] {
  return [depthLimitRule(maxDepth)];
}

/** Refuses an operation whose estimated cost is above `max`, with a clear error. */
export function assertComplexity(schema: GraphQLSchema, query: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, max: number): void {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query,
      variables: variables ?? {},
      operationName,
      estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (e) {
    // Estimating needs the variables coerced; a bad variable is the client's error, said as GraphQL would.
    if (e instanceof GraphQLError) throw appError('BAD_USER_INPUT', e.message);
    throw e;
  }
  if (complexity > max) {
    throw appError('BAD_USER_INPUT', `Query is too complex: ${complexity} > ${max}; ask for smaller pages or fewer fields`, { complexity, maximum: max });
  }
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
