import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getIntrospectionQuery, parse, type GraphQLSchema } from 'graphql';
import { loadConfig } from '../../src/config';
import { buildSchema } from '../../src/schema/buildSchema';
import { assertComplexity, asksForSchema } from '../../src/schema/limits';
import { staleBuildWarning } from '../../src/staleBuild';

let schema: GraphQLSchema;
beforeAll(async () => { schema = await buildSchema(); });
const cost = (query: string, variables?: Record<string, unknown>) => assertComplexity(schema, parse(query), variables, undefined, Number.MAX_SAFE_INTEGER, 100);

describe('list costs', () => {
  test('a list without `first` costs a full page of its selection', () => {
    expect(cost('{ organizations { id } }')).toBe(1 + 100 * 1);
    expect(cost('{ organizations { id name kind } }')).toBe(1 + 100 * 3);
    expect(cost('{ cases { totalCount } }')).toBe(1 + 100 * 1);
  });

  test('`first` (capped at the page size) replaces the page; a connection\'s edges are not counted twice', () => {
    expect(cost('{ cases(first: 5) { edges { node { id } } } }')).toBe(1 + 5 * 3);
    expect(cost('query($n: Int) { cases(first: $n) { edges { node { id } } } }', { n: 5000 })).toBe(1 + 100 * 3);
  });

  test('lists bounded by the domain use their estimate; nested lists multiply', () => {
    expect(cost('{ child(id: "x") { guardians { id } } }')).toBe(1 + (1 + 10 * 1));
    expect(cost('{ centres { rooms { id } } }')).toBe(1 + 10 * (1 + 15 * 1));
    expect(cost('{ specialistSchedule(specialistId: "x", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { id } }')).toBe(1 + 100 * 1);
  });

  test('_entities costs one per representation', () => {
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { id } } }';
    expect(cost(q, { r: Array.from({ length: 7 }, () => ({ __typename: 'Organization', id: 'x' })) })).toBeLessThanOrEqual(1 + 7 * 2);
    expect(cost(q, { r: Array.from({ length: 7 }, () => ({ __typename: 'Organization', id: 'x' })) })).toBeGreaterThanOrEqual(1 + 7);
  });

  test('1,000 aliased lists are far over the default limit; introspection stays well under it', () => {
    const max = loadConfig({}).maxQueryComplexity;
    const aliased = `{ ${Array.from({ length: 1000 }, (_, i) => `o${i}: organizations { id }`).join(' ')} }`;
    expect(() => assertComplexity(schema, parse(aliased), {}, undefined, max, 100)).toThrow(/too complex/);
    expect(cost(getIntrospectionQuery())).toBeLessThan(max / 10);
  });

  test('an estimate kept for a document is per variables, operation and page size, and checked against each caller\'s maximum', () => {
    const doc = parse('query A($n: Int) { cases(first: $n) { edges { node { id } } } } query B { organizations { id } }');
    const at = (vars: Record<string, unknown>, op: string, max = Number.MAX_SAFE_INTEGER, page = 100) => assertComplexity(schema, doc, vars, op, max, page);
    expect(at({ n: 5 }, 'A')).toBe(1 + 5 * 3);
    expect(at({ n: 5 }, 'A')).toBe(1 + 5 * 3);
    expect(at({ n: 50 }, 'A')).toBe(1 + 50 * 3);
    expect(at({ n: 5 }, 'B')).toBe(1 + 100 * 1);
    expect(at({ n: 5 }, 'B', Number.MAX_SAFE_INTEGER, 10)).toBe(1 + 10 * 1);
    expect(() => at({ n: 50 }, 'A', 100)).toThrow(/too complex: 151 > 100/);
    // A bad variable is refused every time, not only the first.
    expect(() => at({ n: 'x' }, 'A')).toThrow(/Int/);
    expect(() => at({ n: 'x' }, 'A')).toThrow(/Int/);
  });

  test('asksForSchema finds introspection and the SDL anywhere in a document, not __typename', () => {
    expect(asksForSchema(parse('{ __typename }'))).toBe(false);
    expect(asksForSchema(parse('{ me { id __typename } }'))).toBe(false);
    expect(asksForSchema(parse('{ _service { sdl } }'))).toBe(true);
    expect(asksForSchema(parse('{ ...F } fragment F on Query { __type(name: "Case") { name } }'))).toBe(true);
    expect(asksForSchema(parse(getIntrospectionQuery()))).toBe(true);
  });
});

describe('exposure settings', () => {
  test('production: introspection, GraphiQL and CORS closed unless configured', () => {
    const prod = loadConfig({ NODE_ENV: 'production' });
    expect(prod).toMatchObject({ introspection: false, graphiql: false, corsOrigins: [], trustProxy: false });
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true', CORS_ORIGINS: 'https://a.example, https://b.example' }))
      .toMatchObject({ introspection: true, corsOrigins: ['https://a.example', 'https://b.example'] });
    expect(loadConfig({})).toMatchObject({ introspection: true, graphiql: true, corsOrigins: ['*'], maxResolverCalls: 50_000 });
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  });
});

describe('npm start runs the build', () => {
  test('warns when a source is newer than dist/, and only when running from dist/', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-stale-'));
    try {
      fs.mkdirSync(path.join(root, 'dist/src'), { recursive: true });
      fs.mkdirSync(path.join(root, 'src/auth'), { recursive: true });
      const entry = path.join(root, 'dist/src/main.js');
      const source = path.join(root, 'src/auth/x.ts');
      fs.writeFileSync(source, '');
      fs.writeFileSync(entry, '');
      fs.utimesSync(source, new Date(1_000_000), new Date(1_000_000));
      expect(staleBuildWarning(entry)).toBeNull();
      fs.utimesSync(source, new Date(), new Date(Date.now() + 5000));
      expect(staleBuildWarning(entry)).toMatch(/src\/auth\/x\.ts changed after the build/);
      expect(staleBuildWarning(path.join(root, 'src/main.ts'))).toBeNull();
      // A command-line tool (dist/scripts/…) also looks at scripts/, when asked to.
      fs.utimesSync(source, new Date(1_000_000), new Date(1_000_000));
      fs.mkdirSync(path.join(root, 'dist/scripts'), { recursive: true });
      fs.mkdirSync(path.join(root, 'scripts'), { recursive: true });
      const tool = path.join(root, 'dist/scripts/importRecords.js');
      fs.writeFileSync(tool, '');
      fs.writeFileSync(path.join(root, 'scripts/importRecords.ts'), '');
      fs.utimesSync(tool, new Date(2_000_000), new Date(2_000_000));
      expect(staleBuildWarning(tool)).toBeNull();
      expect(staleBuildWarning(tool, ['src', 'migrations', 'scripts'])).toMatch(/scripts\/importRecords\.ts changed after the build/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
