import type { DataSource } from 'typeorm';
import { CaseEvent, Organization } from '../../src/entities';
import { CaseEventKind, CaseStatus, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, createSpecialist, placeChild, specialistUser } from '../factories/scheduling';
import { startTestApp, type TestApp } from './testApp';

/*
 * The compiled read path's differential set-up (issue 11), shared by fastPath.test.ts and fastPathFuzz.test.ts:
 * two hubs on one database, one with the fast path (the default) and one with READ_FAST_PATH=false, cases of every
 * kind a reader meets (led, shared FULL / SUMMARY, none shared, guardians or none, events with notes) and a user
 * of every demo role plus a partner case worker and a two-role user.
 */

export interface FastPathFixture {
  fast: TestApp;
  slow: TestApp;
  ds: DataSource;
  tokens: Map<string, string>;
  /** The case worker's organization (leads most cases) and its partner (shared FULL or SUMMARY). */
  own: Organization;
  partner: Organization;
}

export const READERS = [Role.COORDINATOR, Role.CASE_WORKER, Role.INVESTIGATOR, Role.ANALYST, Role.ORG_ADMIN, Role.CENTRE_COORDINATOR, Role.SPECIALIST, 'PARTNER_CASE_WORKER', 'CASE_WORKER+INVESTIGATOR'];

export async function setUpFastPathFixture(): Promise<FastPathFixture> {
  const fast = await startTestApp();
  const slow = await startTestApp({ env: { READ_FAST_PATH: 'false' } });
  const ds = fast.app.deps.dataSource;
  const tokens = new Map<string, string>();
  const own = await createOrg(ds);
  const partner = await createOrg(ds);
  const other = await createOrg(ds);
  const statuses = Object.values(CaseStatus);
  // Cases led by the case worker's organization and by others, shared FULL and SUMMARY, with guardians (two or
  // none), a history longer than three events (notes, kinds a SUMMARY reader may not see) and no shares at all.
  for (let i = 0; i < 26; i++) {
    const lead = i % 3 === 0 ? other : own;
    const shares = i % 7 === 6 ? [] : lead === own
      ? [{ org: partner, access: i % 2 ? ShareAccess.FULL : ShareAccess.SUMMARY }]
      : [{ org: own, access: i % 2 ? ShareAccess.FULL : ShareAccess.SUMMARY }, { org: partner, access: ShareAccess.FULL }];
    const { case: c, child } = await createCase(ds, {
      lead, status: statuses[i % statuses.length], shares,
      guardians: i % 5 === 4 ? [] : [{ name: `Guardian ${i}`, contact: '+380' }, { name: `Second ${i}`, contact: null as unknown as string }],
      latinName: i % 2 ? `Latin ${i}` : undefined,
    });
    // Aliases, some of them from a confirmed trace (shown only to readers of the child's match candidates).
    if (i % 4 !== 3) {
      await ds.query(`UPDATE child SET aliases = $2, trace_aliases = $3 WHERE id = $1`,
        [child.id, [`Alias ${i}`, `Trace ${i}`, `Олена ${i}`], i % 4 === 0 ? [] : i % 4 === 1 ? [`Trace ${i}`] : [`Trace ${i}`, `Alias ${i}`]]);
    }
    for (let k = 0; k < i % 5; k++) {
      await ds.getRepository(CaseEvent).insert({
        caseId: c.id, kind: k % 2 ? CaseEventKind.UPDATED : CaseEventKind.STATUS_CHANGED, from: statuses[k], to: statuses[k + 1], note: k % 2 ? `note ${i}/${k}` : null,
      });
    }
  }
  for (const role of [Role.COORDINATOR, Role.CASE_WORKER, Role.INVESTIGATOR, Role.ANALYST, Role.ORG_ADMIN]) {
    const org = role === Role.CASE_WORKER ? own : role === Role.COORDINATOR
      ? await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL)
      : await createOrg(ds, role === Role.INVESTIGATOR ? OrganizationKind.PROSECUTOR : OrganizationKind.NGO);
    tokens.set(role, (await createUser(fast.app, org, [role])).token);
  }
  tokens.set('PARTNER_CASE_WORKER', (await createUser(fast.app, partner, [Role.CASE_WORKER])).token);
  tokens.set('CASE_WORKER+INVESTIGATOR', (await createUser(fast.app, own, [Role.CASE_WORKER, Role.INVESTIGATOR])).token);
  const centre = await createCentre(ds);
  const { child } = await createCase(ds, { lead: own, shares: [{ org: await ds.getRepository(Organization).findOneByOrFail({ id: centre.organizationId }), access: ShareAccess.FULL }] });
  await placeChild(ds, centre, child);
  tokens.set(Role.CENTRE_COORDINATOR, (await centreCoordinator(fast.app, [centre])).token);
  tokens.set(Role.SPECIALIST, (await specialistUser(fast.app, centre, await createSpecialist(ds, centre))).token);
  return { fast, slow, ds, tokens, own, partner };
}
