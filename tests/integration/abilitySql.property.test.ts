import { subject } from '@casl/ability';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { defineAbilityFor } from '../../src/auth/ability';
import { loadChildReach } from '../../src/auth/access/accessFacts';
import { accessCondition } from '../../src/auth/caslToSql';
import type { Organization } from '../../src/entities';
import { CaseEventKind, Role, ShareAccess } from '../../src/schema/enums';
import { createCase, createOrg } from '../factories';
import { createCentre, createSpecialist } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';

/**
 * For random worlds and random users, CASL's in-memory answer (`ability.can('read', record)`) and
 * our SQL translation of the same rules select exactly the same cases, children, guardians and case
 * events, for every role: centre coordinators through placements and referrals, specialists through
 * assignments, SUMMARY partners through status events only.
 */
let t: TestApp;
let ds: DataSource;
let orgs: Organization[];
let centres: string[];
/** The organization operating each centre (orgs[0] and orgs[1]). */
let operators: Record<string, string>;
let specialists: string[];

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  orgs = [];
  for (let i = 0; i < 4; i++) orgs.push(await createOrg(ds));
  centres = [];
  operators = {};
  specialists = [];
  for (let i = 0; i < 2; i++) {
    const centre = await createCentre(ds, { org: orgs[i] });
    centres.push(centre.id);
    operators[centre.id] = orgs[i].id;
    specialists.push((await createSpecialist(ds, centre)).id);
  }
});

const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
afterAll(async () => { await t.stop(); });

const access = fc.constantFrom(ShareAccess.FULL, ShareAccess.SUMMARY);
const caseSpec = fc.record({
  lead: fc.integer({ min: 0, max: 3 }),
  shares: fc.uniqueArray(fc.record({ org: fc.integer({ min: 0, max: 3 }), access }), { selector: (s) => s.org, maxLength: 3 }),
  // Placements at the two centres, ended (to in the past), current, or open-ended (null).
  placements: fc.array(fc.record({ centre: fc.integer({ min: 0, max: 1 }), to: fc.option(fc.integer({ min: -30, max: 30 }), { nil: null }) }), { maxLength: 2 }),
  assignments: fc.uniqueArray(fc.record({ centre: fc.integer({ min: 0, max: 1 }), specialist: fc.integer({ min: 0, max: 1 }) }), { selector: (a) => a.centre, maxLength: 2 }),
  events: fc.array(fc.constantFrom(...Object.values(CaseEventKind)), { maxLength: 3 }),
});
const userSpec = fc.record({
  org: fc.integer({ min: 0, max: 3 }),
  roles: fc.uniqueArray(fc.constantFrom(...Object.values(Role)), { minLength: 0, maxLength: 3 }),
  centres: fc.uniqueArray(fc.integer({ min: 0, max: 1 }), { maxLength: 2 }),
  specialist: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }),
});

async function sqlIds(table: string, subjectName: string, ids: string[], ability: ReturnType<typeof defineAbilityFor>): Promise<string[]> {
  const cond = accessCondition(ability, 'read', subjectName, 'x');
  const qb = ds.createQueryBuilder().select('x.id', 'id').from(table, 'x').where('x.id IN (:...ids)', { ids }).andWhere(cond.sql, cond.params);
  return (await qb.getRawMany()).map((r) => r.id).sort();
}

test('ability.can agrees with the SQL filter for cases, children, guardians and events', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(caseSpec, { minLength: 1, maxLength: 8 }), fc.array(userSpec, { minLength: 1, maxLength: 4 }), async (cases, users) => {
      const made: { c: Awaited<ReturnType<typeof createCase>>['case']; child: Awaited<ReturnType<typeof createCase>>['child']; shares: { org: Organization; access: ShareAccess }[]; guardians: { id: string }[]; placements: { centreId: string; to: string | null }[]; events: { id: string; kind: CaseEventKind }[] }[] = [];
      for (const spec of cases) {
        const shares = spec.shares.filter((s) => s.org !== spec.lead).map((s) => ({ org: orgs[s.org], access: s.access }));
        const { case: c, child } = await createCase(ds, { lead: orgs[spec.lead], shares });
        const guardians = await ds.query('SELECT id, child_id FROM guardian WHERE child_id = $1', [child.id]);
        const placements = spec.placements.map((p) => ({ centreId: centres[p.centre], to: p.to === null ? null : day(p.to) }));
        for (const p of placements) {
          await ds.query('INSERT INTO placement (child_id, centre_id, from_date, to_date) VALUES ($1, $2, $3, $4)', [child.id, p.centreId, day(-60), p.to]);
        }
        for (const a of spec.assignments) {
          await ds.query('INSERT INTO assignment (child_id, centre_id, specialist_id, discipline) VALUES ($1, $2, $3, $4)', [child.id, centres[a.centre], specialists[a.specialist], 'PSYCHOLOGIST']);
        }
        const events: { id: string; kind: CaseEventKind }[] = [];
        for (const kind of spec.events) {
          events.push((await ds.query('INSERT INTO case_event (case_id, kind, to_status) VALUES ($1, $2, $3) RETURNING id::text AS id, kind', [c.id, kind, 'REPORTED']))[0]);
        }
        made.push({ c, child, shares, guardians, placements, events });
      }
      // What in-memory checks see of placements and assignments: the loader the field guard uses.
      const reach = await loadChildReach(ds.manager, made.map((m) => m.child.id));
      for (const u of users) {
        const centreIds = u.centres.map((i) => centres[i]);
        const ability = defineAbilityFor({
          id: 'u', organizationId: orgs[u.org].id, roles: u.roles, centreIds,
          centreOperators: Object.fromEntries(centreIds.map((id) => [id, operators[id]])), specialistId: u.specialist === null ? null : specialists[u.specialist],
        });
        const facts = (m: (typeof made)[number]) => ({
          id: m.c.id, leadOrganizationId: m.c.leadOrganizationId, shares: m.shares.map((s) => ({ organizationId: s.org.id, access: s.access })),
        });
        const memCases = made.filter((m) => ability.can('read', subject('Case', { ...m.c, shares: facts(m).shares }))).map((m) => m.c.id).sort();
        const memChildren = made.filter((m) => ability.can('read', subject('Child', { ...m.child, case: facts(m), ...reach.get(m.child.id) }))).map((m) => m.child.id).sort();
        const memGuardians = made.flatMap((m) => m.guardians.filter(() => ability.can('read', subject('Guardian', { child: { case: facts(m), ...reach.get(m.child.id) } }))).map((g) => g.id)).sort();
        const memEvents = made.flatMap((m) => m.events.filter((e) => ability.can('read', subject('CaseEvent', { id: e.id, kind: e.kind, caseId: m.c.id, case: facts(m) }))).map((e) => e.id)).sort();
        expect(await sqlIds('case_file', 'Case', made.map((m) => m.c.id), ability)).toEqual(memCases);
        expect(await sqlIds('child', 'Child', made.map((m) => m.child.id), ability)).toEqual(memChildren);
        expect(await sqlIds('guardian', 'Guardian', made.flatMap((m) => m.guardians.map((g) => g.id)), ability)).toEqual(memGuardians);
        const eventIds = made.flatMap((m) => m.events.map((e) => e.id));
        if (eventIds.length) expect(await sqlIds('case_event', 'CaseEvent', eventIds, ability)).toEqual(memEvents);
      }
    }),
    { numRuns: 40, seed: Number(process.env.PROPERTY_SEED ?? 4242) },
  );
});
