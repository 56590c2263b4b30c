import {
  getLocation, isNonNullType, isObjectType, Kind,
  type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLSchema, type SelectionSetNode, type SourceLocation,
} from 'graphql';
import type { AppAbility } from '../auth/ability';
import { fieldVerdict } from '../auth/access/whereAccessible';
import { accessCondition, accessConditionWith, elemMatchExists, type Node, type RelationBindings } from '../auth/caslToSql';
import { positionalSql } from '../db/rawRead';
import { candidateReaderSql } from '../auth/identification/traceAccess';
import { SENSITIVE_FIELDS } from '../auth/rules/fields';

/*
 * The compiled read path (issue 11): a `cases` page with its nested records compiled, once per parsed document,
 * operation and reader ability, into ONE SQL statement that builds the response's JSON, the way PostGraphile
 * does. Row visibility is the same CASL→SQL filter the loaders use (accessCondition); a field the rules grant
 * only on some rows ('check') is the SQL of the rules granting that field (fieldAccessCondition), evaluated per
 * row: the value is emitted only where it holds, and a hidden `$f` array tells the walker (walk.ts) where to put
 * the FORBIDDEN errors. Anything not listed here makes the compiler give up (null): the normal executor answers.
 */

/** A value the statement needs from the request (page sizes, the `after` cursor), filled in per request. */
export class RequestValue {
  constructor(readonly name: string) {}
}

/** What the walker does with the objects of one selection: count resolutions, place errors, go deeper. */
export interface WalkNode {
  typeName: string;
  /** Field resolutions graphql-js would make on one such object (every selected field but __typename). */
  resolutions: number;
  deny: ErrorSite[];
  /** In the order of the object's `$f` array. */
  check: ErrorSite[];
  children: { key: string; node: WalkNode }[];
}

export interface ErrorSite {
  key: string;
  message: string;
  locations: SourceLocation[];
}

/** One `events` selection: where its arguments come from and the names of its values. */
export interface EventsSelection {
  node: FieldNode;
  def: GraphQLField<unknown, unknown>;
  limit: RequestValue;
  limitPlusOne: RequestValue;
}

export interface CompiledStatement {
  sql: string;
  /** Positional values: constants (the rules' values) or RequestValues. */
  values: unknown[];
  walk: WalkNode;
  events: EventsSelection[];
}

const SENSITIVE = new Set(Object.entries(SENSITIVE_FIELDS).flatMap(([type, fields]) => fields.map((f) => `${type}.${f}`)));

/** A timestamp as the DateTimeISO scalar writes a JavaScript Date (toISOString: UTC, milliseconds, truncated as pg and Date truncate). */
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** A case cursor as CaseService encodes it: base64url of `createdAt.toISOString()|id`. */
const caseCursor = (a: string) => `translate(encode(convert_to(${iso(`${a}.created_at`)} || '|' || ${a}.id::text, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;

/** Scalar fields read straight off a column, as the normal path hands them to graphql-js (dates as text, as rawRead casts them). */
/** A column of the row aliased `a`, optionally cast; a timestamp column as `iso` writes it. */
const col = (column: string, cast = '') => (a: string) => `${a}.${column}${cast}`;
const time = (column: string) => (a: string) => iso(`${a}.${column}`);

const SCALARS: Record<string, Record<string, (a: string) => string>> = {
  Case: {
    id: col('id'),
    status: col('status'),
    closeReason: col('close_reason'),
    priority: col('priority'),
    deportationDate: col('deportation_date', '::text'),
    deportedFrom: col('deported_from'),
    lastKnownCountry: col('last_known_country'),
    lastKnownRegion: col('last_known_region'),
    lastKnownFacility: col('last_known_facility'),
    createdAt: time('created_at'),
  },
  Child: {
    id: col('id'),
    givenName: col('given_name'),
    familyName: col('family_name'),
    patronymic: col('patronymic'),
    latinName: col('latin_name'),
    aliases: col('aliases'),
    birthDate: col('birth_date', '::text'),
    birthDatePrecision: col('birth_date_precision'),
    sex: col('sex'),
    placeOfBirth: col('place_of_birth'),
    homeOblast: col('home_oblast'),
    languages: col('languages'),
    createdAt: time('created_at'),
  },
  Guardian: {
    id: col('id'),
    relation: col('relation'),
    name: col('name'),
    verified: col('verified'),
  },
  Organization: {
    id: col('id'),
    name: col('name'),
    kind: col('kind'),
    country: col('country'),
  },
  CaseShare: {
    access: col('access'),
    createdAt: time('created_at'),
  },
  CaseEvent: {
    kind: col('kind'),
    from: col('from_status'),
    to: col('to_status'),
    note: col('note'),
    at: time('at'),
  },
};

/** The types whose fields the default field guard checks (entity-backed records). */
const RECORD_TYPES = new Set(Object.keys(SCALARS));

/** The alias of the page's case rows. */
const PAGE = 'p';

/** Gives up compiling: the normal executor answers. */
class Unsupported extends Error {}
const unsupported = (why: string): never => {
  throw new Unsupported(why);
};

/** A FROM item of the statement: the row alias that objects are built on, and lateral checks attached to it. */
interface Scope {
  alias: string;
  laterals: string[];
  /**
   * The rows this scope's row's to-one relations name, when they are rows of the statement already (see
   * RelationBindings): a child reached from case `p` has `{ case: 'p' }` (case_file.child_id is unique), its
   * guardians `{ child: 'ch3', 'child.case': 'p' }` (guardian.child_id = ch3.id), an event of `p` `{ case: 'p' }`
   * (case_event.case_id = p.id). Rules through those relations are then conditions on the known row.
   */
  bound?: RelationBindings;
}

export class Compiler {
  private readonly params: Record<string, unknown> = {};
  private seq = 0;
  /** Facts of the page's case row (`$elemMatch` EXISTS over its shares), computed once per row in a lateral: key → reference. */
  private readonly facts = new Map<string, string>();
  private readonly factColumns: string[] = [];
  readonly events: EventsSelection[] = [];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly ability: AppAbility,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
  ) {}

  private next(base: string): string {
    return `${base}${this.seq++}`;
  }

  private param(name: string, value: unknown): string {
    this.params[name] = value;
    return `:${name}`;
  }

  private acl(subject: string, alias: string, bound: RelationBindings = {}): string {
    if (this.ability.rulesFor('read', subject as never).some((r) => r.inverted)) unsupported(`inverted rules on ${subject}`);
    // Nothing bound and not the page row (the page's own filter, totalCount): the loaders' cached condition.
    const c = Object.keys(bound).length === 0 && alias !== PAGE
      ? accessCondition(this.ability, 'read', subject, alias)
      : accessConditionWith(this.ability, 'read', subject, alias, undefined, bound, this.hoist);
    Object.assign(this.params, c.params);
    return c.sql;
  }

  private fieldAcl(subject: string, field: string, alias: string, bound: RelationBindings = {}): string {
    const c = accessConditionWith(this.ability, 'read', subject, alias, field, bound, this.hoist);
    Object.assign(this.params, c.params);
    return c.sql;
  }

  /**
   * An `$elemMatch` on the page's case row (the reader's share of the case, FULL or SUMMARY) is the same EXISTS
   * wherever a rule asks it (the case's field checks, its child's, guardians' and events' rules once bound to the
   * case): computed once per case row in the lateral `p_x` and referenced. Identical conditions (same CASL AST
   * node, values included) share one column.
   */
  private readonly hoist = (subject: string, alias: string, relation: string, n: Node): string | undefined => {
    if (alias !== PAGE) return undefined;
    const key = JSON.stringify([subject, relation, n]);
    let ref = this.facts.get(key);
    if (ref === undefined) {
      const name = `x${this.factColumns.length}`;
      const c = elemMatchExists(subject, alias, n, `fx_${alias}_${name}`);
      Object.assign(this.params, c.params);
      this.factColumns.push(`${c.sql} AS ${name}`);
      ref = `${PAGE}_x.${name}`;
      this.facts.set(key, ref);
    }
    return ref;
  };

  /** The fields of a selection set in graphql-js's order, through fragments on this very type; no directives, no repeated keys. */
  private collect(set: SelectionSetNode | undefined, typeName: string): FieldNode[] {
    if (!set) return unsupported('no selection set');
    const out: FieldNode[] = [];
    const keys = new Set<string>();
    const walk = (s: SelectionSetNode, seen: Set<string>) => {
      for (const sel of s.selections) {
        if (sel.directives?.length) unsupported('directive');
        if (sel.kind === Kind.FIELD) {
          const key = sel.alias?.value ?? sel.name.value;
          if (keys.has(key)) unsupported('repeated response key');
          keys.add(key);
          out.push(sel);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          if (sel.typeCondition && sel.typeCondition.name.value !== typeName) unsupported('fragment on another type');
          walk(sel.selectionSet, seen);
        } else {
          const frag = this.fragments[sel.name.value];
          if (!frag || frag.directives?.length || frag.typeCondition.name.value !== typeName || seen.has(sel.name.value)) unsupported('fragment');
          walk(frag.selectionSet, new Set([...seen, sel.name.value]));
        }
      }
    };
    walk(set, new Set());
    return out;
  }

  /** Whether rows of `typeName` can never appear in this statement for this reader. */
  private unreachable(typeName: string): boolean {
    const none = (t: string) => this.ability.rulesFor('read', t as never).length === 0;
    if (none('Case')) return true;
    return (typeName === 'Child' || typeName === 'Guardian' || typeName === 'CaseEvent') && none(typeName)
      || (typeName === 'Guardian' && none('Child'));
  }

  private fieldDef(typeName: string, node: FieldNode): GraphQLField<unknown, unknown> {
    const type = this.schema.getType(typeName);
    const def = isObjectType(type) ? type.getFields()[node.name.value] : undefined;
    return def ?? unsupported(`unknown field ${typeName}.${node.name.value}`);
  }

  /**
   * `Child.aliases` as ChildResolver.aliases gives them (src/auth/identification/traceAccess.ts): the spellings that
   * came from confirmed traces (`trace_aliases`) only where the reader may read the child's match candidates, the
   * MatchCandidate rule evaluated on this child (bound to the row, and to its case when that is bound).
   */
  private childAliases(scope: Scope): string {
    const a = scope.alias;
    if (this.ability.rulesFor('read', 'MatchCandidate' as never).some((r) => r.inverted)) unsupported('inverted rules on MatchCandidate');
    const bound: RelationBindings = scope.bound?.case !== undefined ? { 'child.case': scope.bound.case } : {};
    const c = candidateReaderSql(this.ability, a, { alias: this.next(`${a}_mc`), bound, hoist: this.hoist });
    Object.assign(this.params, c.params);
    const withoutTraces = `ARRAY(SELECT x FROM unnest(${a}.aliases) WITH ORDINALITY AS u(x, i) WHERE NOT (x = ANY(${a}.trace_aliases)) ORDER BY i)`;
    return `CASE WHEN ${a}.trace_aliases = '{}' OR ${c.sql} THEN ${a}.aliases ELSE ${withoutTraces} END`;
  }

  private site(typeName: string, node: FieldNode): ErrorSite {
    if (!node.loc) return unsupported('no locations');
    return { key: node.alias?.value ?? node.name.value, message: `Not allowed to read ${typeName}.${node.name.value}`, locations: [getLocation(node.loc.source, node.loc.start)] };
  }

  /**
   * The JSON object of one selection on `typeName` built on the row of `scope`. `valueOf` gives the SQL of a field
   * that is not a plain column (relations, connections); fields of a record type pass the field guard's verdict.
   */
  private object(typeName: string, scope: Scope, set: SelectionSetNode | undefined, valueOf: (node: FieldNode, def: GraphQLField<unknown, unknown>, walk: WalkNode) => string | null): { sql: string; walk: WalkNode } {
    const walk: WalkNode = { typeName, resolutions: 0, deny: [], check: [], children: [] };
    const parts: string[] = [];
    const checks: string[] = [];
    const record = RECORD_TYPES.has(typeName);
    // The lateral holding this object's per-row field checks (named now: building values below moves `seq` on).
    const lateral = `${scope.alias}_f${this.seq++}`;
    for (const node of this.collect(set, typeName)) {
      const key = node.alias?.value ?? node.name.value;
      const name = node.name.value;
      if (name === '__typename') {
        parts.push(`'${key}', '${typeName}'::text`);
        continue;
      }
      walk.resolutions++;
      const def = this.fieldDef(typeName, node);
      if (SENSITIVE.has(`${typeName}.${name}`)) unsupported('sensitive field (audited reads)');
      // A type no rule lets the reader read has no rows here (every record below a case comes through its case),
      // so its fields are never resolved: what they would say does not matter.
      const verdict = record && !this.unreachable(typeName) ? fieldVerdict(this.ability, typeName, name) : 'allow';
      if (verdict !== 'allow' && isNonNullType(def.type)) unsupported('a hidden non-null field (null propagation)');
      if (verdict === 'deny') {
        walk.deny.push(this.site(typeName, node));
        parts.push(`'${key}', NULL`);
        continue;
      }
      let value: string | null;
      const column = SCALARS[typeName]?.[name];
      if (typeName === 'Child' && name === 'aliases') {
        if (node.arguments?.length || node.selectionSet) unsupported('arguments on a scalar');
        value = this.childAliases(scope);
      } else if (column) {
        if (node.arguments?.length || node.selectionSet) unsupported('arguments on a scalar');
        value = column(scope.alias);
      } else {
        value = valueOf(node, def, walk);
      }
      if (value === null) return unsupported(`field ${typeName}.${name}`);
      if (verdict === 'check') {
        walk.check.push(this.site(typeName, node));
        checks.push(this.fieldAcl(typeName, name, scope.alias, scope.bound));
        value = `CASE WHEN ${lateral}.k${checks.length - 1} THEN ${value} END`;
      }
      parts.push(`'${key}', ${value}`);
    }
    if (checks.length) {
      // OFFSET 0 keeps the planner from pulling the checks up into both places that read them (the value and `$f`),
      // which would evaluate each EXISTS twice per row.
      scope.laterals.push(`CROSS JOIN LATERAL (SELECT ${checks.map((c, i) => `(${c}) AS k${i}`).join(', ')} OFFSET 0) ${lateral}`);
      parts.push(`'$f', json_build_array(${checks.map((_c, i) => `${lateral}.k${i}`).join(', ')})`);
    }
    return { sql: parts.length ? `json_build_object(${parts.join(', ')})` : `json_build_object()`, walk };
  }

  private child(walk: WalkNode, node: FieldNode, childWalk: WalkNode): void {
    walk.children.push({ key: node.alias?.value ?? node.name.value, node: childWalk });
  }

  private noArgs(node: FieldNode): void {
    if (node.arguments?.length) unsupported('arguments');
  }

  /** A relation's object, one row: `(SELECT obj FROM table a … WHERE join AND filter)` (null when none). */
  private one(typeName: string, table: string, join: (a: string) => string, filter: boolean, node: FieldNode, walk: WalkNode, bind: (a: string) => RelationBindings = () => ({})): string {
    const r = this.related(typeName, table, join, filter, node, walk, bind);
    return `(SELECT ${r.obj} FROM ${r.from} WHERE ${r.where})`;
  }

  /** What one and many share: the related table's alias and object, its FROM (with laterals) and WHERE (join, row filter). */
  private related(typeName: string, table: string, join: (a: string) => string, filter: boolean, node: FieldNode, walk: WalkNode, bind: (a: string) => RelationBindings): { alias: string; obj: string; from: string; where: string } {
    this.noArgs(node);
    const alias = this.next(table.slice(0, 2));
    const scope: Scope = { alias, laterals: [], bound: bind(alias) };
    const obj = this.record(typeName, scope, node);
    this.child(walk, node, obj.walk);
    const where = [join(scope.alias), ...(filter ? [this.acl(typeName, scope.alias, scope.bound)] : [])];
    return { alias: scope.alias, obj: obj.sql, from: `${table} ${scope.alias} ${scope.laterals.join(' ')}`, where: where.join(' AND ') };
  }

  /** A relation's list: `COALESCE((SELECT json_agg(obj ORDER BY …) FROM table a … WHERE …), '[]')`. */
  private many(typeName: string, table: string, join: (a: string) => string, filter: boolean, orderBy: (a: string) => string, node: FieldNode, walk: WalkNode, bind: (a: string) => RelationBindings = () => ({})): string {
    const r = this.related(typeName, table, join, filter, node, walk, bind);
    const order = orderBy(r.alias);
    return `COALESCE((SELECT json_agg(${r.obj}${order ? ` ORDER BY ${order}` : ''}) FROM ${r.from} WHERE ${r.where}), '[]'::json)`;
  }

  private record(typeName: string, scope: Scope, node: FieldNode): { sql: string; walk: WalkNode } {
    return this.object(typeName, scope, node.selectionSet, (field, def, walk) => this.relation(typeName, scope, field, def, walk));
  }

  /** Relations and connections below a record. */
  private relation(typeName: string, scope: Scope, node: FieldNode, _def: GraphQLField<unknown, unknown>, walk: WalkNode): string | null {
    const a = scope.alias;
    const orgs = () => this.ability.can('read', 'Organization') || unsupported('organizations unreadable');
    switch (`${typeName}.${node.name.value}`) {
      case 'Case.child':
        // Child.case is `case_file.child_id = child.id` and case_file.child_id is unique: this child's case is `a`.
        return this.one('Child', 'child', (x) => `${x}.id = ${a}.child_id`, true, node, walk, () => ({ case: a }));
      case 'Case.leadOrganization':
        orgs();
        return this.one('Organization', 'organization', (x) => `${x}.id = ${a}.lead_organization_id`, false, node, walk);
      case 'Case.shares':
        // As the case's access facts list them (all shares of the case, in the statement's order; the field guard decides).
        return this.many('CaseShare', 'case_share', (x) => `${x}.case_id = ${a}.id`, false, () => '', node, walk);
      case 'CaseShare.organization':
        orgs();
        return this.one('Organization', 'organization', (x) => `${x}.id = ${a}.organization_id`, false, node, walk);
      case 'Child.guardians':
        // Guardian.child is `child.id = guardian.child_id`, here `a`; and `a`'s case, when bound, is the guardian's child's case.
        return this.many('Guardian', 'guardian', (x) => `${x}.child_id = ${a}.id`, true, (x) => `${x}.created_at, ${x}.id`, node, walk,
          () => ({ child: a, ...(scope.bound?.case !== undefined ? { 'child.case': scope.bound.case } : {}) }));
      case 'Case.events':
        return this.caseEvents(scope, node, _def, walk);
      default:
        return null;
    }
  }

  /** `Case.events(first)`: the newest events through the event read filter, plus one to tell whether more follow. */
  private caseEvents(parent: Scope, node: FieldNode, def: GraphQLField<unknown, unknown>, walk: WalkNode): string {
    for (const arg of node.arguments ?? []) if (arg.name.value !== 'first' && arg.name.value !== 'after') unsupported('events argument');
    const n = this.seq++;
    const sel: EventsSelection = { node, def, limit: new RequestValue(`fp_ev${n}_limit`), limitPlusOne: new RequestValue(`fp_ev${n}_limit1`) };
    this.events.push(sel);
    const scope: Scope = { alias: `ev${n}`, laterals: [], bound: { case: parent.alias } };
    const lim = this.param(sel.limit.name, sel.limit);
    const conn = this.connection('CaseEventConnection', 'CaseEventEdge', 'CaseEvent', scope, node, walk, lim, () => null);
    return `(SELECT ${conn} FROM (SELECT e.*, row_number() OVER (ORDER BY e.id DESC) AS fp_n FROM case_event e
              WHERE e.case_id = ${parent.alias}.id AND ${this.acl('CaseEvent', 'e', { case: parent.alias })}
              ORDER BY e.id DESC LIMIT ${this.param(sel.limitPlusOne.name, sel.limitPlusOne)}) ${scope.alias} ${scope.laterals.join(' ')})`;
  }

  /**
   * A connection over the rows of `scope` (numbered `fp_n` in page order, one more than the page to tell whether
   * more follow), as an aggregate: edges of the first `lim`, pageInfo. `cursor` gives an edge's cursor SQL (null:
   * not supported).
   */
  private connection(
    connType: string, edgeType: string, nodeType: string, scope: Scope, node: FieldNode, parentWalk: WalkNode, lim: string,
    cursor: (a: string) => string | null, totalCount: () => string | null = () => null,
  ): string {
    const inPage = `${scope.alias}.fp_n <= ${lim}`;
    const conn = this.object(connType, scope, node.selectionSet, (field, _d, walk) => {
      this.noArgs(field);
      switch (field.name.value) {
        case 'edges': {
          const edge = this.object(edgeType, scope, field.selectionSet, (ef, _ed, edgeWalk) => {
            this.noArgs(ef);
            if (ef.name.value === 'cursor') return cursor(scope.alias);
            if (ef.name.value !== 'node') return null;
            const rec = this.record(nodeType, scope, ef);
            this.child(edgeWalk, ef, rec.walk);
            return rec.sql;
          });
          this.child(walk, field, edge.walk);
          return `COALESCE(json_agg(${edge.sql} ORDER BY ${scope.alias}.fp_n) FILTER (WHERE ${inPage}), '[]'::json)`;
        }
        case 'pageInfo': {
          const info = this.object('PageInfo', scope, field.selectionSet, (pf) => {
            this.noArgs(pf);
            if (pf.name.value === 'hasNextPage') return `count(*) > ${lim}`;
            if (pf.name.value !== 'endCursor') return null;
            const c = cursor(scope.alias);
            return c === null ? null : `(array_agg(${c} ORDER BY ${scope.alias}.fp_n DESC) FILTER (WHERE ${inPage}))[1]`;
          });
          this.child(walk, field, info.walk);
          return info.sql;
        }
        case 'totalCount':
          return totalCount();
        default:
          return null;
      }
    });
    parentWalk.children.push({ key: node.alias?.value ?? node.name.value, node: conn.walk });
    return conn.sql;
  }

  /** `Query.cases(first, after)`: the whole statement. `withAfter`: the request has an `after` cursor. */
  compileCases(node: FieldNode, withAfter: boolean, rootWalk: WalkNode): { sql: string; values: unknown[] } {
    for (const arg of node.arguments ?? []) if (arg.name.value !== 'first' && arg.name.value !== 'after') unsupported('cases argument');
    const scope: Scope = { alias: PAGE, laterals: [] };
    const lim = this.param('fp_limit', new RequestValue('fp_limit'));
    // totalCount as CaseService counts it: every case the reader may see, the cursor left out.
    const count = () => `(SELECT COUNT(*)::int FROM case_file tc WHERE ${this.acl('Case', 'tc')})`;
    const conn = this.connection('CaseConnection', 'CaseEdge', 'Case', scope, node, rootWalk, lim, caseCursor, count);
    const where = [this.acl('Case', 'c')];
    if (withAfter) where.push(`(c.created_at, c.id) < (${this.param('fp_after_at', new RequestValue('fp_after_at'))}::timestamptz, ${this.param('fp_after_id', new RequestValue('fp_after_id'))}::uuid)`);
    // OFFSET 0: computed once per case row, not pulled up into every place that reads it.
    const facts = this.factColumns.length ? `CROSS JOIN LATERAL (SELECT ${this.factColumns.join(', ')} OFFSET 0) ${PAGE}_x` : '';
    const text = `SELECT /* bkb fast path */ ${conn} AS r
      FROM (SELECT c.*, row_number() OVER (ORDER BY c.created_at DESC, c.id DESC) AS fp_n FROM case_file c
             WHERE ${where.join(' AND ')} ORDER BY c.created_at DESC, c.id DESC LIMIT ${this.param('fp_limit1', new RequestValue('fp_limit1'))}) ${PAGE} ${facts} ${scope.laterals.join(' ')}`;
    return positionalSql(text, this.params, 1);
  }

  static isUnsupported(e: unknown): boolean {
    return e instanceof Unsupported;
  }
}
