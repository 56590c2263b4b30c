import type { EntityManager } from 'typeorm';
import type { ShareAccess } from '../../schema/enums';

/** What permission checks on a child's records need to know about its case (not filtered: internal use). */
export interface AccessFacts {
  caseId: string;
  childId: string;
  leadOrganizationId: string;
  shares: { organizationId: string; access: ShareAccess; createdAt?: string }[];
}

/**
 * Access facts of the cases of these children (or of these cases), unfiltered: what permission checks
 * evaluate, so every check (loaders, mutations inside their transaction, the event feed) reads them
 * with this one statement.
 */
export async function loadAccessFacts(em: EntityManager, childIds: string[], by: 'child' | 'case' = 'child'): Promise<AccessFacts[]> {
  if (childIds.length === 0) return [];
  const rows: { case_id: string; child_id: string; lead_organization_id: string; shares: AccessFacts['shares'] }[] = await em.query(
    `SELECT c.id AS case_id, c.child_id, c.lead_organization_id,
            COALESCE(json_agg(json_build_object('organizationId', s.organization_id, 'access', s.access, 'createdAt', s.created_at))
                     FILTER (WHERE s.case_id IS NOT NULL), '[]') AS shares
       FROM case_file c LEFT JOIN case_share s ON s.case_id = c.id
      WHERE ${by === 'case' ? 'c.id' : 'c.child_id'} = ANY($1::uuid[])
      GROUP BY c.id`,
    [childIds],
  );
  return rows.map((r) => ({ caseId: r.case_id, childId: r.child_id, leadOrganizationId: r.lead_organization_id, shares: r.shares }));
}

/** The case as the rules on Case, Child (`case.…`) and Guardian (`child.case.…`) look at it. */
export function caseFactsOf(f: AccessFacts): { id: string; leadOrganizationId: string; shares: AccessFacts['shares'] } {
  return { id: f.caseId, leadOrganizationId: f.leadOrganizationId, shares: f.shares };
}

/** How centre staff reach a child, shaped as the rules on Child look at it (see rules/centres.ts). */
export interface ChildReach {
  placements: { centreId: string; to: string | null }[];
  /** Each assignment with the child's placements at the assignment's centre (the assignment lasts while one does). */
  assignments: { specialistId: string; centreId: string; placements: { centreId: string; to: string | null }[] }[];
}

/** Placements and assignments of these children, unfiltered (for in-memory checks), in one statement. */
export async function loadChildReach(em: EntityManager, childIds: string[]): Promise<Map<string, ChildReach>> {
  const out = new Map<string, ChildReach>(childIds.map((k) => [k, { placements: [], assignments: [] }]));
  if (childIds.length === 0) return out;
  const rows: { child_id: string; kind: string; ref: string; centre_id: string; to_date: string | null }[] = await em.query(
    `SELECT child_id, 'P' AS kind, centre_id AS ref, centre_id, to_date::text AS to_date FROM placement WHERE child_id = ANY($1::uuid[])
     UNION ALL SELECT child_id, 'A', specialist_id, centre_id, NULL FROM assignment WHERE child_id = ANY($1::uuid[])`,
    [childIds],
  );
  for (const r of rows) {
    const reach = out.get(r.child_id);
    if (!reach) continue;
    if (r.kind === 'P') reach.placements.push({ centreId: r.centre_id, to: r.to_date });
    else reach.assignments.push({ specialistId: r.ref, centreId: r.centre_id, placements: [] });
  }
  for (const reach of out.values()) {
    for (const a of reach.assignments) a.placements = reach.placements.filter((p) => p.centreId === a.centreId);
  }
  return out;
}
