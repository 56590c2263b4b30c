import { composeServices } from '@theguild/federation-composition';
import { execute, Kind, parse, type DocumentNode } from 'graphql';
import { emitSchemaSdl } from '../../scripts/emitSchema';
import { buildSchema } from '../../src/schema/buildSchema';

/*
 * Offline composition with The Guild's composer (the same rules as Apollo's): the hub composes on its own,
 * and beside another subgraph that extends its entities by their @key.
 */

const HUB = 'bkb-hub';
let hubSdl: string;
beforeAll(async () => { hubSdl = await emitSchemaSdl(); });

const hub = () => ({ name: HUB, typeDefs: parse(hubSdl), url: 'http://localhost:4000/graphql' });

/** A document store that attaches files to the hub's cases, children and organizations, knowing only their ids. */
const DOCUMENTS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  type Query {
    document(id: ID!): Document
  }

  type Document {
    id: ID!
    title: String!
    case: Case
  }

  type Case @key(fields: "id") {
    id: ID!
    documents: [Document!]!
  }

  type Child @key(fields: "id") {
    id: ID!
    identityDocuments: [Document!]!
  }

  type Organization @key(fields: "id", resolvable: false) {
    id: ID!
  }
`;

function keyedTypes(doc: DocumentNode): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const keys = (def.directives ?? [])
      .filter((d) => d.name.value === 'key')
      .map((d) => d.arguments?.find((a) => a.name.value === 'fields')?.value)
      .map((v) => (v?.kind === Kind.STRING ? v.value : '?'));
    if (keys.length) out.set(def.name.value, keys);
  }
  return out;
}

function errorsOf(result: ReturnType<typeof composeServices>): string[] {
  return (result.errors ?? []).map((e) => `${e.extensions?.code ?? ''} ${e.message}`);
}

test('Case, Child and Organization are entities keyed by id', () => {
  const keys = keyedTypes(parse(hubSdl));
  expect(keys.get('Case')).toEqual(['id']);
  expect(keys.get('Child')).toEqual(['id']);
  expect(keys.get('Organization')).toEqual(['id']);
});

test('the hub subgraph composes on its own', () => {
  const result = composeServices([hub()]);
  expect(errorsOf(result)).toEqual([]);
  expect(result.supergraphSdl).toBeDefined();
});

test('the hub composes beside a documents subgraph that extends its entities', () => {
  const result = composeServices([hub(), { name: 'documents', typeDefs: parse(DOCUMENTS_SDL), url: 'http://localhost:4001/graphql' }]);
  expect(errorsOf(result)).toEqual([]);
  const supergraph = result.supergraphSdl!;
  // Both subgraphs can resolve Case and Child by id, so the gateway can join them on the key.
  for (const type of ['Case', 'Child']) {
    const block = supergraph.slice(supergraph.indexOf(`type ${type}`), supergraph.indexOf('{', supergraph.indexOf(`type ${type}`)));
    expect(block).toContain('@join__type(graph: BKB_HUB, key: "id")');
    expect(block).toContain('@join__type(graph: DOCUMENTS, key: "id")');
  }
  const api = parse(result.publicSdl!);
  const fields = (type: string) => {
    const def = api.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === type);
    return def && def.kind === Kind.OBJECT_TYPE_DEFINITION ? (def.fields ?? []).map((f) => f.name.value) : [];
  };
  // The client-facing API has the hub's fields and the documents' fields on the same types.
  expect(fields('Case')).toEqual(expect.arrayContaining(['id', 'status', 'child', 'leadOrganization', 'documents']));
  expect(fields('Child')).toEqual(expect.arrayContaining(['id', 'givenName', 'case', 'identityDocuments']));
  expect(fields('Query')).toEqual(expect.arrayContaining(['cases', 'case', 'child', 'document']));
});

test('composition catches a subgraph that disagrees with the hub (the check is not vacuous)', () => {
  const clashing = /* GraphQL */ `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
    type Query { anything: Case }
    type Case @key(fields: "id") { id: ID! status: Int! }
  `;
  const result = composeServices([hub(), { name: 'clash', typeDefs: parse(clashing), url: 'http://localhost:4002/graphql' }]);
  expect(errorsOf(result).length).toBeGreaterThan(0);
});

test('the SDL a gateway introspects through _service { sdl } gives the same API as the emitted SDL', async () => {
  const schema = await buildSchema();
  const result = await execute({ schema, document: parse('{ _service { sdl } }'), contextValue: {} });
  expect(result.errors).toBeUndefined();
  const served = (result.data as { _service: { sdl: string } })._service.sdl;
  const fromService = composeServices([{ name: HUB, typeDefs: parse(served), url: 'http://localhost:4000/graphql' }]);
  const fromFile = composeServices([hub()]);
  expect(errorsOf(fromService)).toEqual([]);
  expect(fromService.publicSdl).toBe(fromFile.publicSdl);
  expect(fromService.supergraphSdl).toBe(fromFile.supergraphSdl);
});
