import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Documentation for the ICC: incidents, evidence items with their chain of custody, and the hash-chained
 * audit log with its signed Merkle checkpoints. The audit, checkpoint and custody tables are append-only:
 * triggers refuse UPDATE, DELETE and TRUNCATE for every role (only a superuser or the table owner can
 * disable a trigger, and the signed checkpoints catch what such a person does to the chain).
 */
export class Evidence1764700000001 implements MigrationInterface {
  name = 'Evidence1764700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE incident_date_precision AS ENUM ('EXACT','MONTH','YEAR','ESTIMATED')`);
    await q.query(`CREATE TYPE legal_qualification AS ENUM ('UNLAWFUL_DEPORTATION','UNLAWFUL_TRANSFER','CHANGE_OF_CIVIL_STATUS','FORCED_ADOPTION','CITIZENSHIP_IMPOSED','INDOCTRINATION','MILITARY_TRAINING','SEPARATION_FROM_FAMILY','OTHER')`);
    await q.query(`CREATE TYPE evidence_kind AS ENUM ('DOCUMENT','PHOTO','VIDEO','AUDIO','TESTIMONY_TRANSCRIPT','WEB_CAPTURE','OTHER')`);
    await q.query(`CREATE TYPE evidence_classification AS ENUM ('RESTRICTED','CONFIDENTIAL')`);
    await q.query(`CREATE TYPE custody_event_kind AS ENUM ('CAPTURED','RECEIVED','ACCESSED','DOWNLOADED','TRANSFERRED','TRANSFER_ACKNOWLEDGED','EXPORTED','FIXITY_CHECKED')`);

    await q.query(`CREATE TABLE incident (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      occurred_on date,
      occurred_precision incident_date_precision NOT NULL DEFAULT 'EXACT',
      taken_from text,
      destination_country text,
      destination_region text,
      destination_facility text,
      responsible text[] NOT NULL DEFAULT '{}',
      narrative text,
      qualifications legal_qualification[] NOT NULL DEFAULT '{}',
      organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      created_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      version int NOT NULL DEFAULT 1,
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX incident_created_idx ON incident (created_at, id)`);
    await q.query(`CREATE TABLE incident_case (
      incident_id uuid NOT NULL REFERENCES incident(id) ON DELETE RESTRICT,
      case_id uuid NOT NULL REFERENCES case_file(id) ON DELETE RESTRICT,
      PRIMARY KEY (incident_id, case_id)
    )`);
    await q.query(`CREATE INDEX incident_case_case_idx ON incident_case (case_id)`);

    await q.query(`CREATE TABLE evidence_item (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind evidence_kind NOT NULL,
      title text NOT NULL,
      description text,
      captured_at timestamptz,
      captured_by text,
      captured_with text,
      source text,
      classification evidence_classification NOT NULL DEFAULT 'RESTRICTED',
      captured_by_organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      custodian_organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      pending_transfer_to_id uuid REFERENCES organization(id) ON DELETE RESTRICT,
      created_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      derived_from_id uuid REFERENCES evidence_item(id) ON DELETE RESTRICT,
      original_file_name text,
      media_type text,
      size_bytes bigint,
      sha256 char(64),
      content_stored_at timestamptz,
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT evidence_sha256_chk CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$')
    )`);
    await q.query(`CREATE INDEX evidence_item_created_idx ON evidence_item (created_at, id)`);
    await q.query(`CREATE INDEX evidence_item_org_idx ON evidence_item (captured_by_organization_id)`);
    await q.query(`CREATE INDEX evidence_item_derived_idx ON evidence_item (derived_from_id)`);
    await q.query(`CREATE TABLE evidence_incident (
      evidence_id uuid NOT NULL REFERENCES evidence_item(id) ON DELETE RESTRICT,
      incident_id uuid NOT NULL REFERENCES incident(id) ON DELETE RESTRICT,
      PRIMARY KEY (evidence_id, incident_id)
    )`);
    await q.query(`CREATE INDEX evidence_incident_incident_idx ON evidence_incident (incident_id)`);
    await q.query(`CREATE TABLE evidence_case (
      evidence_id uuid NOT NULL REFERENCES evidence_item(id) ON DELETE RESTRICT,
      case_id uuid NOT NULL REFERENCES case_file(id) ON DELETE RESTRICT,
      PRIMARY KEY (evidence_id, case_id)
    )`);
    await q.query(`CREATE INDEX evidence_case_case_idx ON evidence_case (case_id)`);

    await q.query(`CREATE TABLE custody_event (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      evidence_id uuid NOT NULL REFERENCES evidence_item(id) ON DELETE RESTRICT,
      kind custody_event_kind NOT NULL,
      at timestamptz(3) NOT NULL DEFAULT now(),
      actor_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      organization_id uuid REFERENCES organization(id) ON DELETE SET NULL,
      to_organization_id uuid REFERENCES organization(id) ON DELETE SET NULL,
      ok boolean,
      sha256 char(64),
      note text
    )`);
    await q.query(`CREATE INDEX custody_event_evidence_idx ON custody_event (evidence_id, id)`);

    // The audit log. `seq` is assigned by the writer under an advisory lock held to commit, so it is gap-free
    // and commits in order; the insert trigger re-checks that each row extends the chain's head.
    await q.query(`CREATE TABLE audit_entry (
      seq bigint PRIMARY KEY CHECK (seq > 0),
      at timestamptz(3) NOT NULL,
      actor_id uuid,
      organization_id uuid,
      operation text NOT NULL,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      fields text[] NOT NULL DEFAULT '{}',
      values_hash char(64),
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL
    )`);
    await q.query(`CREATE INDEX audit_entry_entity_idx ON audit_entry (entity_type, entity_id, seq)`);
    await q.query(`CREATE INDEX audit_entry_actor_idx ON audit_entry (actor_id, seq)`);
    await q.query(`CREATE INDEX audit_entry_at_idx ON audit_entry (at)`);
    await q.query(`CREATE TABLE audit_checkpoint (
      size bigint PRIMARY KEY CHECK (size >= 0),
      root char(64) NOT NULL,
      head char(64) NOT NULL,
      at timestamptz(3) NOT NULL,
      key_id char(64) NOT NULL,
      signature text NOT NULL,
      peaks jsonb NOT NULL DEFAULT '[]'
    )`);

    await q.query(`CREATE FUNCTION bkb_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE FUNCTION bkb_audit_extends_head() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE head_seq bigint; head_hash char(64);
      BEGIN
        SELECT seq, hash INTO head_seq, head_hash FROM audit_entry ORDER BY seq DESC LIMIT 1;
        IF NEW.seq <> COALESCE(head_seq, 0) + 1 OR NEW.prev_hash <> COALESCE(head_hash, repeat('0', 64)) THEN
          RAISE EXCEPTION 'audit_entry % does not extend the head %', NEW.seq, head_seq USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    for (const table of ['audit_entry', 'audit_checkpoint', 'custody_event']) {
      await q.query(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION bkb_append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bkb_append_only()`);
      // Effective when the hub runs as a role that does not own the tables (production); the triggers hold for every role.
      await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM PUBLIC`);
    }
    await q.query(`CREATE TRIGGER audit_entry_extends_head BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION bkb_audit_extends_head()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoint`);
    await q.query(`DROP TABLE audit_entry`);
    await q.query(`DROP FUNCTION bkb_audit_extends_head()`);
    await q.query(`DROP TABLE custody_event`);
    await q.query(`DROP FUNCTION bkb_append_only()`);
    await q.query(`DROP TABLE evidence_case`);
    await q.query(`DROP TABLE evidence_incident`);
    await q.query(`DROP TABLE evidence_item`);
    await q.query(`DROP TABLE incident_case`);
    await q.query(`DROP TABLE incident`);
    await q.query(`DROP TYPE custody_event_kind`);
    await q.query(`DROP TYPE evidence_classification`);
    await q.query(`DROP TYPE evidence_kind`);
    await q.query(`DROP TYPE legal_qualification`);
    await q.query(`DROP TYPE incident_date_precision`);
  }
}
