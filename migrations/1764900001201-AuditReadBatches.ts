import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPEND_FUNCTION_V1 } from './1764900001001-AuditProofs';

/**
 * Reads are audited as one entry per request and entity type ("bkb-audit/2", see src/audit/chain.ts): the entry
 * lists the ids it revealed in `entity_ids` (NULL in every format 1 entry; `entity_id` is then ''). A GIN index
 * over the lists (partial: only batched entries carry one) finds the entries about a record, for `auditTrail`
 * and exports. `bkb_audit_append` gains the lists (ids joined with ',', NULL for a format 1 entry).
 */
export class AuditReadBatches1764900001201 implements MigrationInterface {
  name = 'AuditReadBatches1764900001201';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_entry ADD COLUMN entity_ids text[]`);
    await q.query(`CREATE INDEX audit_entry_entity_ids_idx ON audit_entry USING gin (entity_ids) WHERE entity_ids IS NOT NULL`);
    await q.query(`DROP FUNCTION bkb_audit_append(bigint, text, timestamptz, uuid[], uuid[], text[], text[], text[], text[], text[], text[])`);
    await q.query(APPEND_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION bkb_audit_append(bigint, text, timestamptz, uuid[], uuid[], text[], text[], text[], text[], text[], text[], text[])`);
    await q.query(`DROP INDEX audit_entry_entity_ids_idx`);
    await q.query(`ALTER TABLE audit_entry DROP COLUMN entity_ids`);
    await q.query(APPEND_FUNCTION_V1); // as migration 1764900001001 created it
  }
}

// VOLATILE (the default): every statement inside takes a fresh snapshot, so the head is read after the lock.
const APPEND_FUNCTION = `CREATE FUNCTION bkb_audit_append(p_prev_seq bigint, p_prev_hash text, p_at timestamptz, p_actor uuid[], p_org uuid[],
    p_op text[], p_et text[], p_ei text[], p_fields text[], p_vh text[], p_hash text[], p_eids text[])
  RETURNS TABLE (head_seq bigint, head_hash text) LANGUAGE plpgsql AS $$
  DECLARE h_seq bigint; h_hash text;
  BEGIN
    PERFORM pg_advisory_xact_lock(72891001655876);
    SELECT a.seq, a.hash INTO h_seq, h_hash FROM audit_entry a ORDER BY a.seq DESC LIMIT 1;
    IF COALESCE(h_seq, 0) <> p_prev_seq OR COALESCE(h_hash, repeat('0', 64)) <> p_prev_hash THEN
      RETURN QUERY SELECT COALESCE(h_seq, 0), COALESCE(h_hash, repeat('0', 64))::text;
      RETURN;
    END IF;
    INSERT INTO audit_entry (seq, at, actor_id, organization_id, operation, entity_type, entity_id, entity_ids, fields, values_hash, prev_hash, hash)
      SELECT p_prev_seq + t.n, p_at, t.u, t.o, t.op, t.et, t.ei, CASE WHEN t.ids IS NULL THEN NULL WHEN t.ids = '' THEN '{}'::text[] ELSE string_to_array(t.ids, ',') END,
             CASE WHEN t.f = '' THEN '{}'::text[] ELSE string_to_array(t.f, ',') END, t.vh,
             COALESCE(lag(t.h) OVER (ORDER BY t.n), p_prev_hash), t.h
        FROM unnest(p_actor, p_org, p_op, p_et, p_ei, p_fields, p_vh, p_hash, p_eids) WITH ORDINALITY AS t(u, o, op, et, ei, f, vh, h, ids, n)
       ORDER BY t.n;
  END $$`;
