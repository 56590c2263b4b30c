import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import {
  getArgumentValues, getVariableValues, Kind,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import type { AppAbility } from '../auth/ability';
import type { Config } from '../config';
import type { Context } from '../context';
import { readRows } from '../db/rawRead';
import { Compiler, RequestValue, type CompiledStatement, type WalkNode } from './compile';

/*
 * The compiled read path as an Apollo plugin (issue 11). `responseForOperation` runs after parsing, validation
 * and every `didResolveOperation` check (complexity, schema exposure); returning a response skips graphql-js
 * execution. For an operation it can compile (see compile.ts) it sends one statement and answers with its JSON;
 * for anything else it returns null and the normal executor runs, unchanged. What stays the same as the normal
 * path: the data, the FORBIDDEN errors (message, locations, path, code, request id), the resolver budget (the
 * resolutions graphql-js would have made are charged), and every plugin's `willSendResponse` (metrics, audit,
 * exposure) still runs.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What of an operation does not depend on the reader: its root selection, or null when it is not a cases read. */
interface Shape {
  operation: OperationDefinitionNode;
  /** Root response keys in order: the `cases` field node, or '__typename'. */
  root: { key: string; node: FieldNode | null }[];
  cases: FieldNode;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Compiled statements per reader ability and whether the request has an `after` cursor. */
  statements: WeakMap<AppAbility, [CompiledStatement | null | undefined, CompiledStatement | null | undefined]>;
}

const shapes = new WeakMap<DocumentNode, Map<string, Shape | null>>();

function shapeOf(document: DocumentNode, operation: OperationDefinitionNode, operationName: string | null | undefined): Shape | null {
  let byName = shapes.get(document);
  if (!byName) shapes.set(document, (byName = new Map()));
  const key = operationName ?? '';
  let shape = byName.get(key);
  if (shape === undefined) {
    shape = buildShape(document, operation);
    byName.set(key, shape);
  }
  return shape;
}

function buildShape(document: DocumentNode, operation: OperationDefinitionNode): Shape | null {
  if (operation.operation !== 'query' || operation.directives?.length) return null;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const root: Shape['root'] = [];
  let cases: FieldNode | null = null;
  for (const sel of operation.selectionSet.selections) {
    // Root fragments are rare: left to the executor.
    if (sel.kind !== Kind.FIELD || sel.directives?.length) return null;
    const key = sel.alias?.value ?? sel.name.value;
    if (root.some((r) => r.key === key)) return null;
    if (sel.name.value === '__typename') root.push({ key, node: null });
    else if (sel.name.value === 'cases' && !cases) {
      cases = sel;
      root.push({ key, node: sel });
    } else return null;
  }
  if (!cases) return null;
  return { operation, root, cases, fragments, statements: new WeakMap() };
}

/** A page size as CaseService.pageSize takes it; undefined when it would refuse it (the executor reports that). */
function pageSize(first: unknown, fallback: number, max: number): number | undefined {
  if (first === undefined || first === null) return fallback;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1) return undefined;
  return Math.min(first, max);
}

/** An `after` cursor of the cases page as CaseService decodes it; undefined when it would refuse it. */
function caseCursor(after: string): [string, string] | undefined {
  const parts = Buffer.from(after, 'base64url').toString('utf8').split('|');
  if (parts.length !== 2 || parts.some((p) => p.length === 0)) return undefined;
  const [at, id] = parts;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at) || at.startsWith('0000')) return undefined;
  const d = new Date(at);
  if (Number.isNaN(d.getTime()) || d.toISOString() !== at || !UUID.test(id)) return undefined;
  return [at, id];
}

interface Found {
  site: WalkNode['deny'][number];
  path: (string | number)[];
  /** A denial is thrown synchronously by the executor; a check fails once the record's access facts are in. */
  checked: boolean;
}

/**
 * The errors in the order graphql-js reports them: it adds an error when its field settles, and a field settles
 * later the deeper it is (each level is a promise later) and, within a level, denials (thrown at once) before
 * checks (after a promise). A stable sort by (depth, denial first) of the depth-first list gives that order for
 * every query the differential test tries; it is not a guarantee (graphql-js promises no order).
 */
function executorOrder(found: Found[]): Found[] {
  return found.sort((a, b) => (a.path.length - b.path.length) || (Number(a.checked) - Number(b.checked)));
}

/** Places the FORBIDDEN errors, drops the `$f` markers and counts the resolutions graphql-js would have made. */
function walk(value: unknown, node: WalkNode, path: (string | number)[], errors: Found[]): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) {
    let n = 0;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      n += walk(value[i], node, path, errors);
      path.pop();
    }
    return n;
  }
  const obj = value as Record<string, unknown>;
  let n = node.resolutions;
  for (const site of node.deny) errors.push({ site, path: [...path, site.key], checked: false });
  if (node.check.length) {
    const allowed = obj.$f as (boolean | null)[];
    delete obj.$f;
    for (let i = 0; i < node.check.length; i++) if (allowed[i] !== true) errors.push({ site: node.check[i], path: [...path, node.check[i].key], checked: true });
  }
  for (const c of node.children) {
    path.push(c.key);
    n += walk(obj[c.key], c.node, path, errors);
    path.pop();
  }
  return n;
}

export function readFastPathPlugin(
  schema: GraphQLSchema, config: Config, format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
): ApolloServerPlugin<Context> {
  if (!config.readFastPath) return {};
  const casesDef = schema.getQueryType()!.getFields().cases;

  const compile = (shape: Shape, ability: AppAbility, withAfter: boolean, ctx: Context): CompiledStatement | null => {
    let byAfter = shape.statements.get(ability);
    if (!byAfter) shape.statements.set(ability, (byAfter = [undefined, undefined]));
    const i = withAfter ? 1 : 0;
    let st = byAfter[i];
    if (st === undefined) {
      try {
        const compiler = new Compiler(schema, ability, shape.fragments);
        const rootWalk: WalkNode = { typeName: 'Query', resolutions: 0, deny: [], check: [], children: [] };
        const { sql, values } = compiler.compileCases(shape.cases, withAfter, rootWalk);
        st = { sql, values, walk: rootWalk.children[0].node, events: compiler.events };
      } catch (e) {
        if (!Compiler.isUnsupported(e)) throw e;
        // Once per document, operation and reader: why the executor answers this one.
        ctx.deps.logger.debug({ operationName: shape.operation.name?.value, reason: (e as Error).message }, 'read fast path: not compiled');
        st = null;
      }
      byAfter[i] = st;
    }
    return st;
  };

  const respond = async (rc: GraphQLRequestContext<Context>) => {
    const ctx = rc.contextValue;
    if (!ctx.user || !ctx.principal || !rc.operation || !rc.document) return null;
    const shape = shapeOf(rc.document, rc.operation, rc.operationName);
    if (!shape) return null;
    let variables: Record<string, unknown> = {};
    if (shape.operation.variableDefinitions?.length) {
      const coerced = getVariableValues(schema, shape.operation.variableDefinitions, rc.request.variables ?? {});
      if (coerced.errors) return null;
      variables = coerced.coerced;
    }
    const args = getArgumentValues(casesDef, shape.cases, variables);
    const limit = pageSize(args.first, 20, config.maxPageSize);
    if (limit === undefined) return null;
    let after: [string, string] | undefined;
    if (args.after !== undefined && args.after !== null) {
      after = caseCursor(args.after as string);
      if (!after) return null;
    }
    const st = compile(shape, ctx.ability, after !== undefined, ctx);
    if (!st) return null;
    const request: Record<string, unknown> = { fp_limit: limit, fp_limit1: limit + 1, fp_after_at: after?.[0], fp_after_id: after?.[1] };
    for (const ev of st.events) {
      const a = getArgumentValues(ev.def, ev.node, variables);
      if (a.after !== undefined && a.after !== null) return null;
      const n = pageSize(a.first, 10, config.maxPageSize);
      if (n === undefined) return null;
      request[ev.limit.name] = n;
      request[ev.limitPlusOne.name] = n + 1;
    }
    const values = st.values.map((v) => (v instanceof RequestValue ? request[v.name] : v));
    const rows = await readRows<{ r: unknown }>(ctx.deps.dataSource, st.sql, values);
    const cases = rows[0].r;
    const found: Found[] = [];
    const resolutions = 1 + walk(cases, st.walk, [shape.root.find((r) => r.node)!.key], found);
    const budget = ctx.resolverBudget;
    if (budget) {
      budget.calls += resolutions;
      if (budget.calls > budget.max) budget.exceeded = true;
    }
    const data: Record<string, unknown> = {};
    for (const r of shape.root) data[r.key] = r.node ? cases : 'Query';
    const errors = executorOrder(found).map((f) => format({ message: f.site.message, locations: f.site.locations, path: f.path, extensions: { code: 'FORBIDDEN' } }, undefined as unknown as GraphQLError));
    return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single' as const, singleResult: errors.length ? { data, errors } : { data } } };
  };

  return {
    async requestDidStart() {
      return {
        async responseForOperation(rc) {
          try {
            return await respond(rc);
          } catch (e) {
            // Never worse than the executor: whatever went wrong here, it answers (and reports its own errors).
            rc.contextValue.deps.logger.warn({ err: e }, 'read fast path failed; the executor answers');
            return null;
          }
        },
      };
    },
  };
}
