/**
 * Import rules checked by `npm test` (npm run lint:deps). Type-only imports are erased at compile time and
 * form no runtime cycle, so cycles count runtime imports; the layer rules count every import.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Imports point down: a cycle makes load order decide whether a value is still undefined.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'entities-import-only-enums',
      severity: 'error',
      comment: 'Entities are tables and GraphQL types; access control is decided in src/auth, never here. Enums (shared or per feature) only.',
      from: { path: '^src/entities/' },
      to: { path: '^src/', pathNot: ['^src/entities/', '^src/schema/enums\\.ts$', '^src/schema/[a-z]+/enums\\.ts$'] },
    },
    {
      name: 'scheduling-is-pure',
      severity: 'error',
      comment: 'src/scheduling is pure domain code: no TypeORM, no GraphQL, no services.',
      from: { path: '^src/scheduling/' },
      to: { path: ['^src/services/', '^src/resolvers/', '^src/entities/', '^src/db/', 'node_modules/(typeorm|graphql|type-graphql|@apollo|pg)/'] },
    },
    {
      name: 'auth-decides-alone',
      severity: 'error',
      comment: 'src/auth imports entities and enums (and errors), not the layers that ask it for decisions.',
      from: { path: '^src/auth/' },
      to: {
        path: ['^src/services/', '^src/resolvers/', '^src/loaders/', '^src/pubsub/', '^src/live/', '^src/subscriptions\\.ts$', '^src/app\\.ts$', '^src/schema/(?!enums\\.ts$)'],
        dependencyTypesNot: ['type-only'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
