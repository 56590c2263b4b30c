import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { FollowUp, GuardianVerification, ReintegrationPlan, ReintegrationPlanItem, ReturnOperation, ReturnOperationChild, ReturnOperationOrg, User } from '../entities';
import { CaseStatus } from '../schema/enums';
import {
  FollowUpKind, GuardianVerificationKind, ReintegrationItemKind, ReintegrationItemStatus, ReturnChildOutcome, ReturnDocumentState, ReturnOperationStatus, VerificationStatus,
} from '../schema/returns/enums';
import { FOLLOW_UP_MONTHS } from '../schema/returns/inputs';
import { addMonths } from '../services/returns/followUpScheduling';
import { addDays } from '../services/schedulingData';

const NAME_DONE = 'Operation Lastivka';
const NAME_RUNNING = 'Operation Zhuravel';

const ITEMS: [ReintegrationItemKind, string, number, boolean][] = [
  [ReintegrationItemKind.MEDICAL_CHECK, 'Medical check', 14, true],
  [ReintegrationItemKind.PSYCHOLOGICAL_ASSESSMENT, 'Psychological assessment', 30, true],
  [ReintegrationItemKind.DOCUMENTS_RESTORED, 'Restore identity documents', 60, true],
  [ReintegrationItemKind.SCHOOL_ENROLMENT, 'School enrolment', 45, false],
  [ReintegrationItemKind.FAMILY_SUPPORT, 'Family support', 30, false],
];

interface CaseRow { id: string; child_id: string; lead_organization_id: string; status: CaseStatus }

/**
 * Seeds the rescue and reintegration side of the demo world: one completed return operation (three children
 * home, one who was moved before the handover) and one in progress, both run by the first NGO with the
 * international office; guardian verifications; reintegration plans for returned children, some with
 * overdue follow-ups. Deterministic (ordered by case creation); does nothing when the demo operations exist.
 */
export async function seedReturns(ds: DataSource, opts: { logger?: Pick<Logger, 'info'>; now?: Date } = {}): Promise<{ seeded: boolean; plans: number }> {
  if (await ds.getRepository(ReturnOperation).exists({ where: { name: NAME_DONE } })) return { seeded: false, plans: 0 };
  const now = opts.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const worker = await ds.getRepository(User).findOne({ where: { email: 'case_worker@demo.bkb' } });
  const intlUser = await ds.query(`SELECT id FROM organization WHERE kind = 'INTERNATIONAL_ORGANISATION' ORDER BY created_at LIMIT 1`);
  if (!worker) return { seeded: false, plans: 0 };
  const ngo = worker.organizationId;
  const orgs = [ngo, ...(intlUser[0] ? [intlUser[0].id as string] : [])];
  let plans = 0;
  await ds.transaction(async (em) => {
    const pick = (status: CaseStatus, n: number): Promise<CaseRow[]> => em.query(
      `SELECT id, child_id, lead_organization_id, status FROM case_file WHERE lead_organization_id = $1 AND status = $2
        AND created_by_id IS NOT NULL ORDER BY created_at, id LIMIT $3`, [ngo, status, n],
    );
    // The completed operation: seven months ago, three children home, one moved away before the handover.
    const done = await em.save(em.create(ReturnOperation, {
      name: NAME_DONE, mediator: 'State of Qatar', route: 'Moscow → Doha → Kyiv', handoverPoint: 'Doha, embassy of Ukraine',
      plannedHandoverDate: addMonths(today, -7), actualHandoverDate: addMonths(today, -7), status: ReturnOperationStatus.COMPLETED, version: 6, createdById: worker.id,
    }));
    await em.insert(ReturnOperationOrg, orgs.map((organizationId) => ({ operationId: done.id, organizationId })));
    const home = await pick(CaseStatus.RETURNED, 3);
    const stayed = await pick(CaseStatus.LOCATED, 1);
    for (const c of home) {
      const guardian = await em.query('SELECT id FROM guardian WHERE child_id = $1 ORDER BY created_at, id LIMIT 1', [c.child_id]);
      await em.insert(ReturnOperationChild, {
        operationId: done.id, caseId: c.id, childId: c.child_id, escort: 'Ombudsman office escort', active: false,
        documents: [{ kind: 'birth certificate', state: ReturnDocumentState.VERIFIED }, { kind: 'travel document', state: ReturnDocumentState.VERIFIED }],
        outcome: ReturnChildOutcome.RETURNED, receivingGuardianId: guardian[0]?.id ?? null,
      });
      await em.insert(GuardianVerification, guardian[0]
        ? { caseId: c.id, childId: c.child_id, kind: GuardianVerificationKind.GUARDIAN_IDENTITY, guardianId: guardian[0].id, documentsSeen: ['passport', 'birth certificate of the child'], verifiedById: worker.id, verifiedByOrganizationId: ngo, verifiedAt: new Date(`${addMonths(today, -7)}T09:00:00Z`), status: VerificationStatus.VERIFIED }
        : { caseId: c.id, childId: c.child_id, kind: GuardianVerificationKind.GUARDIANSHIP_AUTHORITY_DECISION, authorityName: 'Kyiv City guardianship service', decisionReference: 'No. 114/2026', decisionDate: addMonths(today, -7), verifiedById: worker.id, verifiedByOrganizationId: ngo, verifiedAt: new Date(`${addMonths(today, -7)}T09:00:00Z`), status: VerificationStatus.VERIFIED });
    }
    for (const c of stayed) {
      await em.insert(ReturnOperationChild, {
        operationId: done.id, caseId: c.id, childId: c.child_id, escort: 'Ombudsman office escort', active: false, documents: [{ kind: 'travel document', state: ReturnDocumentState.REQUESTED }],
        outcome: ReturnChildOutcome.NOT_RETURNED, outcomeNote: 'Moved to another facility two days before the handover',
      });
    }
    // The operation in progress: two children whose cases are RETURN_IN_PROGRESS.
    const running = await em.save(em.create(ReturnOperation, {
      name: NAME_RUNNING, mediator: 'Holy See', route: 'Rostov-on-Don → Minsk → Kyiv', handoverPoint: 'Belarus–Ukraine border crossing',
      plannedHandoverDate: addDays(today, 12), status: ReturnOperationStatus.IN_PROGRESS, version: 4, createdById: worker.id,
    }));
    await em.insert(ReturnOperationOrg, orgs.map((organizationId) => ({ operationId: running.id, organizationId })));
    for (const c of await pick(CaseStatus.RETURN_IN_PROGRESS, 2)) {
      await em.insert(ReturnOperationChild, {
        operationId: running.id, caseId: c.id, childId: c.child_id, escort: 'Grandmother with a mediator', active: true, outcome: ReturnChildOutcome.PENDING,
        documents: [{ kind: 'birth certificate', state: ReturnDocumentState.OBTAINED }, { kind: 'exit permit', state: ReturnDocumentState.REQUESTED }],
      });
    }
    // Plans: the three children of the completed operation (returned seven months ago), and other returned
    // children of every lead organization, returned 2 to 14 months ago.
    const others: CaseRow[] = await em.query(
      `SELECT id, child_id, lead_organization_id, status FROM case_file WHERE status IN ('RETURNED', 'REINTEGRATION', 'AFTERCARE') AND created_by_id IS NOT NULL
        AND id <> ALL($1::uuid[]) ORDER BY created_at, id LIMIT 24`, [home.map((c) => c.id)],
    );
    for (const [i, c] of [...home, ...others].entries()) {
      const returnedOn = i < home.length ? addMonths(today, -7) : addMonths(today, -(2 + (i % 13)));
      await seedPlan(em, c, returnedOn, today, i);
      plans++;
    }
  });
  opts.logger?.info({ operations: 2, plans }, 'seeded return operations and reintegration plans');
  return { seeded: true, plans };
}

async function seedPlan(em: EntityManager, c: CaseRow, returnedOn: string, today: string, i: number): Promise<void> {
  const plan = await em.save(em.create(ReintegrationPlan, { caseId: c.id, childId: c.child_id, returnedOn }));
  // AFTERCARE cases have their mandatory items done (the lifecycle requires it); others are partly done.
  const aftercare = c.status === CaseStatus.AFTERCARE;
  await em.insert(ReintegrationPlanItem, ITEMS.map(([kind, title, days, mandatory], j) => {
    const due = addDays(returnedOn, days);
    const status = aftercare && mandatory ? ReintegrationItemStatus.DONE : due < today && (i + j) % 3 !== 0 ? ReintegrationItemStatus.DONE : ReintegrationItemStatus.OPEN;
    return { planId: plan.id, kind, title, mandatory, dueDate: due, ownerOrganizationId: c.lead_organization_id, status };
  }));
  for (const months of FOLLOW_UP_MONTHS) {
    const due = addMonths(returnedOn, months);
    // Some visits past due were made, some were missed (overdue).
    const made = due < today && (i + months) % 4 !== 0;
    await em.insert(FollowUp, {
      planId: plan.id, caseId: c.id, childId: c.child_id, months, dueDate: due, kind: FollowUpKind.TASK, ownerOrganizationId: c.lead_organization_id,
      completedAt: made ? new Date(`${due}T12:00:00Z`) : null, note: made ? 'Home visit: the child is settling in' : null,
    });
  }
}
