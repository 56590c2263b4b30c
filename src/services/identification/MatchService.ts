import { audit } from '../../audit/audit';
import { transactional, type Context } from '../../context';
import { Case, Child, MatchCandidate } from '../../entities';
import { badInput, conflict, notFound } from '../../errors';
import { CaseEventKind, MatchStatus } from '../../schema/enums';
import type { DecideMatchInput, MatchCandidateFilter, SetDoNotMatchInput } from '../../schema/identification/inputs';
import type { MatchCandidateConnection } from '../../schema/identification/payloads';
import { CaseService, childOwnSearchText, childSearchText, pageSize, requireUser } from '../CaseService';
import { accessCondition } from '../../auth/caslToSql';
import { whereAccessible } from '../loaders';
import { bandsOf } from './childMatching';
import { identificationLoaders } from './identificationLoaders';
import { confirmedNames, matchScope } from './linkage';
import { isSurnameInitial } from '../../identification/compare';

const encodeCursor = (parts: string[]) => Buffer.from(parts.join('|'), 'utf8').toString('base64url');

/** The review queue of match candidates and the decisions people take on them. */
export class MatchService {
  /** Candidates the reader may see, best first, with the total count under the same filter. */
  static async list(ctx: Context, filter: MatchCandidateFilter | undefined, first: number | undefined, after: string | undefined): Promise<MatchCandidateConnection> {
    requireUser(ctx);
    const limit = pageSize(first, 20, ctx.deps.config.maxPageSize);
    const qb = ctx.em.createQueryBuilder(MatchCandidate, 'm');
    qb.andWhere('m.status = :status', { status: filter?.status ?? MatchStatus.OPEN });
    if (filter?.childId) qb.andWhere('m.child_id = :childId', { childId: filter.childId });
    if (filter?.externalRecordId) qb.andWhere('m.external_record_id = :rid', { rid: filter.externalRecordId });
    if (filter?.band) qb.andWhere('m.band = :band', { band: filter.band });
    whereAccessible(ctx, qb, 'read', 'MatchCandidate', 'm');
    const totalCount = await qb.clone().getCount();
    if (after) {
      const parts = Buffer.from(after, 'base64url').toString('utf8').split('|');
      if (parts.length !== 2 || !Number.isFinite(Number(parts[0])) || !/^[0-9a-f-]{36}$/i.test(parts[1])) throw badInput('after', 'is not a cursor this API gave out');
      qb.andWhere('(m.score < :as OR (m.score = :as AND m.id > :aid))', { as: Number(parts[0]), aid: parts[1] });
    }
    const rows = await qb.orderBy('m.score', 'DESC').addOrderBy('m.id', 'ASC').take(limit + 1).getMany();
    const page = rows.slice(0, limit);
    const loader = identificationLoaders(ctx).matchCandidate;
    for (const r of page) loader.prime(r.id, r);
    const edges = page.map((node) => ({ node, cursor: encodeCursor([String(node.score), node.id]) }));
    return { edges, totalCount, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  static async get(ctx: Context, id: string): Promise<MatchCandidate | null> {
    requireUser(ctx);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw badInput('id', 'must be a UUID');
    return identificationLoaders(ctx).matchCandidate.load(id);
  }

  /**
   * Confirms that the trace is the child: links them, supersedes the trace's other open candidates, adds the
   * trace's spellings to the child's aliases and records MATCH_CONFIRMED on the case (delivered live). The
   * case status does not change: the case worker moves it to LOCATED when the trace's foundAt says so.
   */
  static async confirm(ctx: Context, input: DecideMatchInput): Promise<MatchCandidate> {
    return MatchService.decide(ctx, input, MatchStatus.CONFIRMED);
  }

  /** Rejects the pair: it is never proposed again for these two records. */
  static async reject(ctx: Context, input: DecideMatchInput): Promise<MatchCandidate> {
    return MatchService.decide(ctx, input, MatchStatus.REJECTED);
  }

  private static async decide(ctx: Context, input: DecideMatchInput, decision: MatchStatus.CONFIRMED | MatchStatus.REJECTED): Promise<MatchCandidate> {
    const user = requireUser(ctx);
    const id = await transactional(ctx, async (tx) => {
      // Who may see the candidate at all is decided in SQL, like every read (else NOT_FOUND, revealing nothing).
      const visible = accessCondition(tx.ability, 'read', 'MatchCandidate', 'm');
      const [peek]: { external_record_id: string; child_id: string }[] = await tx.em.createQueryBuilder(MatchCandidate, 'm')
        .select('m.external_record_id', 'external_record_id').addSelect('m.child_id', 'child_id')
        .where('m.id = :id', { id: input.id }).andWhere(visible.sql, visible.params).getRawMany();
      if (!peek) throw notFound('MatchCandidate', input.id);
      // Lock order: the trace, then the candidate, then the case, so that two decisions on one trace queue up.
      const [trace]: { linked_child_id: string | null; given_name: string | null; family_name: string | null; patronymic: string | null; source: string; external_id: string }[] =
        await tx.em.query('SELECT linked_child_id, given_name, family_name, patronymic, source, external_id FROM external_record WHERE id = $1 FOR UPDATE', [peek.external_record_id]);
      const cand = await tx.em.createQueryBuilder(MatchCandidate, 'm').setLock('pessimistic_write').where('m.id = :id', { id: input.id }).getOne();
      if (!cand || !trace) throw notFound('MatchCandidate', input.id);
      const [caseRow]: { id: string }[] = await tx.em.query('SELECT id FROM case_file WHERE child_id = $1', [cand.childId]);
      if (!caseRow) throw notFound('MatchCandidate', input.id);
      // Deciding needs update rights on the child's case (FORBIDDEN otherwise), checked before anything is written.
      const c = await CaseService.lockForWrite(tx, caseRow.id, 'update');
      if (cand.status !== MatchStatus.OPEN) {
        throw conflict(`Match candidate ${cand.id} is ${cand.status}, no longer open: reload`, { currentStatus: cand.status, currentVersion: cand.version });
      }
      if (input.expectedVersion !== undefined && input.expectedVersion !== null && cand.version !== input.expectedVersion) {
        throw conflict(`Match candidate ${cand.id} changed (version ${cand.version}, not ${input.expectedVersion}): review it again`, { currentVersion: cand.version });
      }
      const decided = { status: decision, decidedById: user.id, decidedByOrganizationId: user.organizationId, decidedAt: new Date(), note: input.note ?? null, version: cand.version + 1 };
      // Every match decision is in the tamper-evident audit (values only as keyed hashes), before the case event.
      audit(tx, { operation: 'MATCH_DECISION', entityType: 'MatchCandidate', entityId: cand.id, fields: ['status', 'note'], values: { decision, childId: cand.childId, externalRecordId: cand.externalRecordId, note: input.note ?? null } });
      if (decision === MatchStatus.REJECTED) {
        await tx.em.update(MatchCandidate, { id: cand.id }, decided);
        return cand.id;
      }
      if (trace.linked_child_id) {
        throw conflict('This trace has already been confirmed as a child', { currentStatus: cand.status, currentVersion: cand.version });
      }
      // The trace's names in the right fields (a swapped trace's are read the other way round), before it is linked.
      const names = await confirmedNames(tx.em, cand.childId, trace);
      await tx.em.update(MatchCandidate, { id: cand.id }, decided);
      await tx.em.query(
        `UPDATE match_candidate SET status = 'SUPERSEDED', version = version + 1, decided_at = now(), updated_at = now()
          WHERE external_record_id = $1 AND id <> $2 AND status = 'OPEN'`,
        [cand.externalRecordId, cand.id],
      );
      await tx.em.query('UPDATE external_record SET linked_child_id = $1, linked_at = now(), version = version + 1, updated_at = now() WHERE id = $2', [cand.childId, cand.externalRecordId]);
      // Keep the trace's spelling as an alias of the child (search, and matching with it from now on).
      const child = await tx.em.findOneOrFail(Child, { where: { id: cand.childId } });
      // Not a spelling whose surname is an initial ("Любомир К."): it names nobody, and as an alias it would block with
      // every trace of that initial.
      const spelling = isSurnameInitial(names.family) ? '' : [names.given, trace.patronymic, names.family].filter(Boolean).join(' ');
      if (spelling && !child.aliases.includes(spelling) && child.aliases.length < 50) {
        const aliases = [...child.aliases, spelling];
        // Marked as the trace's: Child.aliases shows it, and name search matches it, only for readers of the child's
        // candidates (src/auth/identification/traceAccess.ts).
        const traceAliases = child.traceAliases.includes(spelling) ? child.traceAliases : [...child.traceAliases, spelling];
        const next = { ...child, aliases, traceAliases };
        await tx.em.update(Child, { id: child.id }, {
          aliases, traceAliases, searchText: childSearchText(next), searchTextOwn: childOwnSearchText(next), version: child.version + 1,
        });
      }
      await matchScope(tx.em, { childIds: [child.id] }, bandsOf(tx.deps.config));
      await tx.em.update(Case, { id: c.id }, { version: c.version + 1 });
      const note = `Trace ${trace.source} / ${trace.external_id} confirmed${input.note ? `: ${input.note}` : ''}`;
      await CaseService.recordEvent(tx, c, CaseEventKind.MATCH_CONFIRMED, c.status, c.status, note);
      return cand.id;
    });
    const l = identificationLoaders(ctx);
    l.matchCandidate.clear(id);
    const out = await l.matchCandidate.load(id);
    if (!out) throw notFound('MatchCandidate', id);
    return out;
  }

  /** Marks a case doNotMatch (its child is left out of matching, its open candidates withdrawn) or clears it. */
  static async setDoNotMatch(ctx: Context, input: SetDoNotMatchInput): Promise<Case> {
    const user = requireUser(ctx);
    const id = await transactional(ctx, async (tx) => {
      const c = await CaseService.lockForWrite(tx, input.caseId, 'update', input.expectedVersion);
      const [row]: { exists: boolean }[] = await tx.em.query('SELECT EXISTS (SELECT 1 FROM case_match_exclusion WHERE case_id = $1) AS exists', [c.id]);
      if (row.exists === input.doNotMatch) return c.id;
      if (input.doNotMatch) {
        await tx.em.query('INSERT INTO case_match_exclusion (case_id, set_by_id) VALUES ($1, $2)', [c.id, user.id]);
        await tx.em.query(`DELETE FROM match_candidate WHERE child_id = $1 AND status = 'OPEN'`, [c.childId]);
      } else {
        await tx.em.query('DELETE FROM case_match_exclusion WHERE case_id = $1', [c.id]);
        await matchScope(tx.em, { childIds: [c.childId] }, bandsOf(tx.deps.config));
      }
      await tx.em.update(Case, { id: c.id }, { version: c.version + 1 });
      audit(tx, { operation: 'UPDATE', entityType: 'Case', entityId: c.id, fields: ['doNotMatch'], values: { doNotMatch: input.doNotMatch } });
      await CaseService.recordEvent(tx, c, CaseEventKind.UPDATED, c.status, c.status, input.doNotMatch ? 'Left out of matching (doNotMatch)' : 'Matching resumed');
      return c.id;
    });
    ctx.loaders.case.clear(id);
    const c = await ctx.loaders.case.load(id);
    if (!c) throw notFound('Case', id);
    ctx.loaders.accessFacts.clear(c.childId);
    return c;
  }
}
