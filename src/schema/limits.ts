import depthLimit from 'graphql-depth-limit';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { appError } from '../errors';

/** Lists count once per requested item: `cases(first: 50) { … }` costs 50 × its selection. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? Math.max(1, args.first) : undefined;
  return first !== undefined ? 1 + first * Math.max(1, childComplexity) : undefined;
};

/** Validation rules applied to every operation, over HTTP and WebSocket alike. */
export function limitRules(maxDepth: number): ValidationRule[] {
  return [depthLimit(maxDepth) as ValidationRule];
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
