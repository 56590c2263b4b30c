import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rehabilitation centres and scheduling: centres, rooms, specialists and their availability, placements,
 * care plans, assignments, sessions and series, and the booking table whose exclusion constraint makes
 * double booking of a specialist, a child or a room impossible.
 */
export class Scheduling1764400000000 implements MigrationInterface {
  name = 'Scheduling1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`CREATE TYPE discipline AS ENUM ('PSYCHOLOGIST','THERAPIST','ART_THERAPIST','TEACHER','SOCIAL_WORKER','SPEECH_THERAPIST','PHYSIOTHERAPIST')`);
    await q.query(`CREATE TYPE availability_kind AS ENUM ('AVAILABLE','UNAVAILABLE')`);
    await q.query(`CREATE TYPE session_status AS ENUM ('SCHEDULED','COMPLETED','CANCELLED','NO_SHOW')`);

    await q.query(`CREATE TABLE centre (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE RESTRICT,
      name text NOT NULL,
      oblast text,
      time_zone text NOT NULL DEFAULT 'Europe/Kyiv',
      opening_hours jsonb NOT NULL DEFAULT '[]',
      child_max_daily_minutes int NOT NULL DEFAULT 240 CHECK (child_max_daily_minutes > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX centre_organization_idx ON centre (organization_id)`);
    await q.query(`CREATE TABLE centre_staff (
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      PRIMARY KEY (centre_id, user_id)
    )`);
    await q.query(`CREATE INDEX centre_staff_user_idx ON centre_staff (user_id)`);

    await q.query(`CREATE TABLE room (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE CASCADE,
      name text NOT NULL,
      kind text NOT NULL,
      capacity int NOT NULL DEFAULT 1 CHECK (capacity > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX room_centre_idx ON room (centre_id)`);

    await q.query(`CREATE TABLE specialist (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      full_name text NOT NULL,
      discipline discipline NOT NULL,
      languages text[] NOT NULL DEFAULT '{}',
      age_min int NOT NULL DEFAULT 0,
      age_max int NOT NULL DEFAULT 18,
      caseload_cap int NOT NULL DEFAULT 20 CHECK (caseload_cap > 0),
      sessions_per_day_cap int NOT NULL DEFAULT 6 CHECK (sessions_per_day_cap > 0),
      min_break_minutes int NOT NULL DEFAULT 10 CHECK (min_break_minutes BETWEEN 0 AND 240),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT specialist_age_chk CHECK (age_min >= 0 AND age_min <= age_max)
    )`);
    await q.query(`CREATE UNIQUE INDEX specialist_user_key ON specialist (user_id)`);
    await q.query(`CREATE TABLE specialist_centre (
      specialist_id uuid NOT NULL REFERENCES specialist(id) ON DELETE CASCADE,
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE CASCADE,
      PRIMARY KEY (specialist_id, centre_id)
    )`);
    await q.query(`CREATE INDEX specialist_centre_centre_idx ON specialist_centre (centre_id)`);

    await q.query(`CREATE TABLE availability_rule (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      specialist_id uuid NOT NULL REFERENCES specialist(id) ON DELETE CASCADE,
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE CASCADE,
      kind availability_kind NOT NULL DEFAULT 'AVAILABLE',
      rrule text NOT NULL,
      dtstart text NOT NULL,
      tzid text NOT NULL DEFAULT 'Europe/Kyiv',
      duration_minutes int NOT NULL CHECK (duration_minutes > 0),
      note text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX availability_rule_specialist_idx ON availability_rule (specialist_id, centre_id)`);
    await q.query(`CREATE INDEX availability_rule_centre_idx ON availability_rule (centre_id)`);

    await q.query(`CREATE TABLE placement (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE RESTRICT,
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE RESTRICT,
      from_date date NOT NULL,
      to_date date,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT placement_period_chk CHECK (to_date IS NULL OR to_date >= from_date)
    )`);
    await q.query(`CREATE INDEX placement_child_idx ON placement (child_id)`);
    await q.query(`CREATE INDEX placement_centre_idx ON placement (centre_id)`);

    await q.query(`CREATE TABLE care_plan (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE RESTRICT,
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE RESTRICT,
      needs jsonb NOT NULL DEFAULT '[]',
      from_date date NOT NULL,
      to_date date,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT care_plan_period_chk CHECK (to_date IS NULL OR to_date >= from_date)
    )`);
    await q.query(`CREATE INDEX care_plan_child_idx ON care_plan (child_id)`);
    await q.query(`CREATE INDEX care_plan_centre_idx ON care_plan (centre_id)`);

    await q.query(`CREATE TABLE assignment (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE CASCADE,
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE CASCADE,
      specialist_id uuid NOT NULL REFERENCES specialist(id) ON DELETE CASCADE,
      discipline discipline NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX assignment_child_discipline_key ON assignment (child_id, centre_id, discipline)`);
    await q.query(`CREATE INDEX assignment_centre_idx ON assignment (centre_id)`);
    await q.query(`CREATE INDEX assignment_specialist_idx ON assignment (specialist_id)`);

    await q.query(`CREATE TABLE session_series (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE CASCADE,
      rrule text NOT NULL,
      dtstart text NOT NULL,
      tzid text NOT NULL,
      duration_minutes int NOT NULL CHECK (duration_minutes > 0),
      created_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`CREATE TABLE session (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE RESTRICT,
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE RESTRICT,
      specialist_id uuid NOT NULL REFERENCES specialist(id) ON DELETE RESTRICT,
      room_id uuid NOT NULL REFERENCES room(id) ON DELETE RESTRICT,
      discipline discipline NOT NULL,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      status session_status NOT NULL DEFAULT 'SCHEDULED',
      series_id uuid REFERENCES session_series(id) ON DELETE SET NULL,
      notes text,
      created_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT session_period_chk CHECK (ends_at > starts_at)
    )`);
    await q.query(`CREATE INDEX session_centre_starts_idx ON session (centre_id, starts_at)`);
    await q.query(`CREATE INDEX session_specialist_starts_idx ON session (specialist_id, starts_at)`);
    await q.query(`CREATE INDEX session_child_starts_idx ON session (child_id, starts_at)`);
    await q.query(`CREATE INDEX session_series_starts_idx ON session (series_id, starts_at)`);

    // The guarantee: half-open ranges per participant may never overlap (touching is fine). Deferrable
    // so that moving a whole series can shift occurrences past one another inside one transaction.
    await q.query(`CREATE TABLE session_booking (
      session_id uuid NOT NULL REFERENCES session(id) ON DELETE CASCADE,
      participant_kind text NOT NULL,
      participant_id uuid NOT NULL,
      during tstzrange NOT NULL,
      PRIMARY KEY (session_id, participant_kind),
      CONSTRAINT session_booking_kind_chk CHECK ("participant_kind" IN ('SPECIALIST','CHILD','ROOM')),
      CONSTRAINT session_booking_no_overlap EXCLUDE USING gist ("participant_kind" WITH =, "participant_id" WITH =, "during" WITH &&)
        DEFERRABLE INITIALLY IMMEDIATE
    )`);
    // Bookings follow their session in the same statement, whoever writes the session.
    await q.query(`CREATE FUNCTION session_booking_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE brk int;
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM session_booking WHERE session_id = OLD.id;
        END IF;
        IF NEW.status <> 'CANCELLED' THEN
          SELECT min_break_minutes INTO brk FROM specialist WHERE id = NEW.specialist_id;
          INSERT INTO session_booking (session_id, participant_kind, participant_id, during) VALUES
            (NEW.id, 'SPECIALIST', NEW.specialist_id, tstzrange(NEW.starts_at, NEW.ends_at + make_interval(mins => COALESCE(brk, 0)), '[)')),
            (NEW.id, 'CHILD', NEW.child_id, tstzrange(NEW.starts_at, NEW.ends_at, '[)')),
            (NEW.id, 'ROOM', NEW.room_id, tstzrange(NEW.starts_at, NEW.ends_at, '[)'));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER session_booking_on_insert AFTER INSERT ON session
      FOR EACH ROW EXECUTE FUNCTION session_booking_sync()`);
    await q.query(`CREATE TRIGGER session_booking_on_update AFTER UPDATE OF starts_at, ends_at, status, specialist_id, child_id, room_id ON session
      FOR EACH ROW EXECUTE FUNCTION session_booking_sync()`);

    await q.query(`CREATE TABLE schedule_proposal (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      centre_id uuid NOT NULL REFERENCES centre(id) ON DELETE CASCADE,
      from_at timestamptz NOT NULL,
      to_at timestamptz NOT NULL,
      payload jsonb NOT NULL,
      fingerprint text NOT NULL,
      created_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      applied_at timestamptz
    )`);
    await q.query(`CREATE INDEX schedule_proposal_centre_idx ON schedule_proposal (centre_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE schedule_proposal`);
    await q.query(`DROP TABLE session_booking`);
    await q.query(`DROP TABLE session`);
    await q.query(`DROP FUNCTION session_booking_sync()`);
    for (const t of ['session_series', 'assignment', 'care_plan', 'placement', 'availability_rule', 'specialist_centre', 'specialist', 'room', 'centre_staff', 'centre']) {
      await q.query(`DROP TABLE ${t}`);
    }
    for (const t of ['session_status', 'availability_kind', 'discipline']) await q.query(`DROP TYPE ${t}`);
    // btree_gist stays: other objects may use it, and dropping an extension is an operator's call.
  }
}
