import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { Case, CaseEvent, CaseShare, Child, Guardian, Organization, User } from '../entities';
import { BirthDatePrecision, CaseEventKind, CasePriority, CaseStatus, CloseReason, OrganizationKind, Role, Sex, ShareAccess } from '../schema/enums';
import { AuthService } from '../services/AuthService';
import { LIFECYCLE } from '../services/caseLifecycle';
import { searchText, transliterate } from '../services/transliteration';
import { seedScheduling } from './seedScheduling';
import { seedReturns } from './seedReturns';
import { seedEvidence, type EvidenceSeedOptions } from './seedEvidence';
import { prng } from './prng';
import { seedIdentification } from './seedIdentification';
import {
  CIRCUMSTANCES, DESTINATIONS, FAMILY_COMMON, FAMILY_GENDERED, GIVEN_FEMALE, GIVEN_MALE, GUARDIAN_RELATIONS, HOME_OBLASTS, PATRONYMICS, RUSSIFIED, TOWNS,
} from './demoNames';

export interface SeedOptions {
  password: string;
  logger?: Pick<Logger, 'info'>;
  children?: number;
  /** Fixed seed: the same demo world every time. */
  seed?: number;
  /** Seed beside existing users (the test suite's shared database); the hub never does. */
  besideExistingData?: boolean;
  /** Seed incidents and evidence (needs the audit log and the evidence store); skipped when absent. */
  evidence?: Omit<EvidenceSeedOptions, 'logger'>;
}

export const DEMO_ORGS = [
  { key: 'council', name: 'Coordination Council for the Return of Children', kind: OrganizationKind.COORDINATION_COUNCIL },
  { key: 'bureau', name: 'National Information Bureau', kind: OrganizationKind.GOVERNMENT_AGENCY },
  { key: 'ngoA', name: 'Nadiia Children\'s Fund', kind: OrganizationKind.NGO },
  { key: 'ngoB', name: 'Ridnyi Dim Foundation', kind: OrganizationKind.NGO },
  { key: 'intl', name: 'International Partners Liaison Office', kind: OrganizationKind.INTERNATIONAL_ORGANISATION },
  { key: 'prosecutor', name: 'Office of the Prosecutor General — Children\'s Unit', kind: OrganizationKind.PROSECUTOR },
  { key: 'crpc', name: 'Children\'s Rights Protection Centre (CRPC)', kind: OrganizationKind.REHABILITATION_CENTRE_OPERATOR },
] as const;

export const DEMO_USERS = [
  { email: 'coordinator@demo.bkb', name: 'Council Coordinator', roles: [Role.COORDINATOR], org: 'council' },
  { email: 'case_worker@demo.bkb', name: 'Case Worker (Nadiia)', roles: [Role.CASE_WORKER], org: 'ngoA' },
  { email: 'case_worker2@demo.bkb', name: 'Case Worker (Ridnyi Dim)', roles: [Role.CASE_WORKER], org: 'ngoB' },
  { email: 'investigator@demo.bkb', name: 'Investigator', roles: [Role.INVESTIGATOR], org: 'prosecutor' },
  { email: 'centre_coordinator@demo.bkb', name: 'Centre Coordinator', roles: [Role.CENTRE_COORDINATOR], org: 'crpc' },
  { email: 'specialist@demo.bkb', name: 'Specialist (psychologist)', roles: [Role.SPECIALIST], org: 'crpc' },
  { email: 'analyst@demo.bkb', name: 'Analyst', roles: [Role.ANALYST], org: 'bureau' },
  { email: 'org_admin@demo.bkb', name: 'Organization Admin (Nadiia)', roles: [Role.ORG_ADMIN], org: 'ngoA' },
] as const;

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Seeds the demo world on an empty database: organizations of every kind, one user per role, and
 * a few hundred children with cases over every status. Does nothing when the demo users exist.
 */
export async function seedDemo(ds: DataSource, opts: SeedOptions): Promise<{ seeded: boolean; children: number }> {
  const log = opts.logger ?? { info: () => undefined };
  if (await ds.getRepository(User).exists({ where: { email: DEMO_USERS[0].email } })) return { seeded: false, children: 0 };
  // Demo accounts have a published password: never add them to a database that holds real users.
  if (!opts.besideExistingData && (await ds.getRepository(User).exists({}))) {
    log.info('the database already has users: not seeding the demo world');
    return { seeded: false, children: 0 };
  }
  const total = opts.children ?? 320;
  const rnd = prng(opts.seed ?? 20220224);
  log.info({ children: total }, 'seeding the demo world');
  await ds.transaction(async (em) => {
    const orgs = new Map<string, Organization>();
    for (const o of DEMO_ORGS) orgs.set(o.key, await em.save(em.create(Organization, { name: o.name, kind: o.kind, country: o.kind === OrganizationKind.INTERNATIONAL_ORGANISATION ? null : 'UA' })));
    const users = new Map<string, User>();
    for (const u of DEMO_USERS) {
      users.set(u.email, await em.save(em.create(User, {
        email: u.email, displayName: u.name, roles: [...u.roles], organizationId: orgs.get(u.org)!.id, passwordHash: await AuthService.hashPassword(opts.password),
      })));
    }
    const leads = [orgs.get('ngoA')!, orgs.get('ngoB')!, orgs.get('bureau')!];
    const leadActors = [users.get('case_worker@demo.bkb')!, users.get('case_worker2@demo.bkb')!, users.get('coordinator@demo.bkb')!];
    const batch = 40;
    for (let start = 0; start < total; start += batch) {
      await seedChildren(em, rnd, start, Math.min(total, start + batch), leads, leadActors, orgs);
      log.info({ done: Math.min(total, start + batch), total }, 'seeding children');
    }
  });
  await seedScheduling(ds, { logger: log });
  await seedReturns(ds, { logger: log });
  if (opts.evidence) await seedEvidence(ds, { logger: log, ...opts.evidence });
  await seedIdentification(ds, { logger: log });
  log.info({ children: total }, 'demo world seeded');
  return { seeded: true, children: total };
}

async function seedChildren(
  em: EntityManager, rnd: ReturnType<typeof prng>, from: number, to: number,
  leads: Organization[], leadActors: User[], orgs: Map<string, Organization>,
): Promise<void> {
  const statuses = LIFECYCLE;
  for (let i = from; i < to; i++) {
    const female = rnd.chance(0.5);
    const given = rnd.pick(female ? GIVEN_FEMALE : GIVEN_MALE);
    const gendered = rnd.chance(0.2) ? rnd.pick(FAMILY_GENDERED) : null;
    const family = gendered ? gendered[female ? 1 : 0] : rnd.pick(FAMILY_COMMON);
    const patronymic = rnd.chance(0.85) ? rnd.pick(PATRONYMICS)[female ? 1 : 0] : null;
    const oblast = rnd.pick(HOME_OBLASTS);
    const town = rnd.pick(TOWNS[oblast]);
    const born = new Date(Date.UTC(rnd.int(2007, 2021), rnd.int(0, 11), rnd.int(1, 28)));
    const precision = rnd.chance(0.8) ? BirthDatePrecision.EXACT : rnd.pick([BirthDatePrecision.MONTH, BirthDatePrecision.YEAR, BirthDatePrecision.ESTIMATED]);
    const aliases = RUSSIFIED[given] && rnd.chance(0.5) ? [RUSSIFIED[given]] : [];
    const dest = rnd.pick(DESTINATIONS);
    const child = em.create(Child, {
      givenName: given, familyName: family, patronymic,
      latinName: transliterate([given, patronymic, family].filter(Boolean).join(' ')),
      aliases, birthDate: isoDate(born), birthDatePrecision: precision,
      sex: female ? Sex.FEMALE : Sex.MALE, placeOfBirth: town, homeOblast: oblast,
      languages: rnd.chance(0.7) ? ['uk', 'ru'] : ['uk'],
      currentLocation: rnd.chance(0.6) ? `${dest[0]}, ${dest[1]}` : null,
      healthNotes: rnd.chance(0.3) ? rnd.pick(['Asthma; needs an inhaler.', 'Sleep disturbance, nightmares.', 'Type 1 diabetes.', 'Hearing impairment, left ear.']) : null,
    });
    child.searchText = searchText([child.givenName, child.familyName, child.patronymic, child.latinName, ...aliases]);
    await em.save(child);
    const guardians = rnd.int(0, 2);
    for (let g = 0; g < guardians; g++) {
      await em.insert(Guardian, {
        childId: child.id, relation: rnd.pick(GUARDIAN_RELATIONS),
        name: `${rnd.pick(rnd.chance(0.7) ? GIVEN_FEMALE : GIVEN_MALE)} ${family}`,
        contact: `+380 ${rnd.int(50, 99)} ${rnd.int(100, 999)} ${rnd.int(10, 99)} ${rnd.int(10, 99)}`,
        verified: rnd.chance(0.6),
      });
    }
    const leadIdx = i % leads.length;
    const statusIdx = i % statuses.length;
    const status = statuses[statusIdx];
    const deported = new Date(Date.UTC(2022, 1, 24) + rnd.int(0, 1000) * 86400000);
    const c = await em.save(em.create(Case, {
      childId: child.id, status, version: 1,
      closeReason: status === CaseStatus.CLOSED ? rnd.pick(Object.values(CloseReason)) : null,
      priority: rnd.pick([CasePriority.LOW, CasePriority.NORMAL, CasePriority.NORMAL, CasePriority.HIGH, CasePriority.CRITICAL]),
      leadOrganizationId: leads[leadIdx].id,
      deportationDate: isoDate(deported), deportedFrom: `${town}, ${oblast}`,
      deportationCircumstances: rnd.pick(CIRCUMSTANCES),
      lastKnownCountry: dest[0] === 'Belarus' ? 'BY' : 'RU', lastKnownRegion: dest[0], lastKnownFacility: dest[1],
      createdById: leadActors[leadIdx].id,
    }));
    // The history leads step by step to the current status, as if the case had been worked.
    const actor = leadActors[leadIdx];
    const path = status === CaseStatus.CLOSED ? [...statuses.slice(0, rnd.int(1, 5)), CaseStatus.CLOSED] : statuses.slice(0, statusIdx + 1);
    const rows: Partial<CaseEvent>[] = path.map((to, k) => ({
      caseId: c.id, kind: k === 0 ? CaseEventKind.CREATED : CaseEventKind.STATUS_CHANGED, from: k === 0 ? null : path[k - 1], to,
      note: k === 0 ? 'Reported by a relative' : null, actorId: actor.id, organizationId: actor.organizationId,
    }));
    await em.insert(CaseEvent, rows);
    let version = path.length;
    // Partners: some cases are shared with the other NGO or the international office.
    if (rnd.chance(0.35)) {
      const partner = leadIdx === 0 ? orgs.get('ngoB')! : orgs.get('ngoA')!;
      await em.insert(CaseShare, { caseId: c.id, organizationId: partner.id, access: rnd.chance(0.5) ? ShareAccess.FULL : ShareAccess.SUMMARY, sharedById: actor.id });
      await em.insert(CaseEvent, { caseId: c.id, kind: CaseEventKind.SHARED, from: status, to: status, actorId: actor.id, organizationId: actor.organizationId });
      version++;
    }
    if (rnd.chance(0.1)) {
      await em.insert(CaseShare, { caseId: c.id, organizationId: orgs.get('intl')!.id, access: ShareAccess.SUMMARY, sharedById: actor.id });
      await em.insert(CaseEvent, { caseId: c.id, kind: CaseEventKind.SHARED, from: status, to: status, actorId: actor.id, organizationId: actor.organizationId });
      version++;
    }
    // Reported some days after the deportation, so that lists show a realistic order.
    const reportedAt = new Date(deported.getTime() + rnd.int(1, 120) * 86400000 + rnd.int(0, 86399999));
    await em.query('UPDATE case_file SET version = $2, created_at = $3, updated_at = $3 WHERE id = $1', [c.id, version, reportedAt]);
  }
}
