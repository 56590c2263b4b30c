import type { Context } from '../../context';
import type { Case } from '../../entities';
import { appError } from '../../errors';
import { CaseStatus } from '../../schema/enums';
import { ReintegrationItemStatus, VerificationStatus } from '../../schema/returns/enums';

/**
 * Preconditions of case transitions owned by reunification and reintegration, checked inside the
 * transaction (after the case row is locked) by every path that changes a status: changeCaseStatus and
 * the return-operation flows. One function, so the rule cannot be written twice and disagree.
 */
export async function assertCaseTransitionAllowed(tx: Context, c: Case, to: CaseStatus, opts: { byReturnOperation?: boolean } = {}): Promise<void> {
  if (!opts.byReturnOperation && c.status === CaseStatus.RETURN_IN_PROGRESS) {
    // A child in an open return operation leaves RETURN_IN_PROGRESS through the operation (complete, fail,
    // cancel), so that the operation and the case never disagree.
    const [row]: { busy: boolean }[] = await tx.em.query(`SELECT EXISTS (SELECT 1 FROM return_operation_child WHERE case_id = $1 AND active) AS busy`, [c.id]);
    if (row.busy) {
      throw appError('INVALID_TRANSITION', `Case ${c.id} is in an open return operation: complete, fail or cancel the operation instead`, {
        from: c.status, to, reason: 'IN_RETURN_OPERATION',
      });
    }
  }
  if (to === CaseStatus.RETURNED) {
    const [row]: { ok: boolean }[] = await tx.em.query(
      `SELECT EXISTS (SELECT 1 FROM guardian_verification WHERE case_id = $1 AND status = $2) AS ok`, [c.id, VerificationStatus.VERIFIED],
    );
    if (!row.ok) {
      throw appError('INVALID_TRANSITION', `Case ${c.id} cannot become RETURNED without a verified receiving guardian or a recorded guardianship-authority decision`, {
        from: c.status, to, reason: 'GUARDIAN_NOT_VERIFIED',
      });
    }
  }
  if (to === CaseStatus.AFTERCARE) {
    const open: { title: string }[] = await tx.em.query(
      `SELECT i.title FROM reintegration_item i JOIN reintegration_plan p ON p.id = i.plan_id
        WHERE p.case_id = $1 AND i.mandatory AND i.status <> $2 ORDER BY i.due_date, i.title`, [c.id, ReintegrationItemStatus.DONE],
    );
    if (open.length > 0) {
      throw appError('INVALID_TRANSITION', `Case ${c.id} cannot move to AFTERCARE before the plan's mandatory items are done: ${open.map((o) => o.title).join(', ')}`, {
        from: c.status, to, reason: 'MANDATORY_ITEMS_OPEN', openItems: open.map((o) => o.title),
      });
    }
  }
}

export type CaseTransitionHook = (tx: Context, c: Case, from: CaseStatus, to: CaseStatus) => Promise<void>;
const hooks: CaseTransitionHook[] = [];

/**
 * Registers work that follows a transition in the same transaction (a returned child gets its
 * reintegration plan and follow-ups). A registry rather than an import keeps CaseService below the
 * scheduling services it would otherwise reach (BookingService imports CaseService).
 */
export function onCaseTransition(hook: CaseTransitionHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

/** Runs the registered hooks; called by every path that changes a case status, before its event is recorded. */
export async function afterCaseTransition(tx: Context, c: Case, from: CaseStatus, to: CaseStatus): Promise<void> {
  for (const hook of hooks) await hook(tx, c, from, to);
}
