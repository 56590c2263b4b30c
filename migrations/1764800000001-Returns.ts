import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Return operations (rescue), guardian verification (reunification), reintegration plans and follow-ups.
 * A case sits in at most one active return operation (partial unique index on the entry).
 */
export class Returns1764800000001 implements MigrationInterface {
  name = 'Returns1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE return_operation_status AS ENUM ('PLANNING','APPROVED','IN_PROGRESS','COMPLETED','FAILED','CANCELLED')`);
    await q.query(`CREATE TYPE return_child_outcome AS ENUM ('PENDING','RETURNED','NOT_RETURNED')`);
    await q.query(`CREATE TYPE guardian_verification_kind AS ENUM ('GUARDIAN_IDENTITY','GUARDIANSHIP_AUTHORITY_DECISION')`);
    await q.query(`CREATE TYPE dna_test_status AS ENUM ('NOT_REQUESTED','REQUESTED','MATCH','NO_MATCH')`);
    await q.query(`CREATE TYPE verification_status AS ENUM ('PENDING','VERIFIED','REJECTED')`);
    await q.query(`CREATE TYPE reintegration_item_kind AS ENUM ('MEDICAL_CHECK','PSYCHOLOGICAL_ASSESSMENT','SCHOOL_ENROLMENT','DOCUMENTS_RESTORED','CENTRE_PLACEMENT','FAMILY_SUPPORT','OTHER')`);
    await q.query(`CREATE TYPE reintegration_item_status AS ENUM ('OPEN','DONE','NOT_NEEDED')`);
    await q.query(`CREATE TYPE follow_up_kind AS ENUM ('SESSION','TASK')`);

    await q.query(`CREATE TABLE return_operation (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      mediator text,
      route text,
      handover_point text,
      planned_handover_date date,
      actual_handover_date date,
      status return_operation_status NOT NULL DEFAULT 'PLANNING',
      status_reason text,
      version int NOT NULL DEFAULT 1,
      created_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX return_operation_created_idx ON return_operation (created_at, id)`);
    await q.query(`CREATE TABLE return_operation_org (
      operation_id uuid NOT NULL REFERENCES return_operation(id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      PRIMARY KEY (operation_id, organization_id)
    )`);
    await q.query(`CREATE INDEX return_operation_org_org_idx ON return_operation_org (organization_id)`);
    await q.query(`CREATE TABLE return_operation_child (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      operation_id uuid NOT NULL REFERENCES return_operation(id) ON DELETE CASCADE,
      case_id uuid NOT NULL REFERENCES case_file(id) ON DELETE RESTRICT,
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE RESTRICT,
      escort text,
      documents jsonb NOT NULL DEFAULT '[]',
      outcome return_child_outcome NOT NULL DEFAULT 'PENDING',
      outcome_note text,
      receiving_guardian_id uuid REFERENCES guardian(id) ON DELETE SET NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (operation_id, case_id)
    )`);
    await q.query(`CREATE UNIQUE INDEX return_operation_child_active_case_key ON return_operation_child (case_id) WHERE active`);
    await q.query(`CREATE INDEX return_operation_child_child_idx ON return_operation_child (child_id)`);

    await q.query(`CREATE TABLE guardian_verification (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      case_id uuid NOT NULL REFERENCES case_file(id) ON DELETE RESTRICT,
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE RESTRICT,
      kind guardian_verification_kind NOT NULL,
      guardian_id uuid REFERENCES guardian(id) ON DELETE SET NULL,
      documents_seen text[] NOT NULL DEFAULT '{}',
      verified_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      verified_by_organization_id uuid REFERENCES organization(id) ON DELETE SET NULL,
      verified_at timestamptz NOT NULL DEFAULT now(),
      dna_test dna_test_status NOT NULL DEFAULT 'NOT_REQUESTED',
      dna_result_at timestamptz,
      authority_name text,
      decision_reference text,
      decision_date date,
      status verification_status NOT NULL,
      note text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT guardian_verification_guardian_chk CHECK (kind <> 'GUARDIAN_IDENTITY' OR guardian_id IS NOT NULL)
    )`);
    await q.query(`CREATE INDEX guardian_verification_case_idx ON guardian_verification (case_id)`);

    await q.query(`CREATE TABLE reintegration_plan (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      case_id uuid NOT NULL UNIQUE REFERENCES case_file(id) ON DELETE RESTRICT,
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE RESTRICT,
      returned_on date NOT NULL,
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE reintegration_item (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      plan_id uuid NOT NULL REFERENCES reintegration_plan(id) ON DELETE CASCADE,
      kind reintegration_item_kind NOT NULL,
      title text NOT NULL,
      owner_organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      due_date date NOT NULL,
      status reintegration_item_status NOT NULL DEFAULT 'OPEN',
      note text,
      mandatory boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX reintegration_item_plan_idx ON reintegration_item (plan_id)`);
    await q.query(`CREATE TABLE follow_up (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      plan_id uuid NOT NULL REFERENCES reintegration_plan(id) ON DELETE CASCADE,
      case_id uuid NOT NULL REFERENCES case_file(id) ON DELETE RESTRICT,
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE RESTRICT,
      months int NOT NULL CHECK (months IN (1, 3, 6, 12)),
      due_date date NOT NULL,
      kind follow_up_kind NOT NULL,
      session_id uuid REFERENCES session(id) ON DELETE SET NULL,
      owner_organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      completed_at timestamptz,
      note text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (plan_id, months)
    )`);
    await q.query(`CREATE INDEX follow_up_owner_due_idx ON follow_up (owner_organization_id, due_date) WHERE completed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['follow_up', 'reintegration_item', 'reintegration_plan', 'guardian_verification', 'return_operation_child', 'return_operation_org', 'return_operation']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    for (const e of ['follow_up_kind', 'reintegration_item_status', 'reintegration_item_kind', 'verification_status', 'dna_test_status', 'guardian_verification_kind', 'return_child_outcome', 'return_operation_status']) {
      await q.query(`DROP TYPE IF EXISTS ${e}`);
    }
  }
}
