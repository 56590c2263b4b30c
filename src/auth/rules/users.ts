import { OrganizationKind, Role } from '../../schema/enums';

/**
 * The roles an ORG_ADMIN may grant to a user of their own organization, by the organization's kind. A role
 * carries the reach of its kind of organization: COORDINATOR reads every case (the coordination council's),
 * INVESTIGATOR reads all evidence (the prosecutor's), centre roles are tied to a rehabilitation centre's
 * operator. An administrator of an NGO granting INVESTIGATOR would hand an NGO the prosecutors' reach, so those
 * roles are granted only where the organization is that kind. ANALYST (aggregates only) and ORG_ADMIN (their own
 * organization's users) fit every kind. Roles a user already holds may be kept or removed whatever this says.
 */
export const GRANTABLE_ROLES: Readonly<Record<OrganizationKind, readonly Role[]>> = {
  [OrganizationKind.COORDINATION_COUNCIL]: [Role.COORDINATOR, Role.ANALYST, Role.ORG_ADMIN],
  [OrganizationKind.PROSECUTOR]: [Role.INVESTIGATOR, Role.ANALYST, Role.ORG_ADMIN],
  [OrganizationKind.GOVERNMENT_AGENCY]: [Role.CASE_WORKER, Role.ANALYST, Role.ORG_ADMIN],
  [OrganizationKind.NGO]: [Role.CASE_WORKER, Role.ANALYST, Role.ORG_ADMIN],
  [OrganizationKind.INTERNATIONAL_ORGANISATION]: [Role.CASE_WORKER, Role.ANALYST, Role.ORG_ADMIN],
  [OrganizationKind.REHABILITATION_CENTRE_OPERATOR]: [Role.CENTRE_COORDINATOR, Role.SPECIALIST, Role.ANALYST, Role.ORG_ADMIN],
};

/** The roles of `wanted` that an administrator of an organization of `kind` may not add to a user holding `held`. */
export function ungrantableRoles(kind: OrganizationKind, held: readonly Role[], wanted: readonly Role[]): Role[] {
  const allowed = GRANTABLE_ROLES[kind] ?? [];
  return wanted.filter((r) => !held.includes(r) && !allowed.includes(r));
}
