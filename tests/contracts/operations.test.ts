import { AuthService } from '../../src/services/AuthService';
import { User } from '../../src/entities';
import { OrganizationKind, Role } from '../../src/schema/enums';
import { createCase, createOrg } from '../factories';
import {
  CaseDocument, CasesDocument, CasesNestedDocument, ChangeCaseStatusDocument, ChildDocument, LoginDocument, MeDocument,
  OrganizationsDocument, ReportChildDocument, ShareCaseDocument, UnshareCaseDocument, UpdateCaseDocument, UpdateChildDocument,
} from '../generated/graphql';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { gqlTyped } from '../helpers/typed';

/*
 * The committed typed documents run against the real hub: each operation in tests/operations executes
 * without errors for a case worker working their own organization's case, and the typed results line up.
 */

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(async () => { await t?.stop(); });

test('the typed operations run end to end for a case worker', async () => {
  const ds = t.app.deps.dataSource;
  const org = await createOrg(ds);
  const partner = await createOrg(ds, OrganizationKind.NGO);
  const email = `typed-${Date.now().toString(36)}@test.bkb`;
  await ds.getRepository(User).save({
    email, displayName: 'Typed client', roles: [Role.CASE_WORKER], organizationId: org.id, passwordHash: await AuthService.hashPassword('secret-pass'),
  });

  const login = await gqlTyped(t, LoginDocument, { email, password: 'secret-pass' });
  expect(login.errors).toBeUndefined();
  const token = login.data!.login.token;
  expect(login.data!.login.user.email).toBe(email);

  const me = await gqlTyped(t, MeDocument, {}, token);
  expect(me.data?.me.email).toBe(email);
  expect(me.data?.me.organization?.id).toBe(org.id);

  const orgs = await gqlTyped(t, OrganizationsDocument, {}, token);
  expect(orgs.errors).toBeUndefined();
  expect(orgs.data!.organizations.map((o) => o.id)).toEqual(expect.arrayContaining([org.id]));

  const reported = await gqlTyped(t, ReportChildDocument, {
    input: { givenName: 'Олена', familyName: 'Коваль', sex: 'FEMALE', birthDate: '2013-03-02', homeOblast: 'Kherson', guardians: [{ relation: 'mother', name: 'Марія Коваль' }] },
  }, token);
  expect(reported.errors).toBeUndefined();
  const c = reported.data!.reportChild;
  expect(c.status).toBe('REPORTED');
  const childId = c.child!.id;

  const read = await gqlTyped(t, CaseDocument, { id: c.id }, token);
  expect(read.errors).toBeUndefined();
  expect(read.data!.case?.child?.guardians?.map((g) => g.name)).toEqual(['Марія Коваль']);
  expect(read.data!.case?.events?.edges[0].node.to).toBe('REPORTED');

  const child = await gqlTyped(t, ChildDocument, { id: childId }, token);
  expect(child.data?.child?.case?.id).toBe(c.id);

  const changed = await gqlTyped(t, ChangeCaseStatusDocument, { input: { caseId: c.id, status: 'IDENTIFIED', expectedVersion: c.version, note: 'typed client' } }, token);
  expect(changed.errors).toBeUndefined();
  expect(changed.data!.changeCaseStatus.status).toBe('IDENTIFIED');

  const updated = await gqlTyped(t, UpdateCaseDocument, { input: { caseId: c.id, expectedVersion: changed.data!.changeCaseStatus.version, lastKnownCountry: 'RU' } }, token);
  expect(updated.errors).toBeUndefined();
  expect(updated.data!.updateCase.lastKnownCountry).toBe('RU');

  const renamed = await gqlTyped(t, UpdateChildDocument, { input: { childId, expectedVersion: child.data!.child!.version, aliases: ['Елена'] } }, token);
  expect(renamed.errors).toBeUndefined();
  expect(renamed.data!.updateChild.aliases).toEqual(['Елена']);

  const shared = await gqlTyped(t, ShareCaseDocument, { input: { caseId: c.id, organizationId: partner.id, access: 'SUMMARY' } }, token);
  expect(shared.errors).toBeUndefined();
  expect(shared.data!.shareCase.shares?.map((s) => s.organization?.id)).toEqual([partner.id]);

  const unshared = await gqlTyped(t, UnshareCaseDocument, { input: { caseId: c.id, organizationId: partner.id } }, token);
  expect(unshared.errors).toBeUndefined();
  expect(unshared.data!.unshareCase.shares).toEqual([]);

  await createCase(ds, { lead: org });
  const page = await gqlTyped(t, CasesDocument, { filter: { leadOrganizationId: org.id }, first: 1 }, token);
  expect(page.errors).toBeUndefined();
  expect(page.data!.cases.totalCount).toBe(2);
  expect(page.data!.cases.edges).toHaveLength(1);
  const next = await gqlTyped(t, CasesDocument, { filter: { leadOrganizationId: org.id }, first: 1, after: page.data!.cases.pageInfo.endCursor }, token);
  expect(next.data!.cases.edges).toHaveLength(1);
  expect(next.data!.cases.edges[0].node.id).not.toBe(page.data!.cases.edges[0].node.id);

  const nested = await gqlTyped(t, CasesNestedDocument, { first: 20 }, token);
  expect(nested.errors).toBeUndefined();
  expect(nested.data!.cases.edges.length).toBeGreaterThanOrEqual(2);
});
