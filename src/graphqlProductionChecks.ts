/*
 * graphql-js decides at load time, from NODE_ENV, whether its `instanceOf` (called for every type check
 * during execution: `isObjectType`, `isListType`, … several times per field) is a plain `instanceof` or a
 * development check that also looks for a second copy of graphql (issue 11: ~3 % of the server's CPU under
 * load). The hub cannot simply run with NODE_ENV=production: its own configuration reads NODE_ENV for its
 * production rules (JWT_SECRET required, no demo seed, no introspection, no CORS by default).
 *
 * So the server entries (src/main.ts, the benchmarks' hub) load graphql's `instanceOf` once with NODE_ENV set
 * to production for that one `require`, before anything else loads graphql, and put NODE_ENV back. Nothing
 * else sees the change. Tests do not load this module: they keep graphql's development checks.
 * GRAPHQL_DEV_CHECKS=1 keeps them in a server too.
 */

/** Returns true when graphql's `instanceOf` is the production one from now on (false: left as it was). */
export function useGraphqlProductionChecks(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GRAPHQL_DEV_CHECKS === '1') return false;
  const id = require.resolve('graphql/jsutils/instanceOf');
  // Already loaded (graphql was required before this ran): too late to choose.
  if (require.cache[id]) return env.NODE_ENV === 'production';
  const had = Object.prototype.hasOwnProperty.call(env, 'NODE_ENV');
  const before = env.NODE_ENV;
  env.NODE_ENV = 'production';
  try {
    require(id);
  } finally {
    if (had) env.NODE_ENV = before;
    else delete env.NODE_ENV;
  }
  return true;
}
