import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `bkb_audit_append_hashed(...)`: an append is always one statement. The function takes the audit order lock,
 * reads the head under it and computes each entry's hash itself, with exactly the canonical text of
 * src/audit/chain.ts (`canonicalEntry`: JSON.stringify of the entry's array, format 1 or 2, unchanged), so the
 * entries are the same as before and every verifier keeps working. It returns each entry's seq, previous hash and
 * hash; the hub recomputes the hash in JavaScript and refuses (rolls back) an append whose hash differs.
 *
 * Before, the hub hashed against the head it last saw and `bkb_audit_append` refused a stale guess, returning the
 * real head for a second statement: with concurrent writers nearly every write took two (2.08–2.38 statements per
 * write in the bench). `bkb_audit_append` stays (a hub of the previous version can still append to this database:
 * both take the same lock and check the head under it).
 *
 * Why the text matches JSON.stringify: `to_json(text)` escapes exactly what JSON.stringify escapes in a string
 * PostgreSQL can hold (`"`, `\`, \b \f \n \r \t, other code points below 0x20 as \u00xx in lower-case hex; no NUL,
 * no lone surrogates in PostgreSQL text), `array_to_json(text[])` writes `["a","b"]` without spaces, seq is a JSON
 * string (as in chain.ts), absent values are `null`. `at` is hashed as the text the hub sends (ISO 8601 with
 * milliseconds, the form the verifier rebuilds from the stored timestamptz(3)). tests/integration/auditAppendHashed
 * checks the equality on awkward strings.
 */
export class AuditAppendHashed1764900002301 implements MigrationInterface {
  name = 'AuditAppendHashed1764900002301';

  async up(q: QueryRunner): Promise<void> {
    await q.query(APPEND_HASHED_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION bkb_audit_append_hashed(text, uuid[], uuid[], text[], text[], text[], text[], text[], text[])`);
  }
}

// VOLATILE (the default): every statement inside takes a fresh snapshot, so the head is read after the lock.
// Field names and listed ids come joined with ',' (checked by the hub: neither may contain one); '' is the empty
// list; a NULL p_eids element marks a format 1 entry.
const APPEND_HASHED_FUNCTION = `CREATE FUNCTION bkb_audit_append_hashed(p_at text, p_actor uuid[], p_org uuid[], p_op text[], p_et text[],
    p_ei text[], p_fields text[], p_vh text[], p_eids text[])
  RETURNS TABLE (entry_seq bigint, entry_prev text, entry_hash text) LANGUAGE plpgsql AS $$
  DECLARE
    cnt int := COALESCE(cardinality(p_op), 0);
    h_seq bigint; h_hash text; prev text; doc text; ids text[];
    hashes text[] := '{}';
    at_json text := to_json(p_at)::text;
  BEGIN
    IF cnt = 0 THEN RETURN; END IF;
    IF cardinality(p_actor) <> cnt OR cardinality(p_org) <> cnt OR cardinality(p_et) <> cnt OR cardinality(p_ei) <> cnt
       OR cardinality(p_fields) <> cnt OR cardinality(p_vh) <> cnt OR cardinality(p_eids) <> cnt THEN
      RAISE EXCEPTION 'bkb_audit_append_hashed: the arrays differ in length' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(72891001655876);
    SELECT a.seq, a.hash INTO h_seq, h_hash FROM audit_entry a ORDER BY a.seq DESC LIMIT 1;
    h_seq := COALESCE(h_seq, 0);
    h_hash := COALESCE(h_hash, repeat('0', 64));
    prev := h_hash;
    FOR i IN 1..cnt LOOP
      ids := CASE WHEN p_eids[i] IS NULL THEN NULL WHEN p_eids[i] = '' THEN '{}'::text[] ELSE string_to_array(p_eids[i], ',') END;
      doc := '["bkb-audit/' || CASE WHEN ids IS NULL THEN '1' ELSE '2' END || '",'
        || to_json((h_seq + i)::text)::text || ',' || to_json(prev)::text || ',' || at_json || ','
        || COALESCE(to_json(p_actor[i]::text)::text, 'null') || ',' || COALESCE(to_json(p_org[i]::text)::text, 'null') || ','
        || to_json(p_op[i])::text || ',' || to_json(p_et[i])::text || ',' || to_json(p_ei[i])::text || ','
        || CASE WHEN ids IS NULL THEN '' ELSE array_to_json(ids)::text || ',' END
        || array_to_json(CASE WHEN p_fields[i] = '' THEN '{}'::text[] ELSE string_to_array(p_fields[i], ',') END)::text || ','
        || COALESCE(to_json(p_vh[i])::text, 'null') || ']';
      prev := encode(sha256(convert_to(doc, 'UTF8')), 'hex');
      hashes[i] := prev;
    END LOOP;
    INSERT INTO audit_entry (seq, at, actor_id, organization_id, operation, entity_type, entity_id, entity_ids, fields, values_hash, prev_hash, hash)
      SELECT h_seq + t.n, p_at::timestamptz, t.u, t.o, t.op, t.et, t.ei,
             CASE WHEN t.ids IS NULL THEN NULL WHEN t.ids = '' THEN '{}'::text[] ELSE string_to_array(t.ids, ',') END,
             CASE WHEN t.f = '' THEN '{}'::text[] ELSE string_to_array(t.f, ',') END, t.vh,
             COALESCE(lag(t.h) OVER (ORDER BY t.n), h_hash), t.h
        FROM unnest(p_actor, p_org, p_op, p_et, p_ei, p_fields, p_vh, hashes, p_eids) WITH ORDINALITY AS t(u, o, op, et, ei, f, vh, h, ids, n)
       ORDER BY t.n;
    RETURN QUERY SELECT h_seq + t.n, COALESCE(lag(t.h) OVER (ORDER BY t.n), h_hash), t.h
      FROM unnest(hashes) WITH ORDINALITY AS t(h, n) ORDER BY t.n;
  END $$`;
