import type { DataSource } from 'typeorm';
import { GuardianVerification, ReturnOperation, ReturnOperationChild, ReturnOperationOrg, type Case, type Organization } from '../../src/entities';
import { GuardianVerificationKind, ReturnChildOutcome, ReturnOperationStatus, VerificationStatus } from '../../src/schema/returns/enums';

/** A return operation run by these organizations, written straight to the database. */
export async function createReturnOperation(
  ds: DataSource, orgs: Organization[], opts: { status?: ReturnOperationStatus; cases?: Case[]; route?: string } = {},
): Promise<ReturnOperation> {
  const op = await ds.getRepository(ReturnOperation).save({
    name: `Operation ${Math.random().toString(36).slice(2, 8)}`, mediator: 'State of Qatar', route: opts.route ?? 'Moscow → Minsk → Kyiv',
    handoverPoint: 'Belarus–Ukraine border', plannedHandoverDate: '2027-01-15', status: opts.status ?? ReturnOperationStatus.PLANNING,
  });
  await ds.getRepository(ReturnOperationOrg).insert(orgs.map((o) => ({ operationId: op.id, organizationId: o.id })));
  for (const c of opts.cases ?? []) {
    await ds.getRepository(ReturnOperationChild).insert({
      operationId: op.id, caseId: c.id, childId: c.childId, escort: 'Escort A', documents: [{ kind: 'passport', state: 'OBTAINED' as never }], outcome: ReturnChildOutcome.PENDING, active: true,
    });
  }
  return op;
}

/** A verified guardian (identity checked) for a case: what RETURNED needs. */
export async function verifyGuardian(ds: DataSource, c: Case): Promise<GuardianVerification> {
  const [g] = await ds.query('SELECT id FROM guardian WHERE child_id = $1 LIMIT 1', [c.childId]);
  return ds.getRepository(GuardianVerification).save({
    caseId: c.id, childId: c.childId, kind: GuardianVerificationKind.GUARDIAN_IDENTITY, guardianId: g.id, documentsSeen: ['passport'],
    verifiedAt: new Date(), status: VerificationStatus.VERIFIED,
  });
}
