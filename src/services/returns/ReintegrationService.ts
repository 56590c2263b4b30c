import { transactional, type Context } from '../../context';
import { Case, FollowUp, Organization, ReintegrationPlan, ReintegrationPlanItem } from '../../entities';
import { badInput, conflict, notFound } from '../../errors';
import { CaseStatus } from '../../schema/enums';
import { FollowUpKind, ReintegrationItemKind, ReintegrationItemStatus } from '../../schema/returns/enums';
import {
  FOLLOW_UP_MONTHS, type AddReintegrationItemInput, type CompleteFollowUpInput, type UpdateReintegrationItemInput,
} from '../../schema/returns/inputs';
import { whereAccessible } from '../loaders';
import { addDays } from '../schedulingData';
import { allowedIds, assertAllowed, assertUuid, requireUserOf, returnsLoaders } from './access';
import { onCaseTransition } from './caseTransitions';
import { addMonths, bookFollowUpSession } from './followUpScheduling';

/** The items every plan starts with: [kind, title, days after return, mandatory]. */
const DEFAULT_ITEMS: [ReintegrationItemKind, string, number, boolean][] = [
  [ReintegrationItemKind.MEDICAL_CHECK, 'Medical check', 14, true],
  [ReintegrationItemKind.PSYCHOLOGICAL_ASSESSMENT, 'Psychological assessment', 30, true],
  [ReintegrationItemKind.DOCUMENTS_RESTORED, 'Restore identity documents', 60, true],
  [ReintegrationItemKind.SCHOOL_ENROLMENT, 'School enrolment', 45, false],
  [ReintegrationItemKind.CENTRE_PLACEMENT, 'Placement at a rehabilitation centre', 30, false],
  [ReintegrationItemKind.FAMILY_SUPPORT, 'Family support', 30, false],
];

const today = () => new Date().toISOString().slice(0, 10);

/** SQL: a follow-up not yet done (completed by hand, or its session COMPLETED). */
export const FOLLOW_UP_PENDING_SQL = (f: string) =>
  `${f}.completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM session s WHERE s.id = ${f}.session_id AND s.status = 'COMPLETED')`;

/** Reintegration of a returned child: the plan, its items, follow-up visits and what is overdue. */
export class ReintegrationService {
  /**
   * Creates the plan of a case that has just become RETURNED (inside that transaction): default items owned
   * by the lead organization, and follow-ups at 1, 3, 6 and 12 months, booked as social-worker sessions
   * where the child is placed at a centre, else kept as dated tasks.
   */
  static async createPlanInTx(tx: Context, c: Case, returnedOn = today()): Promise<ReintegrationPlan | null> {
    const inserted: { id: string }[] = await tx.em.query(
      `INSERT INTO reintegration_plan (case_id, child_id, returned_on) VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING RETURNING id`,
      [c.id, c.childId, returnedOn],
    );
    if (inserted.length === 0) return null;
    const planId = inserted[0].id;
    await tx.em.insert(ReintegrationPlanItem, DEFAULT_ITEMS.map(([kind, title, days, mandatory]) => ({
      planId, kind, title, mandatory, dueDate: addDays(returnedOn, days), ownerOrganizationId: c.leadOrganizationId, status: ReintegrationItemStatus.OPEN,
    })));
    for (const months of FOLLOW_UP_MONTHS) {
      const dueDate = addMonths(returnedOn, months);
      const session = await bookFollowUpSession(tx.em, c.childId, dueDate, tx.user?.id ?? null);
      await tx.em.insert(FollowUp, {
        planId, caseId: c.id, childId: c.childId, months, dueDate, kind: session ? FollowUpKind.SESSION : FollowUpKind.TASK,
        sessionId: session?.id ?? null, ownerOrganizationId: c.leadOrganizationId,
      });
    }
    return tx.em.findOneByOrFail(ReintegrationPlan, { id: planId });
  }

  static async planForCase(ctx: Context, caseId: string): Promise<ReintegrationPlan | null> {
    requireUserOf(ctx);
    assertUuid(caseId, 'caseId');
    return returnsLoaders(ctx).planByCase.load(caseId);
  }

  /**
   * Follow-ups past their due date and not done, of one organization (default: the reader's), that the
   * reader may see; oldest first.
   */
  static async overdueFollowUps(ctx: Context, organizationId: string | undefined, first: number | undefined): Promise<FollowUp[]> {
    const user = requireUserOf(ctx);
    const org = organizationId ?? user.organizationId;
    assertUuid(org, 'organizationId');
    const limit = Math.min(first ?? ctx.deps.config.maxPageSize, ctx.deps.config.maxPageSize);
    if (!Number.isInteger(limit) || limit < 1) throw badInput('first', 'must be a positive integer');
    const qb = ctx.em.createQueryBuilder(FollowUp, 'f')
      .where('f.owner_organization_id = :org', { org })
      .andWhere('f.due_date < CURRENT_DATE')
      .andWhere(FOLLOW_UP_PENDING_SQL('f'));
    whereAccessible(ctx, qb, 'read', 'FollowUp', 'f');
    return qb.orderBy('f.due_date').addOrderBy('f.id').take(limit).getMany();
  }

  /** Whether a follow-up is past due and not done. */
  static async isOverdue(ctx: Context, f: FollowUp): Promise<boolean> {
    if (f.completedAt || f.dueDate >= today()) return false;
    if (!f.sessionId) return true;
    const [row]: { status: string }[] = await ctx.deps.dataSource.query('SELECT status FROM session WHERE id = $1', [f.sessionId]);
    return row?.status !== 'COMPLETED';
  }

  /** Sets an item's status, note or due date; the plan's version guards against lost updates. */
  static async updateItem(ctx: Context, input: UpdateReintegrationItemInput): Promise<ReintegrationPlanItem> {
    requireUserOf(ctx);
    if (input.status === null) throw badInput('input.status', 'cannot be null');
    if (input.dueDate === null) throw badInput('input.dueDate', 'cannot be null');
    if (input.status === undefined && input.note === undefined && input.dueDate === undefined) throw badInput('input', 'names no field to change');
    await transactional(ctx, async (tx) => {
      const item = await tx.em.findOne(ReintegrationPlanItem, { where: { id: input.itemId } });
      if (!item) throw notFound('ReintegrationItem', input.itemId);
      await assertAllowed(tx, ReintegrationPlanItem, 'ReintegrationItem', 'update', item.id, 'ReintegrationItem');
      const plan = await ReintegrationService.lockPlan(tx, item.planId, input.expectedVersion);
      if (item.mandatory && input.status === ReintegrationItemStatus.NOT_NEEDED) throw badInput('input.status', 'a mandatory item cannot be NOT_NEEDED');
      const changes: Partial<ReintegrationPlanItem> = {};
      if (input.status !== undefined) changes.status = input.status as ReintegrationItemStatus;
      if (input.note !== undefined) changes.note = input.note;
      if (input.dueDate !== undefined) changes.dueDate = input.dueDate as string;
      await tx.em.update(ReintegrationPlanItem, { id: item.id }, changes);
      await tx.em.update(ReintegrationPlan, { id: plan.id }, { version: plan.version + 1 });
    });
    return ctx.em.findOneByOrFail(ReintegrationPlanItem, { id: input.itemId });
  }

  static async addItem(ctx: Context, input: AddReintegrationItemInput): Promise<ReintegrationPlanItem> {
    requireUserOf(ctx);
    const id = await transactional(ctx, async (tx) => {
      await assertAllowed(tx, ReintegrationPlan, 'ReintegrationPlan', 'update', input.planId, 'ReintegrationPlan');
      const plan = await ReintegrationService.lockPlan(tx, input.planId, input.expectedVersion);
      if (!(await tx.em.exists(Organization, { where: { id: input.ownerOrganizationId } }))) throw badInput('input.ownerOrganizationId', 'names no organization');
      const res = await tx.em.insert(ReintegrationPlanItem, {
        planId: plan.id, kind: input.kind, title: input.title.trim(), ownerOrganizationId: input.ownerOrganizationId, dueDate: input.dueDate,
        mandatory: input.mandatory ?? false, note: input.note ?? null, status: ReintegrationItemStatus.OPEN,
      });
      await tx.em.update(ReintegrationPlan, { id: plan.id }, { version: plan.version + 1 });
      return res.identifiers[0].id as string;
    });
    return ctx.em.findOneByOrFail(ReintegrationPlanItem, { id });
  }

  /** Records that a follow-up visit took place. */
  static async completeFollowUp(ctx: Context, input: CompleteFollowUpInput): Promise<FollowUp> {
    requireUserOf(ctx);
    await transactional(ctx, async (tx) => {
      await assertAllowed(tx, FollowUp, 'FollowUp', 'update', input.followUpId, 'FollowUp');
      const f = await tx.em.createQueryBuilder(FollowUp, 'f').setLock('pessimistic_write').where('f.id = :id', { id: input.followUpId }).getOneOrFail();
      if (f.completedAt) throw badInput('input.followUpId', 'the follow-up is already done');
      await tx.em.update(FollowUp, { id: f.id }, { completedAt: new Date(), note: input.note ?? f.note });
    });
    return ctx.em.findOneByOrFail(FollowUp, { id: input.followUpId });
  }

  /** Tries again to book the plan's future TASK follow-ups as sessions (after the child was placed at a centre). */
  static async scheduleFollowUps(ctx: Context, planId: string): Promise<FollowUp[]> {
    requireUserOf(ctx);
    assertUuid(planId, 'planId');
    await transactional(ctx, async (tx) => {
      await assertAllowed(tx, ReintegrationPlan, 'ReintegrationPlan', 'update', planId, 'ReintegrationPlan');
      const tasks = await tx.em.createQueryBuilder(FollowUp, 'f').setLock('pessimistic_write')
        .where('f.plan_id = :planId AND f.kind = :task AND f.completed_at IS NULL AND f.due_date > CURRENT_DATE', { planId, task: FollowUpKind.TASK })
        .orderBy('f.months').getMany();
      for (const f of tasks) {
        const session = await bookFollowUpSession(tx.em, f.childId, f.dueDate, tx.user?.id ?? null);
        if (session) await tx.em.update(FollowUp, { id: f.id }, { kind: FollowUpKind.SESSION, sessionId: session.id });
      }
    });
    const readable = await allowedIds(ctx, FollowUp, 'FollowUp', 'read', (await ctx.em.find(FollowUp, { where: { planId } })).map((f) => f.id));
    return (await ctx.em.find(FollowUp, { where: { planId }, order: { months: 'ASC' } })).filter((f) => readable.has(f.id));
  }

  private static async lockPlan(tx: Context, planId: string, expectedVersion: number): Promise<ReintegrationPlan> {
    const plan = await tx.em.createQueryBuilder(ReintegrationPlan, 'p').setLock('pessimistic_write').where('p.id = :id', { id: planId }).getOne();
    if (!plan) throw notFound('ReintegrationPlan', planId);
    if (plan.version !== expectedVersion) {
      throw conflict(`Plan ${plan.id} is at version ${plan.version}, not ${expectedVersion}: reload and retry`, { currentVersion: plan.version });
    }
    return plan;
  }
}

// A case that becomes RETURNED (by changeCaseStatus or by completing a return operation) gets its plan.
onCaseTransition(async (tx, c, from, to) => {
  if (to === CaseStatus.RETURNED && from !== CaseStatus.RETURNED) await ReintegrationService.createPlanInTx(tx, c);
});
