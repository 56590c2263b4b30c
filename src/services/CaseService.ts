import { subject } from '@casl/ability';
import type { Action } from '../auth/ability';
import { audit, flushAudit } from '../audit/audit';
import { transactional, type Context } from '../context';
import { Case, CaseEvent, CaseShare, Child, Guardian, Organization } from '../entities';
import { badInput, conflict, forbidden, invalidTransition, notFound, unauthenticated } from '../errors';
import { CaseEventKind, CaseStatus, CloseReason } from '../schema/enums';
import type {
  CaseFilter, ChangeCaseStatusInput, ReportChildInput, ShareCaseInput, UnshareCaseInput, UpdateCaseInput, UpdateChildInput,
} from '../schema/inputs';
import { lazyEdge, lazyPageInfo, type CaseConnection, type CaseEventConnection } from '../schema/payloads';
import { allowedTransitions } from './caseLifecycle';
import { afterCaseTransition, assertCaseTransitionAllowed } from './returns/caseTransitions';
import { caseFactsOf, loadAccessFacts, type AccessFacts } from '../auth/access/accessFacts';
import { readableFieldFilter, whereAccessible } from '../auth/access/whereAccessible';
import { accessCondition } from '../auth/caslToSql';
import { candidateReaderSql } from '../auth/identification/traceAccess';
import { jsonColumns, jsonEntity, positionalSql, prefixedEntity, readRows, selectColumns } from '../db/rawRead';
import { searchTerms, searchText, transliterate } from './transliteration';
import { matchAfterChildChange } from './identification/childMatching';

/** Advisory lock key serializing the tail of event-writing transactions (ASCII "BKBEVT"). */
export const CASE_EVENT_ORDER_LOCK = '72891001820756';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertId(value: string, field: string): void {
  if (!UUID.test(value)) throw badInput(field, 'must be a UUID');
}

export function requireUser(ctx: Context) {
  if (!ctx.user || !ctx.principal) throw unauthenticated();
  return ctx.user;
}

/** Caps a page size: `first` defaults to `fallback`, must be 1..max. */
export function pageSize(first: number | null | undefined, fallback: number, max: number, field = 'first'): number {
  if (first === undefined || first === null) return fallback;
  if (!Number.isInteger(first) || first < 1) throw badInput(field, 'must be a positive integer');
  return Math.min(first, max);
}

function encodeCursor(parts: string[]): string {
  return Buffer.from(parts.join('|'), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, n: number, field: string): string[] {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== n || parts.some((p) => p.length === 0)) throw badInput(field, 'is not a cursor this API gave out');
  return parts;
}

/** A time exactly as this API writes it into cursors (toISOString), in years PostgreSQL accepts. */
function isCursorTime(at: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at) || at.startsWith('0000')) return false;
  const d = new Date(at);
  return !Number.isNaN(d.getTime()) && d.toISOString() === at;
}

export function childSearchText(c: Pick<Child, 'givenName' | 'familyName' | 'patronymic' | 'latinName' | 'aliases'>): string {
  return searchText([c.givenName, c.familyName, c.patronymic, c.latinName, ...(c.aliases ?? [])]);
}

/**
 * The search text without the aliases that came from confirmed traces, or null when the child has none (then it is
 * searchText): what name search matches for readers who may not read the child's match candidates.
 */
export function childOwnSearchText(c: Pick<Child, 'givenName' | 'familyName' | 'patronymic' | 'latinName' | 'aliases'> & { traceAliases?: string[] }): string | null {
  const fromTraces = c.traceAliases ?? [];
  if (!(c.aliases ?? []).some((a) => fromTraces.includes(a))) return null;
  return childSearchText({ ...c, aliases: c.aliases.filter((a) => !fromTraces.includes(a)) });
}

/** Case work: reporting children, reading and listing cases under CASL, the status lifecycle, sharing. */
export class CaseService {
  static async getCase(ctx: Context, id: string): Promise<Case | null> {
    requireUser(ctx);
    assertId(id, 'id');
    return ctx.loaders.case.load(id);
  }

  static async getChild(ctx: Context, id: string): Promise<Child | null> {
    requireUser(ctx);
    assertId(id, 'id');
    return ctx.loaders.child.load(id);
  }

  /** A page of the cases the reader may see, newest first, with the total count under the same filter. */
  static async listCases(
    ctx: Context, filter: CaseFilter | undefined, first: number | undefined, after: string | undefined,
    select: {
      totalCount?: boolean; leadOrganization?: boolean; child?: boolean; guardians?: boolean; shareOrganizations?: boolean;
      /** The arguments of every `events` selected on the page's cases (null when unreadable). */
      events?: Record<string, unknown>[] | null;
    } = { totalCount: true },
  ): Promise<CaseConnection> {
    requireUser(ctx);
    const limit = pageSize(first, 20, ctx.deps.config.maxPageSize);
    const ds = ctx.deps.dataSource;
    // The filter as TypeORM-style named conditions, sent as one positional statement (src/db/rawRead.ts): fixed
    // text per role and filter shape, no query builder, no entity hydration (issue 11).
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const and = (sql: string, p: Record<string, unknown> = {}) => {
      where.push(sql);
      Object.assign(params, p);
    };
    // A filter tests a field only where the reader may read it (else it would reveal the hidden value).
    const readable = (conds: string[], subject: string, fields: string[], alias: string) => {
      for (const field of fields) {
        const f = readableFieldFilter(ctx.ability, subject, field, alias);
        if (f) {
          conds.push(f.sql);
          Object.assign(params, f.params);
        }
      }
    };
    const statuses = [...(filter?.statuses ?? []), ...(filter?.status ? [filter.status] : [])];
    if (statuses.length > 0) and('c.status IN (:...statuses)', { statuses });
    if (filter?.leadOrganizationId) and('c.lead_organization_id = :lead', { lead: filter.leadOrganizationId });
    const caseConds: string[] = [];
    readable(caseConds, 'Case', [...(statuses.length ? ['status'] : []), ...(filter?.leadOrganizationId ? ['leadOrganization'] : [])], 'c');
    if (caseConds.length) and(caseConds.join(' AND '));
    if (filter?.homeOblast || filter?.search) {
      const conds: string[] = [];
      if (filter.homeOblast) {
        conds.push('ch.home_oblast = :oblast');
        params.oblast = filter.homeOblast;
        readable(conds, 'Child', ['homeOblast'], 'ch');
      }
      // The search text folds every spelling of the name: searching tests each of those fields.
      if (filter.search) readable(conds, 'Child', ['givenName', 'familyName', 'patronymic', 'latinName', 'aliases'], 'ch');
      // A spelling from a confirmed trace matches only for readers of the child's match candidates; the others match
      // the search text without it (search_text_own, NULL when the child has none). The index serves search_text.
      const ownOnly = filter.search ? candidateReaderSql(ctx.ability, 'ch') : null;
      if (ownOnly) Object.assign(params, ownOnly.params);
      searchTerms(filter.search ?? '').forEach((alternatives, i) => {
        const names = alternatives.map((alt, j) => {
          params[`q${i}_${j}`] = `%${alt.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
          return `q${i}_${j}`;
        });
        const own = names.map((n) => `ch.search_text_own LIKE :${n}`).join(' OR ');
        conds.push(`(${names.map((n) => `ch.search_text LIKE :${n}`).join(' OR ')})`);
        if (ownOnly?.sql !== 'TRUE') conds.push(`(ch.search_text_own IS NULL OR ${own} OR ${ownOnly!.sql})`);
      });
      and(`EXISTS (SELECT 1 FROM child ch WHERE ch.id = c.child_id AND ${conds.join(' AND ')})`);
    }
    const acl = accessCondition(ctx.ability, 'read', 'Case', 'c');
    and(acl.sql, acl.params);
    // Left out when not selected: GraphQL never reads it then (the field is only resolved when asked for).
    let totalCount = undefined as unknown as number;
    if (select.totalCount !== false) {
      const count = positionalSql(`SELECT COUNT(*)::int AS n FROM case_file c WHERE ${where.join(' AND ')}`, params, 1);
      totalCount = (await readRows<{ n: number }>(ds, count.sql, count.values))[0].n;
    }
    if (after) {
      const [at, id] = decodeCursor(after, 2, 'after');
      if (!isCursorTime(at) || !UUID.test(id)) throw badInput('after', 'is not a cursor this API gave out');
      and('(c.created_at, c.id) < (:at::timestamptz, :cid::uuid)', { at, cid: id });
    }
    // What the query selects below a case rides along in the page's statement, to-one joins (one row per case,
    // so LIMIT stays exact) and JSON for the shares, and fills the loaders the resolvers read:
    // the lead organization and the organizations of the shares (organization loader: every organization or
    // none, so only for a reader it would answer), the child (through the child's own read filter, as the child
    // loader reads it) and its guardians (through theirs), and the case's access facts (what the field guard and
    // `shares` read).
    const orgs = ctx.ability.can('read', 'Organization');
    const withLead = select.leadOrganization === true && orgs;
    const withShareOrgs = select.shareOrganizations === true && orgs;
    const withChild = select.child === true;
    const columns = [selectColumns(ds, Case, 'c')];
    const joins: string[] = [];
    if (withLead) {
      columns.push(selectColumns(ds, Organization, 'lo', 'lo.'));
      joins.push('LEFT JOIN organization lo ON lo.id = c.lead_organization_id');
    }
    const withGuardians = withChild && select.guardians === true;
    if (withChild) {
      const childAcl = accessCondition(ctx.ability, 'read', 'Child', 'ch');
      columns.push(selectColumns(ds, Child, 'ch', 'ch.'));
      joins.push(`LEFT JOIN child ch ON ch.id = c.child_id AND ${childAcl.sql}`);
      Object.assign(params, childAcl.params);
    }
    if (withGuardians) {
      // The guardians of a readable child, through the guardian read filter, in the guardian loader's order.
      const guardianAcl = accessCondition(ctx.ability, 'read', 'Guardian', 'g');
      columns.push(`(SELECT json_agg(${jsonColumns(ds, Guardian, 'g')} ORDER BY g.created_at, g.id) FROM guardian g
                      WHERE g.child_id = ch.id AND ${guardianAcl.sql}) AS page_guardians`);
      Object.assign(params, guardianAcl.params);
    }
    columns.push(`(SELECT COALESCE(json_agg(json_build_object('organizationId', s.organization_id, 'access', s.access, 'createdAt', s.created_at)), '[]')
                     FROM case_share s WHERE s.case_id = c.id) AS page_facts_shares`);
    if (withShareOrgs) {
      columns.push(`(SELECT json_agg(${jsonColumns(ds, Organization, 'so')}) FROM organization so
                      WHERE so.id IN (SELECT s.organization_id FROM case_share s WHERE s.case_id = c.id)) AS page_share_orgs`);
    }
    // The first events of each case when every selection of `events` asks the same first page (the usual
    // nested query): the same rows, in the same order, as the event loader's statement would read.
    const eventArgs = select.events ?? [];
    const eventsFirst = eventArgs[0]?.first ?? undefined;
    const withEvents = eventArgs.length > 0 && eventArgs.every((a) => a.first === eventArgs[0].first && (a.after ?? null) === null)
      && (eventsFirst === undefined || (Number.isInteger(eventsFirst) && (eventsFirst as number) >= 1));
    const eventsLimit = withEvents ? pageSize(eventsFirst as number | undefined, 10, ctx.deps.config.maxPageSize) : 0;
    if (withEvents) {
      const eventAcl = accessCondition(ctx.ability, 'read', 'CaseEvent', 'e');
      columns.push(`(SELECT json_agg(${jsonColumns(ds, CaseEvent, 'ev')} ORDER BY ev.id DESC)
                       FROM (SELECT e.* FROM case_event e WHERE e.case_id = c.id AND ${eventAcl.sql}
                              ORDER BY e.id DESC LIMIT :page_events_limit) ev) AS page_events`);
      Object.assign(params, eventAcl.params, { page_events_limit: eventsLimit + 1 });
    }
    const page = positionalSql(
      `SELECT ${columns.join(', ')} FROM case_file c ${joins.join(' ')} WHERE ${where.join(' AND ')}
        ORDER BY c.created_at DESC, c.id DESC LIMIT :page_limit`,
      { ...params, page_limit: limit + 1 }, 1,
    );
    const raw = await readRows<Record<string, unknown> & {
      page_facts_shares: AccessFacts['shares']; page_share_orgs?: Record<string, unknown>[] | null; page_guardians?: Record<string, unknown>[] | null;
      page_events?: Record<string, unknown>[] | null;
    }>(ds, page.sql, page.values);
    const nodes: Case[] = [];
    for (const row of raw.slice(0, limit)) {
      const c = prefixedEntity(ds, Case, row, '')!;
      nodes.push(c);
      if (withLead) {
        const lead = prefixedEntity(ds, Organization, row, 'lo.');
        if (lead) ctx.loaders.organization.prime(c.leadOrganizationId, lead);
      }
      if (withShareOrgs) {
        for (const o of row.page_share_orgs ?? []) {
          const org = jsonEntity(ds, Organization, o);
          ctx.loaders.organization.prime(org.id, org);
        }
      }
      if (withChild) {
        const child = prefixedEntity(ds, Child, row, 'ch.');
        ctx.loaders.child.prime(c.childId, child);
        if (withGuardians && child) ctx.loaders.guardiansByChild.prime(child.id, (row.page_guardians ?? []).map((g) => jsonEntity(ds, Guardian, g)));
      }
      if (withEvents) {
        ctx.loaders.eventPage.prime({ caseId: c.id, first: eventsLimit }, (row.page_events ?? []).map((e) => jsonEntity(ds, CaseEvent, e)));
      }
      ctx.loaders.case.prime(c.id, c);
      const facts: AccessFacts = { caseId: c.id, childId: c.childId, leadOrganizationId: c.leadOrganizationId, shares: row.page_facts_shares };
      ctx.loaders.accessFacts.prime(c.childId, facts);
      ctx.loaders.accessFactsByCase.prime(c.id, facts);
    }
    const cursorOf = (node: Case) => encodeCursor([node.createdAt.toISOString(), node.id]);
    const edges = nodes.map((node) => lazyEdge(node, cursorOf));
    return { edges, totalCount, pageInfo: lazyPageInfo(raw.length > limit, nodes.at(-1), cursorOf) };
  }

  /** A page of a case's history, newest first (one statement for all cases on the page). */
  static async caseEvents(ctx: Context, c: Case, first: number | undefined, after: string | undefined): Promise<CaseEventConnection> {
    const limit = pageSize(first, 10, ctx.deps.config.maxPageSize);
    let before: string | undefined;
    if (after) {
      // Event cursors are opaque event ids (see auth/eventIds.ts): a page of one case's history shows nothing of others.
      const id = ctx.deps.tokens.eventIds.decode(after);
      if (id === null) throw badInput('after', 'is not a cursor this API gave out');
      before = id.toString();
    }
    const rows = await ctx.loaders.eventPage.load({ caseId: c.id, first: limit, before });
    const page = rows.slice(0, limit);
    const cursorOf = (node: CaseEvent) => ctx.deps.tokens.eventIds.encode(node.id);
    const edges = page.map((node) => lazyEdge(node, cursorOf));
    return { edges, pageInfo: lazyPageInfo(rows.length > limit, page.at(-1), cursorOf) };
  }

  /** Reports a child: the child, its guardians and a case in REPORTED led by the reporter's organization. */
  static async reportChild(ctx: Context, input: ReportChildInput): Promise<Case> {
    const user = requireUser(ctx);
    if (!ctx.ability.can('create', 'Case') || !ctx.ability.can('create', 'Child')) throw forbidden('Your roles may not report children');
    const created = await transactional(ctx, async (tx) => {
      const latinName = input.latinName ?? transliterate([input.givenName, input.patronymic, input.familyName].filter(Boolean).join(' '));
      const child = tx.em.create(Child, {
        givenName: input.givenName.trim(),
        familyName: input.familyName.trim(),
        patronymic: input.patronymic?.trim() || null,
        latinName,
        aliases: input.aliases ?? [],
        birthDate: input.birthDate,
        birthDatePrecision: input.birthDatePrecision,
        sex: input.sex,
        placeOfBirth: input.placeOfBirth ?? null,
        homeOblast: input.homeOblast ?? null,
        languages: input.languages ?? [],
        currentLocation: input.currentLocation ?? null,
        healthNotes: input.healthNotes ?? null,
      });
      child.searchText = childSearchText(child);
      await tx.em.save(child);
      await matchAfterChildChange(tx, child.id);
      if (input.guardians?.length) {
        await tx.em.insert(Guardian, input.guardians.map((g) => ({ childId: child.id, relation: g.relation, name: g.name, contact: g.contact ?? null, verified: g.verified ?? false })));
      }
      const c = tx.em.create(Case, {
        childId: child.id,
        status: CaseStatus.REPORTED,
        priority: input.priority,
        leadOrganizationId: user.organizationId,
        deportationDate: input.deportationDate ?? null,
        deportedFrom: input.deportedFrom ?? null,
        deportationCircumstances: input.deportationCircumstances ?? null,
        lastKnownCountry: input.lastKnownCountry ?? null,
        lastKnownRegion: input.lastKnownRegion ?? null,
        lastKnownFacility: input.lastKnownFacility ?? null,
        createdById: user.id,
      });
      await tx.em.save(c);
      audit(tx, { operation: 'CREATE', entityType: 'Child', entityId: child.id, fields: Object.keys(input).filter((k) => k !== 'guardians' && k !== 'priority' && !k.startsWith('deport') && !k.startsWith('lastKnown')).sort(), values: child });
      if (input.guardians?.length) audit(tx, { operation: 'CREATE', entityType: 'Guardian', entityId: child.id, fields: ['guardians'], values: input.guardians });
      audit(tx, { operation: 'CREATE', entityType: 'Case', entityId: c.id, fields: ['status', 'priority', 'leadOrganizationId', ...Object.keys(input).filter((k) => k.startsWith('deport') || k.startsWith('lastKnown')).sort()], values: c });
      await CaseService.recordEvent(tx, c, CaseEventKind.CREATED, null, c.status, null);
      return CaseService.readBack(tx, c.id);
    });
    return CaseService.primed(ctx, created);
  }

  /** Moves a case along its lifecycle, refusing transitions it does not allow and stale versions. */
  static async changeStatus(ctx: Context, input: ChangeCaseStatusInput): Promise<Case> {
    requireUser(ctx);
    if (input.status === CaseStatus.CLOSED && !input.closeReason) throw badInput('input.closeReason', 'is required when closing a case');
    if (input.status !== CaseStatus.CLOSED && input.closeReason) throw badInput('input.closeReason', 'is only for closing a case');
    const written = await transactional(ctx, async (tx) => {
      const c = await CaseService.lockForWrite(tx, input.caseId, 'changeStatus', input.expectedVersion);
      const closedFrom = c.status === CaseStatus.CLOSED ? await CaseService.closedFrom(tx, c.id) : null;
      const allowed = allowedTransitions(c.status, closedFrom);
      if (!allowed.includes(input.status)) throw invalidTransition(c.status, input.status, allowed);
      await assertCaseTransitionAllowed(tx, c, input.status);
      const from = c.status;
      await tx.em.update(Case, { id: c.id }, {
        status: input.status,
        closeReason: input.status === CaseStatus.CLOSED ? (input.closeReason as CloseReason) : null,
        version: c.version + 1,
      });
      await afterCaseTransition(tx, c, from, input.status);
      audit(tx, { operation: 'CHANGE_STATUS', entityType: 'Case', entityId: c.id, fields: ['status', 'closeReason', 'note'], values: { from, to: input.status, closeReason: input.closeReason ?? null, note: input.note ?? null } });
      await CaseService.recordEvent(tx, c, CaseEventKind.STATUS_CHANGED, from, input.status, input.note ?? null);
      return CaseService.readBack(tx, c.id);
    });
    // The answer is what the transaction wrote: once it has committed, a failing reload must not tell the
    // client that the change failed.
    return CaseService.primed(ctx, written);
  }

  /** Updates the deportation record and priority of a case. */
  static async updateCase(ctx: Context, input: UpdateCaseInput): Promise<Case> {
    requireUser(ctx);
    const fields = ['priority', 'deportationDate', 'deportedFrom', 'deportationCircumstances', 'lastKnownCountry', 'lastKnownRegion', 'lastKnownFacility'] as const;
    const changes: Partial<Case> = {};
    for (const f of fields) if (input[f] !== undefined) (changes as Record<string, unknown>)[f] = input[f];
    if (changes.priority === null) throw badInput('input.priority', 'cannot be null');
    if (Object.keys(changes).length === 0) throw badInput('input', 'names no field to change');
    const written = await transactional(ctx, async (tx) => {
      const c = await CaseService.lockForWrite(tx, input.caseId, 'update', input.expectedVersion);
      await tx.em.update(Case, { id: c.id }, { ...changes, version: c.version + 1 });
      audit(tx, { operation: 'UPDATE', entityType: 'Case', entityId: c.id, fields: Object.keys(changes).sort(), values: changes });
      await CaseService.recordEvent(tx, c, CaseEventKind.UPDATED, c.status, c.status, input.note ?? null);
      return CaseService.readBack(tx, c.id);
    });
    return CaseService.primed(ctx, written);
  }

  /** Updates a child's record; the child has its own version. */
  static async updateChild(ctx: Context, input: UpdateChildInput): Promise<Child> {
    requireUser(ctx);
    const fields = ['givenName', 'familyName', 'patronymic', 'latinName', 'aliases', 'sex', 'birthDate', 'birthDatePrecision', 'placeOfBirth', 'homeOblast', 'languages', 'currentLocation', 'healthNotes'] as const;
    const changes: Record<string, unknown> = {};
    for (const f of fields) if (input[f] !== undefined) changes[f] = input[f];
    for (const f of ['givenName', 'familyName', 'sex', 'birthDate', 'birthDatePrecision', 'aliases', 'languages'] as const) {
      if (changes[f] === null) throw badInput(`input.${f}`, 'cannot be null');
    }
    if (Object.keys(changes).length === 0) throw badInput('input', 'names no field to change');
    const written = await transactional(ctx, async (tx) => {
      // FOR NO KEY UPDATE (the id does not change): FOR UPDATE also blocked every row that references the child being
      // written meanwhile, an import's new match candidates among them, while this re-matching waited for that import's
      // candidates: a deadlock, one of them got CONFLICT.
      const child = await tx.em.createQueryBuilder(Child, 'ch').setLock('for_no_key_update').where('ch.id = :id', { id: input.childId }).getOne();
      const facts = child ? await CaseService.facts(tx, child.id) : null;
      const subj = child && subject('Child', { ...child, case: facts });
      if (!child || !ctx.ability.can('read', subj!)) throw notFound('Child', input.childId);
      if (!ctx.ability.can('update', subj!)) throw forbidden('You may not update this child');
      if (child.version !== input.expectedVersion) {
        throw conflict(`Child ${child.id} is at version ${child.version}, not ${input.expectedVersion}: reload and retry`, { currentVersion: child.version });
      }
      const next = { ...child, ...changes } as Child;
      await tx.em.update(Child, { id: child.id }, { ...changes, searchText: childSearchText(next), searchTextOwn: childOwnSearchText(next), version: child.version + 1 });
      audit(tx, { operation: 'UPDATE', entityType: 'Child', entityId: child.id, fields: Object.keys(changes).sort(), values: changes });
      await matchAfterChildChange(tx, child.id, Object.keys(changes));
      return tx.em.findOneOrFail(Child, { where: { id: child.id } });
    });
    ctx.loaders.child.clear(written.id).prime(written.id, written);
    ctx.loaders.accessFacts.clear(written.id);
    return written;
  }

  /** Shares a case with another organization (SUMMARY or FULL); sharing again changes the access. */
  static async shareCase(ctx: Context, input: ShareCaseInput): Promise<Case> {
    const user = requireUser(ctx);
    const written = await transactional(ctx, async (tx) => {
      const c = await CaseService.lockForWrite(tx, input.caseId, 'share');
      if (input.organizationId === c.leadOrganizationId) throw badInput('input.organizationId', 'is the organization that leads the case');
      const org = await tx.em.findOne(Organization, { where: { id: input.organizationId } });
      if (!org) throw badInput('input.organizationId', 'names no organization');
      await tx.em.upsert(CaseShare, { caseId: c.id, organizationId: org.id, access: input.access, sharedById: user.id }, ['caseId', 'organizationId']);
      await tx.em.update(Case, { id: c.id }, { version: c.version + 1 });
      audit(tx, { operation: 'SHARE', entityType: 'Case', entityId: c.id, fields: ['shares'], values: { organizationId: org.id, access: input.access } });
      await CaseService.recordEvent(tx, c, CaseEventKind.SHARED, c.status, c.status, `${input.access} with ${org.name}`);
      return CaseService.readBack(tx, c.id);
    });
    return CaseService.primed(ctx, written);
  }

  static async unshareCase(ctx: Context, input: UnshareCaseInput): Promise<Case> {
    requireUser(ctx);
    const written = await transactional(ctx, async (tx) => {
      const c = await CaseService.lockForWrite(tx, input.caseId, 'share');
      const res = await tx.em.delete(CaseShare, { caseId: c.id, organizationId: input.organizationId });
      if (!res.affected) throw badInput('input.organizationId', 'the case is not shared with this organization');
      await tx.em.update(Case, { id: c.id }, { version: c.version + 1 });
      audit(tx, { operation: 'UNSHARE', entityType: 'Case', entityId: c.id, fields: ['shares'], values: { organizationId: input.organizationId } });
      await CaseService.recordEvent(tx, c, CaseEventKind.UNSHARED, c.status, c.status, null);
      return CaseService.readBack(tx, c.id);
    });
    return CaseService.primed(ctx, written);
  }

  /**
   * Locks the case row for this transaction and checks, before anything is written, that the user may
   * see it (else NOT_FOUND, revealing nothing) and do `action` (else FORBIDDEN), and that the version matches.
   */
  static async lockForWrite(tx: Context, caseId: string, action: Action, expectedVersion?: number): Promise<Case> {
    assertId(caseId, 'input.caseId');
    const c = await tx.em.createQueryBuilder(Case, 'c').setLock('pessimistic_write').where('c.id = :id', { id: caseId }).getOne();
    const facts = c ? await CaseService.facts(tx, c.childId) : null;
    const subj = c && subject('Case', { ...c, shares: facts?.shares ?? [] });
    if (!c || !tx.ability.can('read', subj!)) throw notFound('Case', caseId);
    if (!tx.ability.can(action, subj!)) throw forbidden(`You may not ${action} this case`);
    if (expectedVersion !== undefined && c.version !== expectedVersion) {
      throw conflict(`Case ${c.id} is at version ${c.version}, not ${expectedVersion}: reload and retry`, { currentVersion: c.version });
    }
    return c;
  }

  /** Access facts read inside the transaction (the loader's may predate the lock). */
  private static async facts(tx: Context, childId: string) {
    const [facts] = await loadAccessFacts(tx.em, [childId]);
    return facts ? caseFactsOf(facts) : null;
  }

  private static async closedFrom(tx: Context, caseId: string): Promise<CaseStatus | null> {
    const e = await tx.em.findOne(CaseEvent, { where: { caseId, to: CaseStatus.CLOSED, kind: CaseEventKind.STATUS_CHANGED }, order: { id: 'DESC' } });
    return e?.from ?? null;
  }

  /**
   * Appends a case event and arranges its delivery to subscribers on commit. Call it as the last write
   * of the transaction: it takes a lock held until commit, so that event ids commit in id order. That
   * order is what lets a subscriber resume after an event id with no gap (see CaseEventFeed).
   */
  static async recordEvent(tx: Context, c: Case, kind: CaseEventKind, from: CaseStatus | null, to: CaseStatus, note: string | null): Promise<CaseEvent> {
    // Audit entries first: the audit order lock is always taken before the event order lock (no deadlock).
    await flushAudit(tx, true);
    await tx.em.query('SELECT pg_advisory_xact_lock($1::bigint)', [CASE_EVENT_ORDER_LOCK]);
    const e = tx.em.create(CaseEvent, { caseId: c.id, kind, from, to, note, actorId: tx.user?.id ?? null, organizationId: tx.user?.organizationId ?? null });
    await tx.em.save(e);
    await tx.deps.events.publishOnCommit(tx.em, tx.afterCommit, { eventId: String(e.id), caseId: c.id });
    return e;
  }

  /** The case as this transaction wrote it (its own snapshot, before commit). */
  private static async readBack(tx: Context, id: string): Promise<Case> {
    return tx.em.findOneOrFail(Case, { where: { id } });
  }

  /** Hands the written case to this request's loaders, so nested fields see it without a reload after commit. */
  private static primed(ctx: Context, c: Case): Case {
    ctx.loaders.case.clear(c.id).prime(c.id, c);
    ctx.loaders.accessFacts.clear(c.childId);
    return c;
  }
}
