import { subject } from '@casl/ability';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { defineAbilityFor } from '../../src/auth/ability';
import { accessCondition } from '../../src/auth/caslToSql';
import type { Organization } from '../../src/entities';
import { Role, ShareAccess } from '../../src/schema/enums';
import { createCase, createOrg } from '../factories';
import { createCentre } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';

/**
 * For random worlds and random users, CASL's in-memory answer (`ability.can('read', record)`) and
 * our SQL translation of the same rules select exactly the same cases, children and guardians.
 */
let t: TestApp;
let ds: DataSource;
let orgs: Organization[];
let centres: string[];

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  orgs = [];
  for (let i = 0; i < 4; i++) orgs.push(await createOrg(ds));
  centres = [];
  for (let i = 0; i < 2; i++) centres.push((await createCentre(ds)).id);
});

const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
afterAll(async () => { await t.stop(); });

const access = fc.constantFrom(ShareAccess.FULL, ShareAccess.SUMMARY);
const caseSpec = fc.record({
  lead: fc.integer({ min: 0, max: 3 }),
  shares: fc.uniqueArray(fc.record({ org: fc.integer({ min: 0, max: 3 }), access }), { selector: (s) => s.org, maxLength: 3 }),
  // Placements at the two centres, ended (to in the past), current, or open-ended (null).
  placements: fc.array(fc.record({ centre: fc.integer({ min: 0, max: 1 }), to: fc.option(fc.integer({ min: -30, max: 30 }), { nil: null }) }), { maxLength: 2 }),
});
const userSpec = fc.record({
  org: fc.integer({ min: 0, max: 3 }),
  roles: fc.uniqueArray(fc.constantFrom(...Object.values(Role)), { minLength: 0, maxLength: 3 }),
  centres: fc.uniqueArray(fc.integer({ min: 0, max: 1 }), { maxLength: 2 }),
});

async function sqlIds(table: string, subjectName: string, ids: string[], ability: ReturnType<typeof defineAbilityFor>): Promise<string[]> {
  const cond = accessCondition(ability, 'read', subjectName, 'x');
  const qb = ds.createQueryBuilder().select('x.id', 'id').from(table, 'x').where('x.id IN (:...ids)', { ids }).andWhere(cond.sql, cond.params);
  return (await qb.getRawMany()).map((r) => r.id).sort();
}

test('ability.can agrees with the SQL filter for cases, children and guardians', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(caseSpec, { minLength: 1, maxLength: 8 }), fc.array(userSpec, { minLength: 1, maxLength: 4 }), async (cases, users) => {
      const made: { c: Awaited<ReturnType<typeof createCase>>['case']; child: Awaited<ReturnType<typeof createCase>>['child']; shares: { org: Organization; access: ShareAccess }[]; guardians: { id: string }[]; placements: { centreId: string; to: string | null }[] }[] = [];
      for (const spec of cases) {
        const shares = spec.shares.filter((s) => s.org !== spec.lead).map((s) => ({ org: orgs[s.org], access: s.access }));
        const { case: c, child } = await createCase(ds, { lead: orgs[spec.lead], shares });
        const guardians = await ds.query('SELECT id, child_id FROM guardian WHERE child_id = $1', [child.id]);
        const placements = spec.placements.map((p) => ({ centreId: centres[p.centre], to: p.to === null ? null : day(p.to) }));
        for (const p of placements) {
          await ds.query('INSERT INTO placement (child_id, centre_id, from_date, to_date) VALUES ($1, $2, $3, $4)', [child.id, p.centreId, day(-60), p.to]);
        }
        made.push({ c, child, shares, guardians, placements });
      }
      for (const u of users) {
        const ability = defineAbilityFor({ id: 'u', organizationId: orgs[u.org].id, roles: u.roles, centreIds: u.centres.map((i) => centres[i]), specialistId: null });
        const facts = (m: (typeof made)[number]) => ({
          id: m.c.id, leadOrganizationId: m.c.leadOrganizationId, shares: m.shares.map((s) => ({ organizationId: s.org.id, access: s.access })),
        });
        const memCases = made.filter((m) => ability.can('read', subject('Case', { ...m.c, shares: facts(m).shares }))).map((m) => m.c.id).sort();
        const memChildren = made.filter((m) => ability.can('read', subject('Child', { ...m.child, case: facts(m), placements: m.placements }))).map((m) => m.child.id).sort();
        const memGuardians = made.flatMap((m) => m.guardians.filter(() => ability.can('read', subject('Guardian', { child: { case: facts(m), placements: m.placements } }))).map((g) => g.id)).sort();
        expect(await sqlIds('case_file', 'Case', made.map((m) => m.c.id), ability)).toEqual(memCases);
        expect(await sqlIds('child', 'Child', made.map((m) => m.child.id), ability)).toEqual(memChildren);
        expect(await sqlIds('guardian', 'Guardian', made.flatMap((m) => m.guardians.map((g) => g.id)), ability)).toEqual(memGuardians);
      }
    }),
    { numRuns: 40, seed: Number(process.env.PROPERTY_SEED ?? 4242) },
  );
});
