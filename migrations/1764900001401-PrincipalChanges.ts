import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every hub instance when what a user's principal is built from changes (issue 11: the principal cache,
 * src/auth/principalCache.ts). A NOTIFY on `bkb_principal_changed` with the user id, sent by triggers, so every
 * writer is covered: the hub's own services, seeds, scripts and plain SQL. PostgreSQL delivers it only on
 * commit, to every instance that LISTENs.
 *
 * What a principal is built from (src/context.ts, PRINCIPAL_SQL): the account row without its password hash
 * (roles, organization, active, …), the user's centres (`centre_staff`) with each centre's operating
 * organization (`centre.organization_id`), and its specialist profile (`specialist.user_id`). A centre changing
 * operator, or a TRUNCATE, sends `*`: every cached principal goes.
 */
export const PRINCIPAL_CHANNEL = 'bkb_principal_changed';

export class PrincipalChanges1764900001401 implements MigrationInterface {
  name = 'PrincipalChanges1764900001401';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION bkb_principal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          PERFORM pg_notify('${PRINCIPAL_CHANNEL}', '*');
        ELSIF TG_TABLE_NAME = 'app_user' THEN
          IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('${PRINCIPAL_CHANNEL}', OLD.id::text);
          ELSIF (to_jsonb(OLD) - 'password_hash') IS DISTINCT FROM (to_jsonb(NEW) - 'password_hash') THEN
            PERFORM pg_notify('${PRINCIPAL_CHANNEL}', OLD.id::text);
            IF NEW.id <> OLD.id THEN PERFORM pg_notify('${PRINCIPAL_CHANNEL}', NEW.id::text); END IF;
          END IF;
        ELSIF TG_TABLE_NAME = 'centre' THEN
          IF TG_OP = 'UPDATE' AND (OLD.id, OLD.organization_id) IS DISTINCT FROM (NEW.id, NEW.organization_id) THEN
            PERFORM pg_notify('${PRINCIPAL_CHANNEL}', '*');
          END IF;
        ELSE -- centre_staff, specialist: the users on either side of the change
          IF TG_OP = 'UPDATE' AND to_jsonb(OLD) -> 'user_id' IS NOT DISTINCT FROM to_jsonb(NEW) -> 'user_id'
             AND to_jsonb(OLD) -> 'id' IS NOT DISTINCT FROM to_jsonb(NEW) -> 'id'
             AND to_jsonb(OLD) -> 'centre_id' IS NOT DISTINCT FROM to_jsonb(NEW) -> 'centre_id' THEN
            RETURN NULL;
          END IF;
          IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.user_id IS NOT NULL THEN PERFORM pg_notify('${PRINCIPAL_CHANNEL}', OLD.user_id::text); END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.user_id IS NOT NULL THEN PERFORM pg_notify('${PRINCIPAL_CHANNEL}', NEW.user_id::text); END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER bkb_principal_changed AFTER UPDATE OR DELETE ON app_user FOR EACH ROW EXECUTE FUNCTION bkb_principal_changed()`);
    await q.query(`CREATE TRIGGER bkb_principal_changed AFTER INSERT OR UPDATE OR DELETE ON centre_staff FOR EACH ROW EXECUTE FUNCTION bkb_principal_changed()`);
    await q.query(`CREATE TRIGGER bkb_principal_changed AFTER INSERT OR UPDATE OR DELETE ON specialist FOR EACH ROW EXECUTE FUNCTION bkb_principal_changed()`);
    await q.query(`CREATE TRIGGER bkb_principal_changed AFTER UPDATE ON centre FOR EACH ROW EXECUTE FUNCTION bkb_principal_changed()`);
    for (const table of ['app_user', 'centre_staff', 'specialist', 'centre']) {
      await q.query(`CREATE TRIGGER bkb_principal_truncated AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bkb_principal_changed()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['app_user', 'centre_staff', 'specialist', 'centre']) {
      await q.query(`DROP TRIGGER IF EXISTS bkb_principal_truncated ON ${table}`);
      await q.query(`DROP TRIGGER IF EXISTS bkb_principal_changed ON ${table}`);
    }
    await q.query('DROP FUNCTION bkb_principal_changed()');
  }
}
