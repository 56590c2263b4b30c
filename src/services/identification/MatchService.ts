import { GraphQLError } from 'graphql';
import { audit } from '../../audit/audit';
import { transactional, type Context } from '../../context';
import { Case, Child, MatchCandidate } from '../../entities';
import { badInput, conflict, forbidden, notFound } from '../../errors';
import { CaseEventKind, MatchStatus } from '../../schema/enums';
import type { DecideMatchInput, MatchCandidateFilter, SetDoNotMatchInput } from '../../schema/identification/inputs';
import type { MatchCandidateConnection } from '../../schema/identification/payloads';
import { CaseService, childOwnSearchText, childSearchText, pageSize, requireUser } from '../CaseService';
import { accessCondition } from '../../auth/caslToSql';
import { whereAccessible } from '../loaders';
import { bandsOf } from './childMatching';
import { identificationLoaders } from './identificationLoaders';
import { decodeScoreCursor, scoreCursor } from './cursors';
import { confirmedNames, matchScope } from './linkage';
import { isSurnameInitial } from '../../identification/compare';


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
      const { score, id } = decodeScoreCursor(after);
      qb.andWhere('(m.score < :as OR (m.score = :as AND m.id > :aid))', { as: score, aid: id });
    }
    const rows = await qb.orderBy('m.score', 'DESC').addOrderBy('m.id', 'ASC').take(limit + 1).getMany();
    const page = rows.slice(0, limit);
    const loader = identificationLoaders(ctx).matchCandidate;
    for (const r of page) loader.prime(r.id, r);
    const edges = page.map((node) => ({ node, cursor: scoreCursor(node.score, node.id) }));
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
      const [caseRow]: { id: string }[] = await tx.em.query('SELECT id FROM case_file WHERE child_id = $1', [peek.child_id]);
      if (!caseRow) throw notFound('MatchCandidate', input.id);
      // Lock order: the child (as updateChild does), the case, the trace, then the candidate, so that two decisions on one
      // trace queue up at the trace and two on one child (or a decision and updateChild) at the child. With the case
      // last, two traces of one child confirmed at once deadlocked (each held its candidate while the other's re-matching
      // of the child wanted it) and all but one got CONFLICT. NO KEY locks: a FOR UPDATE on the trace blocked the new
      // candidates that another transaction's matching wrote for it (their foreign key) while that one held candidates
      // this decision supersedes.
      await tx.em.query('SELECT 1 FROM child WHERE id = $1 FOR NO KEY UPDATE', [peek.child_id]);
      // Deciding needs update rights on the child's case (FORBIDDEN otherwise), checked before anything is written.
      // A reader of every candidate (COORDINATOR, INVESTIGATOR) heard "You may not update this case": it is told who decides.
      const c = await CaseService.lockForWrite(tx, caseRow.id, 'update').catch((e: unknown) => {
        if (e instanceof GraphQLError && e.extensions.code === 'FORBIDDEN') {
          throw forbidden("Only the child's case's lead organization, or a partner it shares the case with in FULL, decides its match candidates");
        }
        throw e;
      });
      const [trace]: { linked_child_id: string | null; given_name: string | null; family_name: string | null; patronymic: string | null; source: string; external_id: string }[] =
        await tx.em.query('SELECT linked_child_id, given_name, family_name, patronymic, source, external_id FROM external_record WHERE id = $1 FOR NO KEY UPDATE', [peek.external_record_id]);
      // The candidates a confirm writes (this one, the trace's others it supersedes, the child's it re-matches) are locked
      // at once in the one order of candidate rows, (child, trace), like every match run: twins' two traces confirmed at
      // once for the two children took them one by one, each the other's, and deadlocked.
      await tx.em.query(
        `SELECT 1 FROM match_candidate WHERE id = $1 OR ($4 AND status = 'OPEN' AND (external_record_id = $2 OR child_id = $3))
          ORDER BY child_id, external_record_id FOR UPDATE`,
        [input.id, peek.external_record_id, peek.child_id, decision === MatchStatus.CONFIRMED],
      );
      const cand = await tx.em.findOne(MatchCandidate, { where: { id: input.id } });
      if (!cand || !trace) throw notFound('MatchCandidate', input.id);
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
