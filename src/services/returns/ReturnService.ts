import { audit } from '../../audit/audit';
import { subject } from '@casl/ability';
import { transactional, type Context } from '../../context';
import { Case, Guardian, GuardianVerification, Organization, ReturnOperation, ReturnOperationChild, ReturnOperationOrg } from '../../entities';
import { appError, badInput, conflict, forbidden, invalidTransition, notFound } from '../../errors';
import { CaseEventKind, CaseStatus } from '../../schema/enums';
import {
  DnaTestStatus, GuardianVerificationKind, ReturnChildOutcome, ReturnOperationStatus, VerificationStatus,
} from '../../schema/returns/enums';
import type {
  AddChildToReturnInput, ChangeReturnOperationStatusInput, CompleteReturnOperationInput, CreateReturnOperationInput,
  RecordDnaResultInput, RecordGuardianVerificationInput, UpdateReturnChildInput, UpdateReturnOperationInput,
} from '../../schema/returns/inputs';
import { CaseService } from '../CaseService';
import { caseFactsOf, loadAccessFacts, whereAccessible } from '../loaders';
import { allowedTransitions } from '../caseLifecycle';
import { assertAllowed, assertUuid, requireUserOf, returnsLoaders } from './access';
import { afterCaseTransition, assertCaseTransitionAllowed } from './caseTransitions';
import './ReintegrationService';

const S = ReturnOperationStatus;
/** The operation's own lifecycle; COMPLETED only through completeReturnOperation (it settles every child). */
const NEXT: Record<ReturnOperationStatus, ReturnOperationStatus[]> = {
  [S.PLANNING]: [S.APPROVED, S.CANCELLED],
  [S.APPROVED]: [S.IN_PROGRESS, S.CANCELLED],
  [S.IN_PROGRESS]: [S.COMPLETED, S.FAILED, S.CANCELLED],
  [S.COMPLETED]: [],
  [S.FAILED]: [],
  [S.CANCELLED]: [],
};
const OPEN = [S.PLANNING, S.APPROVED, S.IN_PROGRESS];

/**
 * Case-event notes written by return flows say only that a return is under way or how it ended for
 * this child: partners who read the case (and its history, live) learn nothing of the operation.
 */
export const RETURN_NOTES = {
  added: 'Return in progress',
  returned: 'Returned and handed over to a verified guardian',
  ended: (status: ReturnOperationStatus) => `Return ${status === S.CANCELLED ? 'cancelled' : 'failed'}; the child remains located`,
};

/** Return operations (rescue) and guardian verification (reunification). */
export class ReturnService {
  static async getOperation(ctx: Context, id: string): Promise<ReturnOperation | null> {
    requireUserOf(ctx);
    assertUuid(id, 'id');
    return returnsLoaders(ctx).operation.load(id);
  }

  /** The operations the reader may see (the council: all; case workers: their organizations'), newest first. */
  static async listOperations(ctx: Context, status: ReturnOperationStatus | undefined, first: number | undefined): Promise<ReturnOperation[]> {
    requireUserOf(ctx);
    const max = ctx.deps.config.maxPageSize;
    if (first !== undefined && first !== null && (!Number.isInteger(first) || first < 1)) throw badInput('first', 'must be a positive integer');
    const qb = ctx.em.createQueryBuilder(ReturnOperation, 'o');
    if (status) qb.andWhere('o.status = :status', { status });
    whereAccessible(ctx, qb, 'read', 'ReturnOperation', 'o');
    const rows = await qb.orderBy('o.created_at', 'DESC').addOrderBy('o.id', 'DESC').take(Math.min(first ?? 20, max)).getMany();
    for (const r of rows) returnsLoaders(ctx).operation.prime(r.id, r);
    return rows;
  }

  static async countOperations(ctx: Context, status: ReturnOperationStatus | undefined): Promise<number> {
    requireUserOf(ctx);
    const qb = ctx.em.createQueryBuilder(ReturnOperation, 'o');
    if (status) qb.andWhere('o.status = :status', { status });
    return whereAccessible(ctx, qb, 'read', 'ReturnOperation', 'o').getCount();
  }

  static async createOperation(ctx: Context, input: CreateReturnOperationInput): Promise<ReturnOperation> {
    const user = requireUserOf(ctx);
    if (!ctx.ability.can('create', 'ReturnOperation')) throw forbidden('Your roles may not plan return operations');
    const id = await transactional(ctx, async (tx) => {
      const orgIds = [...new Set([user.organizationId, ...(input.organizationIds ?? [])])];
      const found = await tx.em.count(Organization, { where: orgIds.map((id) => ({ id })) });
      if (found !== orgIds.length) throw badInput('input.organizationIds', 'names an unknown organization');
      const op = await tx.em.save(tx.em.create(ReturnOperation, {
        name: input.name.trim(), mediator: input.mediator ?? null, route: input.route ?? null, handoverPoint: input.handoverPoint ?? null,
        plannedHandoverDate: input.plannedHandoverDate ?? null, status: S.PLANNING, createdById: user.id,
      }));
      await tx.em.insert(ReturnOperationOrg, orgIds.map((organizationId) => ({ operationId: op.id, organizationId })));
      return op.id;
    });
    return ReturnService.reload(ctx, id);
  }

  static async updateOperation(ctx: Context, input: UpdateReturnOperationInput): Promise<ReturnOperation> {
    requireUserOf(ctx);
    const fields = ['name', 'mediator', 'route', 'handoverPoint', 'plannedHandoverDate'] as const;
    const changes: Record<string, unknown> = {};
    for (const f of fields) if (input[f] !== undefined) changes[f] = input[f];
    if (changes.name === null) throw badInput('input.name', 'cannot be null');
    if (Object.keys(changes).length === 0) throw badInput('input', 'names no field to change');
    await transactional(ctx, async (tx) => {
      const op = await ReturnService.lockOperation(tx, input.operationId, input.expectedVersion);
      if (!OPEN.includes(op.status)) throw badInput('input.operationId', `a ${op.status} operation cannot be changed`);
      await tx.em.update(ReturnOperation, { id: op.id }, { ...changes, version: op.version + 1 });
    });
    return ReturnService.reload(ctx, input.operationId);
  }

  /** APPROVED, IN_PROGRESS; or FAILED / CANCELLED with a reason, which sends every child still pending back to LOCATED. */
  static async changeOperationStatus(ctx: Context, input: ChangeReturnOperationStatusInput): Promise<ReturnOperation> {
    requireUserOf(ctx);
    if (input.status === S.COMPLETED) throw badInput('input.status', 'complete an operation with completeReturnOperation (it settles every child)');
    const ending = input.status === S.FAILED || input.status === S.CANCELLED;
    if (ending && !input.reason?.trim()) throw badInput('input.reason', `is required for ${input.status}`);
    await transactional(ctx, async (tx) => {
      const op = await ReturnService.lockOperation(tx, input.operationId, input.expectedVersion);
      if (!NEXT[op.status].includes(input.status)) {
        throw appError('INVALID_TRANSITION', `A return operation cannot go from ${op.status} to ${input.status}`, { from: op.status, to: input.status, allowed: NEXT[op.status] });
      }
      const settled: { c: Case; from: CaseStatus }[] = [];
      if (ending) {
        const entries = await ReturnService.activeEntries(tx, op.id);
        for (const e of entries) {
          const c = await ReturnService.lockCaseForReturn(tx, e.caseId);
          await tx.em.update(ReturnOperationChild, { id: e.id }, { outcome: ReturnChildOutcome.NOT_RETURNED, outcomeNote: input.reason ?? null, active: false });
          if (c.status === CaseStatus.RETURN_IN_PROGRESS) {
            await tx.em.update(Case, { id: c.id }, { status: CaseStatus.LOCATED, version: c.version + 1 });
            settled.push({ c, from: c.status });
          }
        }
      }
      await tx.em.update(ReturnOperation, { id: op.id }, { status: input.status, statusReason: ending ? input.reason : op.statusReason, version: op.version + 1 });
      audit(tx, { operation: 'CHANGE_STATUS', entityType: 'ReturnOperation', entityId: op.id, fields: ['status', 'statusReason'], values: { from: op.status, to: input.status, reason: input.reason ?? null, cases: settled.map((x) => x.c.id) } });
      // Events last: recordEvent holds the event-order lock until commit.
      for (const s of settled) await CaseService.recordEvent(tx, s.c, CaseEventKind.STATUS_CHANGED, s.from, CaseStatus.LOCATED, RETURN_NOTES.ended(input.status));
    });
    return ReturnService.reload(ctx, input.operationId);
  }

  /** Adds a LOCATED child's case to an open operation and moves the case to RETURN_IN_PROGRESS (one transaction, one event). */
  static async addChild(ctx: Context, input: AddChildToReturnInput): Promise<ReturnOperation> {
    requireUserOf(ctx);
    await transactional(ctx, async (tx) => {
      const op = await ReturnService.lockOperation(tx, input.operationId);
      if (!OPEN.includes(op.status)) throw badInput('input.operationId', `children cannot be added to a ${op.status} operation`);
      const c = await CaseService.lockForWrite(tx, input.caseId, 'changeStatus', input.expectedCaseVersion);
      if (c.status !== CaseStatus.LOCATED) throw invalidTransition(c.status, CaseStatus.RETURN_IN_PROGRESS, allowedTransitions(c.status));
      const busy = await tx.em.findOne(ReturnOperationChild, { where: { caseId: c.id, active: true } });
      if (busy) throw badInput('input.caseId', 'the case is already in an open return operation');
      await tx.em.insert(ReturnOperationChild, {
        operationId: op.id, caseId: c.id, childId: c.childId, escort: input.escort ?? null, documents: input.documents ?? [], outcome: ReturnChildOutcome.PENDING, active: true,
      });
      await tx.em.update(Case, { id: c.id }, { status: CaseStatus.RETURN_IN_PROGRESS, version: c.version + 1 });
      await tx.em.update(ReturnOperation, { id: op.id }, { version: op.version + 1 });
      audit(tx, { operation: 'ADD_CHILD', entityType: 'ReturnOperation', entityId: op.id, fields: ['children', 'status'], values: { caseId: c.id, from: c.status, to: CaseStatus.RETURN_IN_PROGRESS } });
      await CaseService.recordEvent(tx, c, CaseEventKind.STATUS_CHANGED, c.status, CaseStatus.RETURN_IN_PROGRESS, RETURN_NOTES.added);
    });
    return ReturnService.reload(ctx, input.operationId);
  }

  static async updateChild(ctx: Context, input: UpdateReturnChildInput): Promise<ReturnOperationChild> {
    requireUserOf(ctx);
    if (input.escort === undefined && input.documents === undefined && input.receivingGuardianId === undefined) throw badInput('input', 'names no field to change');
    await transactional(ctx, async (tx) => {
      await assertAllowed(tx, ReturnOperationChild, 'ReturnOperationChild', 'update', input.entryId, 'ReturnOperationChild');
      const e = await tx.em.createQueryBuilder(ReturnOperationChild, 'e').setLock('pessimistic_write').where('e.id = :id', { id: input.entryId }).getOneOrFail();
      if (!e.active) throw badInput('input.entryId', 'the operation is over');
      if (input.receivingGuardianId) await ReturnService.assertGuardianOf(tx, e.childId, input.receivingGuardianId, 'input.receivingGuardianId');
      const changes: Partial<ReturnOperationChild> = {};
      if (input.escort !== undefined) changes.escort = input.escort;
      if (input.documents !== undefined) changes.documents = input.documents ?? [];
      if (input.receivingGuardianId !== undefined) changes.receivingGuardianId = input.receivingGuardianId;
      await tx.em.update(ReturnOperationChild, { id: e.id }, changes);
    });
    return tx0(ctx).findOneByOrFail(ReturnOperationChild, { id: input.entryId });
  }

  /**
   * Completes an IN_PROGRESS operation, naming every child once: returned children's cases become RETURNED
   * (each needs a verified receiving guardian or a guardianship-authority decision, and gets its
   * reintegration plan), the others go back to LOCATED with the note. All or nothing, in one transaction.
   */
  static async complete(ctx: Context, input: CompleteReturnOperationInput): Promise<ReturnOperation> {
    requireUserOf(ctx);
    input.children.forEach((ch, i) => {
      if (!ch.returned && !ch.note?.trim()) throw badInput(`input.children.${i}.note`, 'is required for a child who did not come back');
    });
    if (input.actualHandoverDate > new Date().toISOString().slice(0, 10)) throw badInput('input.actualHandoverDate', 'is in the future');
    await transactional(ctx, async (tx) => {
      const op = await ReturnService.lockOperation(tx, input.operationId, input.expectedVersion);
      if (op.status !== S.IN_PROGRESS) throw appError('INVALID_TRANSITION', `Only an IN_PROGRESS operation can be completed (it is ${op.status})`, { from: op.status, to: S.COMPLETED, allowed: NEXT[op.status] });
      const entries = await ReturnService.activeEntries(tx, op.id);
      const byId = new Map(entries.map((e) => [e.id, e]));
      const named = new Set<string>();
      input.children.forEach((ch, i) => {
        if (!byId.has(ch.entryId)) throw badInput(`input.children.${i}.entryId`, 'is not a child of this operation');
        if (named.has(ch.entryId)) throw badInput(`input.children.${i}.entryId`, 'is named twice');
        named.add(ch.entryId);
      });
      if (named.size !== entries.length) throw badInput('input.children', `must name every child of the operation (${entries.length})`);
      // Lock the cases in one order so that two completions cannot deadlock.
      const ordered = [...input.children].map((ch, i) => ({ ch, i, e: byId.get(ch.entryId)! })).sort((a, b) => (a.e.caseId < b.e.caseId ? -1 : 1));
      const events: { c: Case; from: CaseStatus; to: CaseStatus; note: string }[] = [];
      for (const { ch, i, e } of ordered) {
        const c = await ReturnService.lockCaseForReturn(tx, e.caseId);
        const to = ch.returned ? CaseStatus.RETURNED : CaseStatus.LOCATED;
        if (c.status !== CaseStatus.RETURN_IN_PROGRESS) throw invalidTransition(c.status, to, []);
        const guardianId = ch.receivingGuardianId ?? e.receivingGuardianId;
        if (ch.receivingGuardianId) await ReturnService.assertGuardianOf(tx, e.childId, ch.receivingGuardianId, `input.children.${i}.receivingGuardianId`);
        if (ch.returned) await assertCaseTransitionAllowed(tx, c, to, { byReturnOperation: true });
        await tx.em.update(ReturnOperationChild, { id: e.id }, {
          outcome: ch.returned ? ReturnChildOutcome.RETURNED : ReturnChildOutcome.NOT_RETURNED, outcomeNote: ch.note ?? null, receivingGuardianId: guardianId, active: false,
        });
        await tx.em.update(Case, { id: c.id }, { status: to, version: c.version + 1 });
        await afterCaseTransition(tx, c, c.status, to);
        events.push({ c, from: c.status, to, note: ch.returned ? RETURN_NOTES.returned : ch.note!.trim() });
      }
      await tx.em.update(ReturnOperation, { id: op.id }, { status: S.COMPLETED, actualHandoverDate: input.actualHandoverDate, version: op.version + 1 });
      audit(tx, { operation: 'COMPLETE', entityType: 'ReturnOperation', entityId: op.id, fields: ['status', 'children'], values: { actualHandoverDate: input.actualHandoverDate, outcomes: events.map((e) => [e.c.id, e.to]) } });
      for (const ev of events) await CaseService.recordEvent(tx, ev.c, CaseEventKind.STATUS_CHANGED, ev.from, ev.to, ev.note);
    });
    return ReturnService.reload(ctx, input.operationId);
  }

  /** Records a guardian's verification (or a guardianship authority's decision) for a case. */
  static async recordVerification(ctx: Context, input: RecordGuardianVerificationInput): Promise<GuardianVerification> {
    const user = requireUserOf(ctx);
    const identity = input.kind === GuardianVerificationKind.GUARDIAN_IDENTITY;
    if (identity && !input.guardianId) throw badInput('input.guardianId', 'is required to verify a guardian');
    if (identity && !(input.documentsSeen?.length)) throw badInput('input.documentsSeen', 'name at least one document seen');
    if (!identity && !input.decisionReference?.trim()) throw badInput('input.decisionReference', 'is required for a guardianship-authority decision');
    if (!identity && !input.authorityName?.trim()) throw badInput('input.authorityName', 'is required for a guardianship-authority decision');
    const id = await transactional(ctx, async (tx) => {
      const c = await tx.em.findOne(Case, { where: { id: input.caseId } });
      if (!c || !(await tx.loaders.case.load(c.id))) throw notFound('Case', input.caseId);
      if (!(await ReturnService.mayCreateVerification(tx, c.id))) throw forbidden('You may not verify guardians for this case');
      if (input.guardianId) await ReturnService.assertGuardianOf(tx, c.childId, input.guardianId, 'input.guardianId');
      const dna = identity && input.dnaTestRequested ? DnaTestStatus.REQUESTED : DnaTestStatus.NOT_REQUESTED;
      const v = await tx.em.save(tx.em.create(GuardianVerification, {
        caseId: c.id, childId: c.childId, kind: input.kind, guardianId: input.guardianId ?? null, documentsSeen: input.documentsSeen ?? [],
        verifiedById: user.id, verifiedByOrganizationId: user.organizationId, verifiedAt: new Date(), dnaTest: dna,
        authorityName: input.authorityName ?? null, decisionReference: input.decisionReference ?? null, decisionDate: input.decisionDate ?? null,
        status: dna === DnaTestStatus.REQUESTED ? VerificationStatus.PENDING : VerificationStatus.VERIFIED, note: input.note ?? null,
      }));
      if (identity && v.status === VerificationStatus.VERIFIED) await tx.em.update(Guardian, { id: input.guardianId! }, { verified: true });
      audit(tx, { operation: 'CREATE', entityType: 'GuardianVerification', entityId: v.id, fields: ['kind', 'guardian', 'documentsSeen', 'dnaTest', 'decision'], values: input });
      return v.id;
    });
    return tx0(ctx).findOneByOrFail(GuardianVerification, { id });
  }

  /** The DNA result settles a pending verification: MATCH verifies it, NO_MATCH rejects it. */
  static async recordDnaResult(ctx: Context, input: RecordDnaResultInput): Promise<GuardianVerification> {
    requireUserOf(ctx);
    await transactional(ctx, async (tx) => {
      const v = await tx.em.createQueryBuilder(GuardianVerification, 'v').setLock('pessimistic_write').where('v.id = :id', { id: input.verificationId }).getOne();
      if (!v || !(await returnsLoaders(tx).verificationsByCase.load(v.caseId)).some((x) => x.id === v.id)) throw notFound('GuardianVerification', input.verificationId);
      if (!(await ReturnService.mayCreateVerification(tx, v.caseId))) throw forbidden('You may not verify guardians for this case');
      if (v.dnaTest !== DnaTestStatus.REQUESTED) throw badInput('input.verificationId', 'no DNA test is pending for this verification');
      const verified = input.result === DnaTestStatus.MATCH;
      await tx.em.update(GuardianVerification, { id: v.id }, { dnaTest: input.result, dnaResultAt: new Date(), status: verified ? VerificationStatus.VERIFIED : VerificationStatus.REJECTED });
      if (verified && v.guardianId) await tx.em.update(Guardian, { id: v.guardianId }, { verified: true });
      audit(tx, { operation: 'UPDATE', entityType: 'GuardianVerification', entityId: v.id, fields: ['dnaTest', 'status'], values: { result: input.result } });
    });
    return tx0(ctx).findOneByOrFail(GuardianVerification, { id: input.verificationId });
  }

  private static async mayCreateVerification(tx: Context, caseId: string): Promise<boolean> {
    // `create` rules on GuardianVerification test its case, read inside the transaction like every mutation's check.
    const c = await tx.em.findOneByOrFail(Case, { id: caseId });
    const [facts] = await loadAccessFacts(tx.em, [c.childId]);
    return tx.ability.can('create', subject('GuardianVerification', { caseId, case: facts ? caseFactsOf(facts) : null }));
  }

  private static async assertGuardianOf(tx: Context, childId: string, guardianId: string, field: string): Promise<void> {
    if (!(await tx.em.exists(Guardian, { where: { id: guardianId, childId } }))) throw badInput(field, "is not one of the child's guardians");
  }

  /** Locks an operation; NOT_FOUND unless readable, FORBIDDEN unless the user may update it, CONFLICT on a stale version. */
  private static async lockOperation(tx: Context, id: string, expectedVersion?: number): Promise<ReturnOperation> {
    assertUuid(id, 'input.operationId');
    const op = await tx.em.createQueryBuilder(ReturnOperation, 'o').setLock('pessimistic_write').where('o.id = :id', { id }).getOne();
    if (!op) throw notFound('ReturnOperation', id);
    await assertAllowed(tx, ReturnOperation, 'ReturnOperation', 'update', id, 'ReturnOperation');
    if (expectedVersion !== undefined && op.version !== expectedVersion) {
      throw conflict(`Return operation ${op.id} is at version ${op.version}, not ${expectedVersion}: reload and retry`, { currentVersion: op.version });
    }
    return op;
  }

  /**
   * Locks a child's case for the operation's own transition. Running the operation is the authority to
   * move its children's cases (a running organization may not lead every case it carries home).
   */
  private static async lockCaseForReturn(tx: Context, caseId: string): Promise<Case> {
    return tx.em.createQueryBuilder(Case, 'c').setLock('pessimistic_write').where('c.id = :id', { id: caseId }).getOneOrFail();
  }

  private static async activeEntries(tx: Context, operationId: string): Promise<ReturnOperationChild[]> {
    return tx.em.createQueryBuilder(ReturnOperationChild, 'e').setLock('pessimistic_write')
      .where('e.operation_id = :id AND e.active', { id: operationId }).orderBy('e.case_id').getMany();
  }

  private static async reload(ctx: Context, id: string): Promise<ReturnOperation> {
    const l = returnsLoaders(ctx);
    l.operation.clear(id);
    l.entriesByOperation.clear(id);
    const op = await l.operation.load(id);
    if (!op) throw notFound('ReturnOperation', id);
    return op;
  }
}

const tx0 = (ctx: Context) => ctx.em;
