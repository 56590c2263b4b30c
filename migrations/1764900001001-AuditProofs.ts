import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log, faster both ways:
 * - `audit_merkle_node`: the hashes of the log's complete Merkle subtrees of 256 leaves and more, stored when a
 *   checkpoint is signed, so that an inclusion proof is O(log n) lookups instead of a pass over every entry.
 *   Derived data (anyone can recompute it from the entries); append-only like the log itself.
 * - `bkb_audit_append(...)`: one round trip for an append. The writer hashes its entries against the head it
 *   last saw; the function takes the audit order lock and inserts them only if that is still the head, and
 *   otherwise returns the real head for the writer to re-hash against (the lock is then held by the caller's
 *   transaction, so the second try cannot miss inside a transaction). Before, an append was three to five
 *   round trips (begin, lock, read the head, insert, commit). The insert trigger still checks every row.
 */
export class AuditProofs1764900001001 implements MigrationInterface {
  name = 'AuditProofs1764900001001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_merkle_node (
      level smallint NOT NULL CHECK (level BETWEEN 8 AND 62),
      idx bigint NOT NULL CHECK (idx >= 0),
      hash bytea NOT NULL CHECK (octet_length(hash) = 32),
      PRIMARY KEY (level, idx)
    )`);
    await q.query(`CREATE TRIGGER audit_merkle_node_no_update BEFORE UPDATE OR DELETE ON audit_merkle_node FOR EACH ROW EXECUTE FUNCTION bkb_append_only()`);
    await q.query(`CREATE TRIGGER audit_merkle_node_no_truncate BEFORE TRUNCATE ON audit_merkle_node FOR EACH STATEMENT EXECUTE FUNCTION bkb_append_only()`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_merkle_node FROM PUBLIC`);

    await q.query(APPEND_FUNCTION_V1);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION bkb_audit_append(bigint, text, timestamptz, uuid[], uuid[], text[], text[], text[], text[], text[], text[])`);
    await q.query(`DROP TABLE audit_merkle_node`);
  }
}

/**
 * `bkb_audit_append` as this migration creates it. VOLATILE (the default): every statement inside takes a fresh
 * snapshot, so the head is read after the lock. Exported for 1764900001201's `down`, which restores it.
 */
export const APPEND_FUNCTION_V1 = `CREATE FUNCTION bkb_audit_append(p_prev_seq bigint, p_prev_hash text, p_at timestamptz, p_actor uuid[], p_org uuid[],
        p_op text[], p_et text[], p_ei text[], p_fields text[], p_vh text[], p_hash text[])
      RETURNS TABLE (head_seq bigint, head_hash text) LANGUAGE plpgsql AS $$
      DECLARE h_seq bigint; h_hash text;
      BEGIN
        PERFORM pg_advisory_xact_lock(72891001655876);
        SELECT a.seq, a.hash INTO h_seq, h_hash FROM audit_entry a ORDER BY a.seq DESC LIMIT 1;
        IF COALESCE(h_seq, 0) <> p_prev_seq OR COALESCE(h_hash, repeat('0', 64)) <> p_prev_hash THEN
          RETURN QUERY SELECT COALESCE(h_seq, 0), COALESCE(h_hash, repeat('0', 64))::text;
          RETURN;
        END IF;
        INSERT INTO audit_entry (seq, at, actor_id, organization_id, operation, entity_type, entity_id, fields, values_hash, prev_hash, hash)
          SELECT p_prev_seq + t.n, p_at, t.u, t.o, t.op, t.et, t.ei, CASE WHEN t.f = '' THEN '{}'::text[] ELSE string_to_array(t.f, ',') END, t.vh,
                 COALESCE(lag(t.h) OVER (ORDER BY t.n), p_prev_hash), t.h
            FROM unnest(p_actor, p_org, p_op, p_et, p_ei, p_fields, p_vh, p_hash) WITH ORDINALITY AS t(u, o, op, et, ei, f, vh, h, n)
           ORDER BY t.n;
      END $$`;
