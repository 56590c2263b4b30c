import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { Role } from '../../src/schema/enums';

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(async () => { await t.stop(); });

test('a case worker reads the case its organization leads', async () => {
  const org = await createOrg(t.app.deps.dataSource);
  const { token } = await createUser(t.app, org, [Role.CASE_WORKER]);
  const { case: c } = await createCase(t.app.deps.dataSource, { lead: org });
  const res = await t.gql('query($id: ID!) { case(id: $id) { id status child { familyName healthNotes } } }', { id: c.id }, token);
  expect(res.errors).toBeUndefined();
  expect(res.data?.case.id).toBe(c.id);
  expect(res.data?.case.child.healthNotes).toBe('Asthma');
});
