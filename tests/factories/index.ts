import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { App } from '../../src/app';
import { Case, CaseEvent, CaseShare, Child, Guardian, Organization, User } from '../../src/entities';
import { CaseEventKind, CaseStatus, CloseReason, OrganizationKind, Role, Sex, type ShareAccess } from '../../src/schema/enums';
import { searchText } from '../../src/services/transliteration';

const uniq = () => crypto.randomBytes(4).toString('hex');

/** A fresh organization (each test makes its own, so tests don't see each other's data by accident). */
export async function createOrg(ds: DataSource, kind = OrganizationKind.NGO, name = `Org ${uniq()}`): Promise<Organization> {
  return ds.getRepository(Organization).save({ name, kind, country: 'UA' });
}

/** A user with a token. The password hash is a placeholder: tests log in through the token service. */
export async function createUser(app: App, org: Organization, roles: Role[]): Promise<{ user: User; token: string }> {
  const user = await app.deps.dataSource.getRepository(User).save({
    email: `${roles[0]?.toLowerCase() ?? 'user'}-${uniq()}@test.bkb`, displayName: 'Test user', roles, organizationId: org.id, passwordHash: 'x',
  });
  return { user, token: await app.deps.tokens.issue(user.id) };
}

export interface CaseSpec {
  lead: Organization;
  status?: CaseStatus;
  shares?: { org: Organization; access: ShareAccess }[];
  givenName?: string;
  familyName?: string;
  latinName?: string;
  homeOblast?: string;
  healthNotes?: string | null;
  currentLocation?: string | null;
  deportationCircumstances?: string | null;
  guardians?: { name: string; contact: string }[];
}

/** A child with its case (and history, shares and guardians) written straight to the database. */
export async function createCase(ds: DataSource, spec: CaseSpec): Promise<{ case: Case; child: Child }> {
  return ds.transaction(async (em) => {
    const givenName = spec.givenName ?? 'Тест';
    const familyName = spec.familyName ?? `Дитина${uniq()}`;
    const child = em.create(Child, {
      givenName, familyName, patronymic: null, latinName: spec.latinName ?? null, aliases: [], birthDate: '2014-05-01', sex: Sex.FEMALE,
      homeOblast: spec.homeOblast ?? 'Kherson', languages: ['uk'], currentLocation: spec.currentLocation === undefined ? 'Rostov Oblast' : spec.currentLocation,
      healthNotes: spec.healthNotes === undefined ? 'Asthma' : spec.healthNotes,
    });
    child.searchText = searchText([givenName, familyName, spec.latinName]);
    await em.save(child);
    for (const g of spec.guardians ?? [{ name: 'Мати', contact: '+380 50 000 00 00' }]) {
      await em.insert(Guardian, { childId: child.id, relation: 'mother', name: g.name, contact: g.contact, verified: true });
    }
    const status = spec.status ?? CaseStatus.REPORTED;
    const c = await em.save(em.create(Case, {
      childId: child.id, status, leadOrganizationId: spec.lead.id,
      closeReason: status === CaseStatus.CLOSED ? CloseReason.OTHER : null,
      deportationDate: '2022-06-01', deportedFrom: 'Kherson', deportationCircumstances: spec.deportationCircumstances === undefined ? 'Taken from a school' : spec.deportationCircumstances,
      lastKnownCountry: 'RU',
    }));
    await em.insert(CaseEvent, { caseId: c.id, kind: CaseEventKind.CREATED, from: null, to: status });
    for (const s of spec.shares ?? []) await em.insert(CaseShare, { caseId: c.id, organizationId: s.org.id, access: s.access });
    return { case: c, child };
  });
}
