import { createMongoAbility } from '@casl/ability';
import { rulesToAST } from '@casl/ability/extra';
import type { Action, AppAbility } from './ability';

/** A to-one or to-many relation of a subject, as SQL: how a row of `target` joins a row of the subject. */
interface RelationMeta {
  kind: 'one' | 'many';
  target: string;
  /** SQL joining the related row (alias `inner`) to the subject row (alias `outer`). */
  on: (outer: string, inner: string) => string;
}

export interface SubjectMeta {
  table: string;
  columns: Record<string, string>;
  relations?: Record<string, RelationMeta>;
}

/**
 * How CASL subjects map to tables. Only what rules use is listed: a rule naming anything else
 * fails loudly instead of silently matching rows.
 */
export const SUBJECTS: Record<string, SubjectMeta> = {
  Case: {
    table: 'case_file',
    columns: { id: 'id', childId: 'child_id', leadOrganizationId: 'lead_organization_id', status: 'status' },
    relations: {
      shares: { kind: 'many', target: 'CaseShare', on: (o, i) => `${i}.case_id = ${o}.id` },
    },
  },
  CaseShare: {
    table: 'case_share',
    columns: { caseId: 'case_id', organizationId: 'organization_id', access: 'access' },
    relations: { case: { kind: 'one', target: 'Case', on: (o, i) => `${i}.id = ${o}.case_id` } },
  },
  CaseEvent: {
    table: 'case_event',
    columns: { id: 'id', caseId: 'case_id', kind: 'kind' },
    relations: { case: { kind: 'one', target: 'Case', on: (o, i) => `${i}.id = ${o}.case_id` } },
  },
  Child: {
    table: 'child',
    columns: { id: 'id' },
    relations: {
      case: { kind: 'one', target: 'Case', on: (o, i) => `${i}.child_id = ${o}.id` },
      placements: { kind: 'many', target: 'Placement', on: (o, i) => `${i}.child_id = ${o}.id` },
      assignments: { kind: 'many', target: 'Assignment', on: (o, i) => `${i}.child_id = ${o}.id` },
      sessions: { kind: 'many', target: 'Session', on: (o, i) => `${i}.child_id = ${o}.id` },
    },
  },
  Guardian: {
    table: 'guardian',
    columns: { id: 'id', childId: 'child_id' },
    relations: { child: { kind: 'one', target: 'Child', on: (o, i) => `${i}.id = ${o}.child_id` } },
  },
  User: {
    table: 'app_user',
    columns: { id: 'id', organizationId: 'organization_id' },
  },
  Centre: {
    table: 'centre',
    columns: { id: 'id', organizationId: 'organization_id' },
    relations: { specialists: { kind: 'many', target: 'SpecialistCentre', on: (o, i) => `${i}.centre_id = ${o}.id` } },
  },
  SpecialistCentre: {
    table: 'specialist_centre',
    columns: { specialistId: 'specialist_id', centreId: 'centre_id' },
  },
  Room: {
    table: 'room',
    columns: { id: 'id', centreId: 'centre_id' },
    relations: { centre: { kind: 'one', target: 'Centre', on: (o, i) => `${i}.id = ${o}.centre_id` } },
  },
  Specialist: {
    table: 'specialist',
    columns: { id: 'id', userId: 'user_id' },
    relations: { centres: { kind: 'many', target: 'SpecialistCentre', on: (o, i) => `${i}.specialist_id = ${o}.id` } },
  },
  AvailabilityRule: {
    table: 'availability_rule',
    columns: { id: 'id', specialistId: 'specialist_id', centreId: 'centre_id' },
  },
  Placement: {
    table: 'placement',
    columns: { id: 'id', childId: 'child_id', centreId: 'centre_id', to: 'to_date' },
  },
  CarePlan: {
    table: 'care_plan',
    columns: { id: 'id', childId: 'child_id', centreId: 'centre_id' },
    relations: { child: { kind: 'one', target: 'Child', on: (o, i) => `${i}.id = ${o}.child_id` } },
  },
  Assignment: {
    table: 'assignment',
    columns: { id: 'id', childId: 'child_id', centreId: 'centre_id', specialistId: 'specialist_id' },
    // The child's placements at the assignment's own centre: an assignment lasts while that placement does.
    relations: { placements: { kind: 'many', target: 'Placement', on: (o, i) => `${i}.child_id = ${o}.child_id AND ${i}.centre_id = ${o}.centre_id` } },
  },
  SessionSeries: {
    table: 'session_series',
    columns: { id: 'id', centreId: 'centre_id' },
    relations: { sessions: { kind: 'many', target: 'Session', on: (o, i) => `${i}.series_id = ${o}.id` } },
  },
  Session: {
    table: 'session',
    columns: { id: 'id', childId: 'child_id', centreId: 'centre_id', specialistId: 'specialist_id', roomId: 'room_id' },
  },
  // Return operations and reintegration (src/auth/rules/returns.ts).
  ReturnOperation: {
    table: 'return_operation',
    columns: { id: 'id' },
    relations: { orgs: { kind: 'many', target: 'ReturnOperationOrg', on: (o, i) => `${i}.operation_id = ${o}.id` } },
  },
  ReturnOperationOrg: {
    table: 'return_operation_org',
    columns: { operationId: 'operation_id', organizationId: 'organization_id' },
  },
  ReturnOperationChild: {
    table: 'return_operation_child',
    columns: { id: 'id', operationId: 'operation_id', caseId: 'case_id' },
    relations: { operation: { kind: 'one', target: 'ReturnOperation', on: (o, i) => `${i}.id = ${o}.operation_id` } },
  },
  GuardianVerification: {
    table: 'guardian_verification',
    columns: { id: 'id', caseId: 'case_id' },
    relations: { case: { kind: 'one', target: 'Case', on: (o, i) => `${i}.id = ${o}.case_id` } },
  },
  ReintegrationPlan: {
    table: 'reintegration_plan',
    columns: { id: 'id', caseId: 'case_id' },
    relations: { case: { kind: 'one', target: 'Case', on: (o, i) => `${i}.id = ${o}.case_id` } },
  },
  ReintegrationItem: {
    table: 'reintegration_item',
    columns: { id: 'id', planId: 'plan_id', ownerOrganizationId: 'owner_organization_id' },
    relations: { plan: { kind: 'one', target: 'ReintegrationPlan', on: (o, i) => `${i}.id = ${o}.plan_id` } },
  },
  FollowUp: {
    table: 'follow_up',
    columns: { id: 'id', caseId: 'case_id', ownerOrganizationId: 'owner_organization_id' },
    relations: { case: { kind: 'one', target: 'Case', on: (o, i) => `${i}.id = ${o}.case_id` } },
  },
  // ICC documentation.
  Incident: { table: 'incident', columns: { id: 'id' } },
  EvidenceItem: {
    table: 'evidence_item',
    columns: {
      id: 'id', classification: 'classification', capturedByOrganizationId: 'captured_by_organization_id',
      custodianOrganizationId: 'custodian_organization_id', pendingTransferToId: 'pending_transfer_to_id',
    },
  },
  EvidenceContent: {
    table: 'evidence_item',
    columns: {
      id: 'id', classification: 'classification', capturedByOrganizationId: 'captured_by_organization_id',
      custodianOrganizationId: 'custodian_organization_id', pendingTransferToId: 'pending_transfer_to_id',
    },
  },
  CustodyEvent: { table: 'custody_event', columns: { id: 'id' } },
  AuditEntry: { table: 'audit_entry', columns: { seq: 'seq' } },
  ExternalRecord: {
    table: 'external_record',
    columns: { id: 'id', linkedChildId: 'linked_child_id' },
    relations: { candidates: { kind: 'many', target: 'MatchCandidate', on: (o, i) => `${i}.external_record_id = ${o}.id` } },
  },
  MatchCandidate: {
    table: 'match_candidate',
    columns: { id: 'id', childId: 'child_id', externalRecordId: 'external_record_id', status: 'status' },
    relations: { child: { kind: 'one', target: 'Child', on: (o, i) => `${i}.id = ${o}.child_id` } },
  },
};

/**
 * Relation paths of a subject (`case`, `child.case`) mapped to the alias of a row of the same statement that is
 * exactly the row the path names: the caller guarantees that for every row the condition is evaluated on, the
 * relation yields one row and it is that alias's row (e.g. a child reached as `child.id = p.child_id` from case
 * `p`: `case_file.child_id` is unique, so the child's `case` is `p`). Then `EXISTS (SELECT 1 FROM case_file t
 * WHERE t.child_id = ch.id AND X(t))` is `X(p)`, one lookup less per row and level.
 */
export type RelationBindings = Record<string, string>;

/** A condition node of CASL's rule AST (rulesToAST): plain data, comparable by value. */
export interface Node {
  operator: string;
  field?: string;
  value: unknown;
}

/**
 * Offered every `$elemMatch` over a to-many relation of the row `alias` (e.g. the case's shares): returns a SQL
 * reference that holds exactly that EXISTS for the row (a column computed once per row elsewhere in the
 * statement), or undefined to write the EXISTS in place.
 */
export type Hoist = (subject: string, alias: string, relation: string, n: Node) => string | undefined;

/** The EXISTS of one `$elemMatch` on `relation` of the row `alias`, as the translator writes it (for a Hoist). */
export function elemMatchExists(subject: string, alias: string, n: Node, prefix: string): SqlCondition {
  const t = new Translator(prefix);
  return { sql: t.node(n, subject, alias), params: t.params };
}

/**
 * accessCondition / fieldAccessCondition (field given) with bindings and a hoist, not cached: for a caller that
 * compiles a statement once and keeps it (the fast path).
 */
export function accessConditionWith(
  ability: AppAbility, action: Action, subject: string, alias: string, field: string | undefined, bound: RelationBindings, hoist: Hoist,
): SqlCondition {
  let source = ability;
  if (field !== undefined) {
    const rules = ability.rulesFor(action, subject as never, field);
    if (rules.length === 0) return { sql: 'FALSE', params: {} };
    source = createMongoAbility([...rules].reverse().map((r) => r.origin) as never) as AppAbility;
  }
  const ast = rulesToAST(source, action, subject as never) as Node | null;
  if (!ast) return { sql: 'FALSE', params: {} };
  const t = new Translator(prefixOf(field === undefined ? 'aclb' : 'aclfb', action, subject, alias, field), bound, hoist);
  return { sql: t.node(ast, subject, alias), params: t.params };
}

/** SQL text plus its named parameters, ready for TypeORM's `andWhere(sql, params)`. */
export interface SqlCondition {
  sql: string;
  params: Record<string, unknown>;
}

class Translator {
  private seq = 0;
  readonly params: Record<string, unknown> = {};

  /**
   * `bound`: to-one relation paths from the root subject (`case`, `child.case`) whose row is already a known row
   * of the statement (the alias given): a condition through such a path is written on that row instead of an
   * EXISTS. Only for paths that name exactly one row which IS that alias (see `RelationBindings`).
   */
  constructor(private readonly prefix: string, private readonly bound: RelationBindings = {}, private readonly hoist?: Hoist) {}

  /** Registers a parameter and returns its name (TypeORM spells it `:name`, or `:...name` for a list). */
  private param(value: unknown): string {
    const name = `${this.prefix}_${this.seq++}`;
    this.params[name] = value;
    return name;
  }

  private alias(): string {
    return `${this.prefix}_t${this.seq++}`;
  }

  /** `at`: the relation path from the root subject to `subject` ('' at the root, null inside an `$elemMatch`). */
  node(n: Node, subject: string, alias: string, at: string | null = ''): string {
    switch (n.operator) {
      case 'and':
      case 'or': {
        const parts = (n.value as Node[]).map((c) => this.node(c, subject, alias, at));
        if (parts.length === 0) return n.operator === 'and' ? 'TRUE' : 'FALSE';
        return `(${parts.join(n.operator === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not':
        return `NOT (${this.node((n.value as Node[])[0] ?? (n.value as Node), subject, alias, at)})`;
      default:
        return this.field(n, subject, alias, at);
    }
  }

  private field(n: Node, subject: string, alias: string, at: string | null): string {
    const meta = SUBJECTS[subject];
    if (!meta) throw new Error(`caslToSql: unknown subject ${subject}`);
    const path = String(n.field).split('.');
    const [head, ...rest] = path;
    const relation = meta.relations?.[head];
    if (relation) {
      const target = SUBJECTS[relation.target];
      const here = at === null ? null : at ? `${at}.${head}` : head;
      const boundTo = here !== null && relation.kind === 'one' && rest.length > 0 ? this.bound[here] : undefined;
      // `IS TRUE`: EXISTS over the one row is false, never null, where the condition on the row is null.
      if (boundTo !== undefined) return `(${this.field({ ...n, field: rest.join('.') }, relation.target, boundTo, here)}) IS TRUE`;
      if (this.hoist && rest.length === 0 && n.operator === 'elemMatch' && relation.kind === 'many') {
        const ref = this.hoist(subject, alias, head, n);
        if (ref !== undefined) return ref;
      }
      const inner = this.alias();
      let cond: string;
      if (rest.length > 0) {
        cond = this.field({ ...n, field: rest.join('.') }, relation.target, inner, here);
      } else if (n.operator === 'elemMatch' && relation.kind === 'many') {
        cond = this.node(n.value as Node, relation.target, inner, null);
      } else {
        throw new Error(`caslToSql: operator ${n.operator} is not supported on relation ${subject}.${head}`);
      }
      // Relations become EXISTS subqueries: a join would duplicate or (inner join) drop rows.
      return `EXISTS (SELECT 1 FROM ${target.table} ${inner} WHERE ${relation.on(alias, inner)} AND ${cond})`;
    }
    if (rest.length > 0) throw new Error(`caslToSql: ${subject}.${head} is not a relation`);
    const column = meta.columns[head];
    if (!column) throw new Error(`caslToSql: ${subject}.${head} has no column mapping`);
    const col = `${alias}.${column}`;
    const v = n.value;
    switch (n.operator) {
      case 'eq':
        return v === null ? `${col} IS NULL` : `${col} = :${this.param(v)}`;
      case 'ne':
        return v === null ? `${col} IS NOT NULL` : `${col} IS DISTINCT FROM :${this.param(v)}`;
      case 'in':
        return (v as unknown[]).length === 0 ? 'FALSE' : `${col} IN (:...${this.param(v)})`;
      case 'nin':
        return (v as unknown[]).length === 0 ? 'TRUE' : `${col} NOT IN (:...${this.param(v)})`;
      case 'lt': return `${col} < :${this.param(v)}`;
      case 'lte': return `${col} <= :${this.param(v)}`;
      case 'gt': return `${col} > :${this.param(v)}`;
      case 'gte': return `${col} >= :${this.param(v)}`;
      default:
        throw new Error(`caslToSql: operator ${n.operator} is not supported`);
    }
  }
}

/**
 * Compiled conditions per ability (abilities are immutable and shared by the requests of one principal, see
 * `abilityFor` in ability.ts), so that a rule set is translated once, not on every request.
 */
const compiled = new WeakMap<AppAbility, Map<string, SqlCondition>>();

function cached(ability: AppAbility, key: string, build: () => SqlCondition): SqlCondition {
  let byKey = compiled.get(ability);
  if (!byKey) compiled.set(ability, (byKey = new Map()));
  let cond = byKey.get(key);
  if (!cond) {
    cond = build();
    Object.freeze(cond.params);
    byKey.set(key, Object.freeze(cond));
  }
  return cond;
}

/**
 * The parameter and alias prefix of one condition: fixed by what it filters (action, subject, field, row
 * alias), never by a counter, so identical requests of the same role send identical SQL text and
 * PostgreSQL can reuse their plans (issue 11). Two conditions on one statement differ in subject, alias or
 * field; the same condition twice on a statement has the same values, so its parameters agree.
 */
function prefixOf(kind: 'acl' | 'aclf' | 'aclb' | 'aclfb', action: Action, subject: string, alias: string, field?: string): string {
  const safe = (x: string) => x.replace(/[^A-Za-z0-9]/g, '');
  return [kind, safe(action), safe(subject), ...(field === undefined ? [] : [safe(field)]), safe(alias)].join('_');
}

function translate(ability: AppAbility, action: Action, subject: string, alias: string, prefix: string): SqlCondition {
  const ast = rulesToAST(ability, action, subject as never) as Node | null;
  if (!ast) return { sql: 'FALSE', params: {} };
  const t = new Translator(prefix);
  return { sql: t.node(ast, subject, alias), params: t.params };
}

/**
 * Translates the rules of `ability` for `action` on `subject` into a SQL condition over the row aliased `alias`.
 * No matching rule means `FALSE`: a user with no grant gets no rows. The result is cached per ability and
 * must not be changed (it is frozen).
 */
export function accessCondition(ability: AppAbility, action: Action, subject: string, alias: string): SqlCondition {
  return cached(ability, `${action}|${subject}|${alias}`, () => translate(ability, action, subject, alias, prefixOf('acl', action, subject, alias)));
}

/**
 * Like accessCondition, but only the rules that grant `field`: the rows on which the reader may read that
 * field. A filter argument that tests a field adds this, so that it never tests a field the reader may not
 * read (a filter on a case's shares must not match through a SUMMARY share, which hides them).
 */
export function fieldAccessCondition(ability: AppAbility, action: Action, subject: string, field: string, alias: string): SqlCondition {
  return cached(ability, `${action}|${subject}|${alias}|${field}`, () => {
    const rules = ability.rulesFor(action, subject as never, field);
    if (rules.length === 0) return { sql: 'FALSE', params: {} };
    // rulesFor lists the rules by priority (last defined first); rebuild them in definition order.
    const only = createMongoAbility([...rules].reverse().map((r) => r.origin) as never) as AppAbility;
    return translate(only, action, subject, alias, prefixOf('aclf', action, subject, alias, field));
  });
}
