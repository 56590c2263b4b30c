import type { Client } from 'pg';

/*
 * Row-level-security policies that mirror what the hub lets a CASE_WORKER read (src/auth/ability.ts),
 * for the PostGraphile side of bench/compare.ts. They apply to one dedicated role (NOLOGIN); PostGraphile
 * connects as the database owner and switches to it per request (`SET LOCAL role`), with the reader's
 * organization in the setting `bkb.organization_id`. The hub connects as the owner, which row security
 * does not restrict, so the hub is unaffected.
 *
 * | table        | a row is visible when                                                               |
 * |--------------|-------------------------------------------------------------------------------------|
 * | case_file    | its lead organization is the reader's, or it is shared with it (FULL or SUMMARY)      |
 * | child        | its case is visible (the hub shows a SUMMARY reader the child's summary fields)       |
 * | guardian     | its child's case is led by the reader's organization or shared with it FULL          |
 * | case_share   | its case is led by the reader's organization or shared with it FULL                  |
 * | case_event   | its case is led by the reader's organization or shared with it FULL                  |
 * | organization | always (every role reads organizations)                                              |
 *
 * Where the hub answers a SUMMARY reader's `guardians`, `shares` and `events` with null and a FORBIDDEN
 * error, row security returns empty lists: the same rows, told differently. Column-level limits (the
 * sensitive fields) have no counterpart here; the benchmark's query selects none of them.
 *
 * `share_access(case_id)` reads case_share as its owner (SECURITY DEFINER, which row security does not
 * restrict): without it the policy of case_file would read case_share, whose policy reads case_file, and
 * PostgreSQL refuses the recursion.
 */

/** The setting that carries the reader's organization id. */
export const ORGANIZATION_SETTING = 'bkb.organization_id';
const SCHEMA = 'bkb_bench_rls';
const TABLES = ['case_file', 'child', 'guardian', 'case_share', 'case_event', 'organization'];

/** A role name for this run: roles are cluster-wide, so each run makes (and drops) its own. */
export function rowSecurityRoleName(): string {
  return `bkb_bench_rls_${process.pid}_${Date.now().toString(36)}`;
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return name;
};

/** Creates the role, its grants, the helper functions and the policies in the database `db` is connected to. */
export async function createRowSecurity(db: Client, roleName: string): Promise<void> {
  const role = ident(roleName);
  const org = `${SCHEMA}.organization_id()`;
  const fullOrLead = (caseAlias: string) => `(${caseAlias}.lead_organization_id = ${org} OR ${SCHEMA}.share_access(${caseAlias}.id) = 'FULL')`;
  const statements = [
    `CREATE ROLE ${role} NOLOGIN`,
    // A member may SET ROLE to it (a superuser may anyway; a plain owner needs the membership).
    `GRANT ${role} TO CURRENT_USER`,
    `CREATE SCHEMA ${SCHEMA}`,
    `CREATE FUNCTION ${SCHEMA}.organization_id() RETURNS uuid LANGUAGE sql STABLE
       AS $$ SELECT nullif(current_setting('${ORGANIZATION_SETTING}', true), '')::uuid $$`,
    `CREATE FUNCTION ${SCHEMA}.share_access(case_id uuid) RETURNS share_access LANGUAGE sql STABLE SECURITY DEFINER
       SET search_path = public, pg_temp
       AS $$ SELECT s.access FROM case_share s WHERE s.case_id = $1 AND s.organization_id = ${org} $$`,
    `GRANT USAGE ON SCHEMA public, ${SCHEMA} TO ${role}`,
    `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${SCHEMA} TO ${role}`,
    `GRANT SELECT ON ${TABLES.join(', ')} TO ${role}`,
    ...TABLES.filter((t) => t !== 'organization').map((t) => `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`),
    `CREATE POLICY bkb_bench_read ON case_file FOR SELECT TO ${role}
       USING (lead_organization_id = ${org} OR ${SCHEMA}.share_access(id) IS NOT NULL)`,
    `CREATE POLICY bkb_bench_read ON child FOR SELECT TO ${role}
       USING (EXISTS (SELECT 1 FROM case_file c WHERE c.child_id = child.id))`,
    `CREATE POLICY bkb_bench_read ON guardian FOR SELECT TO ${role}
       USING (EXISTS (SELECT 1 FROM case_file c WHERE c.child_id = guardian.child_id AND ${fullOrLead('c')}))`,
    `CREATE POLICY bkb_bench_read ON case_share FOR SELECT TO ${role}
       USING (EXISTS (SELECT 1 FROM case_file c WHERE c.id = case_share.case_id AND ${fullOrLead('c')}))`,
    `CREATE POLICY bkb_bench_read ON case_event FOR SELECT TO ${role}
       USING (EXISTS (SELECT 1 FROM case_file c WHERE c.id = case_event.case_id AND ${fullOrLead('c')}))`,
  ];
  await db.query('BEGIN');
  try {
    for (const sql of statements) await db.query(sql);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Drops the role once the database that holds its grants and policies is gone. */
export async function dropRowSecurityRole(admin: Client, roleName: string): Promise<void> {
  await admin.query(`DROP ROLE IF EXISTS ${ident(roleName)}`);
}

/** Removes the policies, functions and grants from a database that is kept (--keep), then the role. */
export async function removeRowSecurity(db: Client, roleName: string): Promise<void> {
  const role = ident(roleName);
  const exists = await db.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role]);
  if (exists.rowCount === 0) return; // the run stopped before it made them
  for (const t of TABLES.filter((x) => x !== 'organization')) {
    await db.query(`DROP POLICY IF EXISTS bkb_bench_read ON ${t}`);
    await db.query(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
  }
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await db.query(`DROP OWNED BY ${role}`);
  await db.query(`DROP ROLE IF EXISTS ${role}`);
}
