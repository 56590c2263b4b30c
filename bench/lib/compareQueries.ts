import { print } from 'graphql';
import { CasesNestedDocument } from '../../tests/generated/graphql';

/*
 * The nested query of issue 11 on both servers, and the check that both return the same rows.
 *
 * The hub runs its own `CasesNested` (tests/operations/cases.graphql):
 *   cases(first) → child → guardians, leadOrganization, shares → organization, events(first: 3)
 * PostGraphile runs the same traversal in its inflection, in the hub's order (newest case first, then id):
 *   allCaseFiles(orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) → childByChildId → guardiansByChildId,
 *   organizationByLeadOrganizationId, caseSharesByCaseId → organizationByOrganizationId,
 *   caseEventsByCaseId(first: 3, orderBy: ROW_ID_DESC)
 */

export const HUB_NESTED = print(CasesNestedDocument);
export const HUB_NESTED_OPERATION = 'CasesNested';

const PG_NODE = `rowId
      childByChildId { guardiansByChildId { nodes { name } } }
      organizationByLeadOrganizationId { name }
      caseSharesByCaseId { nodes { organizationByOrganizationId { name } } }
      caseEventsByCaseId(first: 3, orderBy: ROW_ID_DESC) { edges { node { toStatus } } }`;

export const PG_NESTED = `query CaseFilesNested($first: Int!) {
  allCaseFiles(first: $first, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
    edges { node {
      ${PG_NODE}
    } }
  }
}`;
export const PG_NESTED_OPERATION = 'CaseFilesNested';

/** The same selections with a cursor, to walk every case a reader sees. */
const HUB_TRAVERSAL = `query CasesTraversal($first: Int!, $after: String) {
  cases(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id
      child { guardians { name } }
      leadOrganization { name }
      shares { organization { name } }
      events(first: 3) { edges { node { to } } }
    } }
  }
}`;
const PG_TRAVERSAL = `query CaseFilesTraversal($first: Int!, $after: Cursor) {
  allCaseFiles(first: $first, after: $after, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      ${PG_NODE}
    } }
  }
}`;

export interface GqlResponse<T = unknown> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GqlResponse<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  try {
    return JSON.parse(text) as GqlResponse<T>;
  } catch {
    throw new Error(`${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** One case as the check compares it: ids and names, lists sorted where the order is not part of the query. */
export interface CaseRow {
  id: string;
  guardians: string[];
  lead: string | null;
  shares: string[];
  events: string[];
}

interface HubNode {
  id: string;
  child: { guardians: { name: string }[] | null } | null;
  leadOrganization: { name: string } | null;
  shares: { organization: { name: string } | null }[] | null;
  events: { edges: { node: { to: string } }[] } | null;
}
interface PgNode {
  rowId: string;
  childByChildId: { guardiansByChildId: { nodes: { name: string }[] } } | null;
  organizationByLeadOrganizationId: { name: string } | null;
  caseSharesByCaseId: { nodes: { organizationByOrganizationId: { name: string } | null }[] };
  caseEventsByCaseId: { edges: { node: { toStatus: string } }[] };
}
interface Page<N> { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: N }[] }

const sorted = (xs: string[]) => [...xs].sort();

// The hub answers a SUMMARY reader's guardians, shares and events with null (and FORBIDDEN); row security with
// an empty list. Both mean "no row": null counts as empty.
export function hubRow(n: HubNode): CaseRow {
  return {
    id: n.id,
    guardians: sorted((n.child?.guardians ?? []).map((g) => g.name)),
    lead: n.leadOrganization?.name ?? null,
    shares: sorted((n.shares ?? []).map((s) => s.organization?.name ?? '?')),
    events: (n.events?.edges ?? []).map((e) => e.node.to),
  };
}

export function pgRow(n: PgNode): CaseRow {
  return {
    id: n.rowId,
    guardians: sorted((n.childByChildId?.guardiansByChildId.nodes ?? []).map((g) => g.name)),
    lead: n.organizationByLeadOrganizationId?.name ?? null,
    shares: sorted(n.caseSharesByCaseId.nodes.map((s) => s.organizationByOrganizationId?.name ?? '?')),
    events: n.caseEventsByCaseId.edges.map((e) => e.node.toStatus),
  };
}

const PAGE = 100;
const MAX_PAGES = 1000;

/** Every case the hub shows this reader, in its order. Errors other than FORBIDDEN abort. */
export async function hubTraversal(url: string, headers: Record<string, string>): Promise<CaseRow[]> {
  const rows: CaseRow[] = [];
  let after: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const res: GqlResponse<{ cases: Page<HubNode> }> = await post(url, { query: HUB_TRAVERSAL, variables: { first: PAGE, after } }, headers);
    const unexpected = (res.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');
    if (unexpected.length || !res.data) throw new Error(`hub traversal failed: ${unexpected.map((e) => `${e.extensions?.code} ${e.message}`).join('; ')}`);
    rows.push(...res.data.cases.edges.map((e) => hubRow(e.node)));
    if (!res.data.cases.pageInfo.hasNextPage) return rows;
    after = res.data.cases.pageInfo.endCursor;
  }
  throw new Error(`hub traversal: more than ${MAX_PAGES} pages`);
}

/** Every case PostGraphile shows this reader, in the same order. Any error aborts. */
export async function pgTraversal(url: string, headers: Record<string, string>): Promise<CaseRow[]> {
  const rows: CaseRow[] = [];
  let after: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const res: GqlResponse<{ allCaseFiles: Page<PgNode> }> = await post(url, { query: PG_TRAVERSAL, variables: { first: PAGE, after } }, headers);
    if (res.errors?.length || !res.data) throw new Error(`PostGraphile traversal failed: ${(res.errors ?? []).map((e) => e.message).join('; ')}`);
    rows.push(...res.data.allCaseFiles.edges.map((e) => pgRow(e.node)));
    if (!res.data.allCaseFiles.pageInfo.hasNextPage) return rows;
    after = res.data.allCaseFiles.pageInfo.endCursor;
  }
  throw new Error(`PostGraphile traversal: more than ${MAX_PAGES} pages`);
}

/**
 * Differences between the two traversals: case ids only one side sees, cases whose nested rows differ,
 * and a different order. Empty when both saw the same rows.
 */
export function compareTraversals(hub: CaseRow[], pg: CaseRow[], limit = 5): string[] {
  const problems: string[] = [];
  const hubIds = new Set(hub.map((r) => r.id));
  const pgIds = new Set(pg.map((r) => r.id));
  if (hubIds.size !== hub.length) problems.push(`the hub returned ${hub.length - hubIds.size} case(s) twice`);
  if (pgIds.size !== pg.length) problems.push(`PostGraphile returned ${pg.length - pgIds.size} case(s) twice`);
  const onlyHub = [...hubIds].filter((id) => !pgIds.has(id));
  const onlyPg = [...pgIds].filter((id) => !hubIds.has(id));
  if (onlyHub.length) problems.push(`${onlyHub.length} case(s) only the hub returns, e.g. ${onlyHub.slice(0, limit).join(', ')}`);
  if (onlyPg.length) problems.push(`${onlyPg.length} case(s) only PostGraphile returns, e.g. ${onlyPg.slice(0, limit).join(', ')}`);
  const pgById = new Map(pg.map((r) => [r.id, r]));
  const differing: string[] = [];
  for (const h of hub) {
    const p = pgById.get(h.id);
    if (p && JSON.stringify(h) !== JSON.stringify(p)) differing.push(`${h.id}: hub ${JSON.stringify(h)} vs PostGraphile ${JSON.stringify(p)}`);
  }
  if (differing.length) problems.push(`${differing.length} case(s) with different nested rows, e.g.\n    ${differing.slice(0, limit).join('\n    ')}`);
  if (!onlyHub.length && !onlyPg.length && hub.some((r, i) => r.id !== pg[i]?.id)) problems.push('the same cases in a different order');
  return problems;
}
