import type { Logger as TypeOrmLogger } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { Role } from '../../src/schema/enums';

/** Every statement in order, transaction control included. */
class StatementLog implements TypeOrmLogger {
  statements: string[] = [];
  logQuery(query: string): void { this.statements.push(query); }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

let t: TestApp;
const log = new StatementLog();
beforeAll(async () => { t = await startTestApp({ queryLogger: log }); });
afterAll(async () => { await t.stop(); });

/** Statements that read the case row itself after the transaction committed (a reload that could fail). */
const caseReadsAfterCommit = () => {
  const commit = log.statements.lastIndexOf('COMMIT');
  expect(commit).toBeGreaterThanOrEqual(0);
  return log.statements.slice(commit + 1).filter((q) => /FROM "case_file" "c"/.test(q) || /FROM "case_file" "Case"/.test(q));
};

test('changeCaseStatus answers with what its transaction wrote: no reload of the case after COMMIT', async () => {
  const org = await createOrg(t.app.deps.dataSource);
  const { token } = await createUser(t.app, org, [Role.CASE_WORKER]);
  const { case: c } = await createCase(t.app.deps.dataSource, { lead: org });
  log.statements = [];
  const res = await t.gql(`mutation($id: ID!) { changeCaseStatus(input: { caseId: $id, status: IDENTIFIED, expectedVersion: 1, note: "found" }) { id status version updatedAt } }`, { id: c.id }, token);
  expect(res.errors).toBeUndefined();
  expect(res.data!.changeCaseStatus).toMatchObject({ id: c.id, status: 'IDENTIFIED', version: 2 });
  expect(caseReadsAfterCommit()).toEqual([]);
  const row = (await t.app.deps.dataSource.query('SELECT status, version, updated_at FROM case_file WHERE id = $1', [c.id]))[0];
  expect(row).toMatchObject({ status: 'IDENTIFIED', version: 2 });
  expect(new Date(res.data!.changeCaseStatus.updatedAt).getTime()).toBe(new Date(row.updated_at).getTime());
});

test('updateCase, shareCase and reportChild answer from their transactions too', async () => {
  const ds = t.app.deps.dataSource;
  const org = await createOrg(ds);
  const partner = await createOrg(ds);
  const { token } = await createUser(t.app, org, [Role.CASE_WORKER]);
  const { case: c } = await createCase(ds, { lead: org });
  log.statements = [];
  const upd = await t.gql(`mutation($id: ID!) { updateCase(input: { caseId: $id, expectedVersion: 1, priority: HIGH }) { priority version } }`, { id: c.id }, token);
  expect(upd.data!.updateCase).toEqual({ priority: 'HIGH', version: 2 });
  expect(caseReadsAfterCommit()).toEqual([]);
  log.statements = [];
  const share = await t.gql(`mutation($id: ID!, $o: ID!) { shareCase(input: { caseId: $id, organizationId: $o, access: SUMMARY }) { version } }`, { id: c.id, o: partner.id }, token);
  expect(share.data!.shareCase.version).toBe(3);
  expect(caseReadsAfterCommit()).toEqual([]);
  log.statements = [];
  const rep = await t.gql(`mutation { reportChild(input: { givenName: "Олена", familyName: "Коваль", sex: FEMALE, birthDate: "2013-01-02" }) { status version priority } }`, undefined, token);
  expect(rep.data!.reportChild).toEqual({ status: 'REPORTED', version: 1, priority: 'NORMAL' });
  expect(caseReadsAfterCommit()).toEqual([]);
});
