import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The core hub: organizations, users, children, cases with their append-only history, shares and guardians. */
export class CoreHub1764300000000 implements MigrationInterface {
  name = 'CoreHub1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE TYPE organization_kind AS ENUM ('GOVERNMENT_AGENCY','NGO','INTERNATIONAL_ORGANISATION','PROSECUTOR','COORDINATION_COUNCIL','REHABILITATION_CENTRE_OPERATOR')`);
    await q.query(`CREATE TYPE user_role AS ENUM ('COORDINATOR','CASE_WORKER','INVESTIGATOR','CENTRE_COORDINATOR','SPECIALIST','ANALYST','ORG_ADMIN')`);
    await q.query(`CREATE TYPE sex AS ENUM ('FEMALE','MALE','UNKNOWN')`);
    await q.query(`CREATE TYPE birth_date_precision AS ENUM ('EXACT','MONTH','YEAR','ESTIMATED')`);
    await q.query(`CREATE TYPE case_status AS ENUM ('REPORTED','IDENTIFIED','LOCATED','RETURN_IN_PROGRESS','RETURNED','REINTEGRATION','AFTERCARE','CLOSED')`);
    await q.query(`CREATE TYPE close_reason AS ENUM ('REUNITED','CAME_OF_AGE','DUPLICATE','DECEASED','OTHER')`);
    await q.query(`CREATE TYPE case_priority AS ENUM ('LOW','NORMAL','HIGH','CRITICAL')`);
    await q.query(`CREATE TYPE share_access AS ENUM ('SUMMARY','FULL')`);
    await q.query(`CREATE TYPE case_event_kind AS ENUM ('CREATED','STATUS_CHANGED','UPDATED','SHARED','UNSHARED')`);

    await q.query(`CREATE TABLE organization (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      kind organization_kind NOT NULL,
      country text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE app_user (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      display_name text NOT NULL,
      password_hash text NOT NULL,
      roles user_role[] NOT NULL,
      organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX app_user_email_key ON app_user (email)`);
    await q.query(`CREATE INDEX app_user_organization_idx ON app_user (organization_id)`);

    await q.query(`CREATE TABLE child (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      given_name text NOT NULL,
      family_name text NOT NULL,
      patronymic text,
      latin_name text,
      aliases text[] NOT NULL DEFAULT '{}',
      birth_date date NOT NULL,
      birth_date_precision birth_date_precision NOT NULL DEFAULT 'EXACT',
      sex sex NOT NULL,
      place_of_birth text,
      home_oblast text,
      languages text[] NOT NULL DEFAULT '{}',
      current_location text,
      health_notes text,
      search_text text NOT NULL DEFAULT '',
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX child_home_oblast_idx ON child (home_oblast)`);
    await q.query(`CREATE INDEX child_search_trgm_idx ON child USING gin (search_text gin_trgm_ops)`);

    await q.query(`CREATE TABLE guardian (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE CASCADE,
      relation text NOT NULL,
      name text NOT NULL,
      contact text,
      verified boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX guardian_child_idx ON guardian (child_id)`);

    await q.query(`CREATE TABLE case_file (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE RESTRICT,
      status case_status NOT NULL DEFAULT 'REPORTED',
      close_reason close_reason,
      version int NOT NULL DEFAULT 1,
      priority case_priority NOT NULL DEFAULT 'NORMAL',
      lead_organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      deportation_date date,
      deported_from text,
      deportation_circumstances text,
      last_known_country text,
      last_known_region text,
      last_known_facility text,
      created_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT case_file_close_reason_chk CHECK ((status = 'CLOSED') = (close_reason IS NOT NULL))
    )`);
    await q.query(`CREATE UNIQUE INDEX case_file_child_key ON case_file (child_id)`);
    await q.query(`CREATE INDEX case_file_lead_org_idx ON case_file (lead_organization_id)`);
    await q.query(`CREATE INDEX case_file_created_idx ON case_file (created_at, id)`);
    await q.query(`CREATE INDEX case_file_status_idx ON case_file (status, created_at)`);

    await q.query(`CREATE TABLE case_share (
      case_id uuid NOT NULL REFERENCES case_file(id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
      access share_access NOT NULL,
      shared_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (case_id, organization_id)
    )`);
    await q.query(`CREATE INDEX case_share_org_idx ON case_share (organization_id, access)`);

    await q.query(`CREATE TABLE case_event (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id uuid NOT NULL REFERENCES case_file(id) ON DELETE RESTRICT,
      kind case_event_kind NOT NULL,
      from_status case_status,
      to_status case_status NOT NULL,
      note text,
      actor_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      organization_id uuid REFERENCES organization(id) ON DELETE SET NULL,
      at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX case_event_case_idx ON case_event (case_id, id)`);
    // The history is append-only: the database itself refuses edits and deletions.
    await q.query(`CREATE FUNCTION case_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'case_event is append-only' USING ERRCODE = 'insufficient_privilege'; END $$`);
    await q.query(`CREATE TRIGGER case_event_no_update BEFORE UPDATE OR DELETE ON case_event
      FOR EACH ROW EXECUTE FUNCTION case_event_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_event`);
    await q.query(`DROP FUNCTION case_event_append_only()`);
    await q.query(`DROP TABLE case_share`);
    await q.query(`DROP TABLE case_file`);
    await q.query(`DROP TABLE guardian`);
    await q.query(`DROP TABLE child`);
    await q.query(`DROP TABLE app_user`);
    await q.query(`DROP TABLE organization`);
    for (const t of ['case_event_kind', 'share_access', 'case_priority', 'close_reason', 'case_status', 'birth_date_precision', 'sex', 'user_role', 'organization_kind']) {
      await q.query(`DROP TYPE ${t}`);
    }
  }
}
