import type { Client } from 'pg';
import type { AuditEntryRecord } from './chain';

/*
 * Reads the whole audit log in one `COPY (SELECT …) TO STDOUT (FORMAT binary)` and decodes the rows straight
 * from the bytes, for `npm run audit:verify`: no pages, no row objects from the driver, no text parsing of
 * timestamps or arrays. The columns are cast in the query, so the decoder's idea of each type cannot drift
 * from the table's (a superuser who changes a column's type gets an entry that does not verify, not a crash).
 */

export const COPY_ENTRIES_SQL = `COPY (SELECT a.seq::int8, a.at::timestamptz, a.actor_id::uuid, a.organization_id::uuid, a.operation::text,
  a.entity_type::text, a.entity_id::text, a.fields::text[], a.values_hash::text, a.prev_hash::text, a.hash::text,
  a.entity_ids::text[]
  FROM audit_entry a ORDER BY a.seq) TO STDOUT (FORMAT binary)`;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const FIELDS = 12;
const EMPTY = Buffer.alloc(0);
/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;

/** Decodes PostgreSQL's binary COPY format for the columns of COPY_ENTRIES_SQL, across arbitrary chunk boundaries. */
export class EntryCopyDecoder {
  private buf: Buffer = EMPTY;
  private headerDone = false;
  done = false;

  constructor(private readonly onEntry: (e: AuditEntryRecord) => void) {}

  /** Feeds the next bytes; calls onEntry for every complete row. */
  write(chunk: Buffer): void {
    const b = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let pos = 0;
    if (!this.headerDone) {
      if (b.length < 19) { this.buf = b; return; }
      if (!b.subarray(0, 11).equals(SIGNATURE)) throw new Error('audit: not a binary COPY stream');
      const ext = b.readUInt32BE(15);
      if (b.length < 19 + ext) { this.buf = b; return; }
      pos = 19 + ext;
      this.headerDone = true;
    }
    while (!this.done) {
      const end = rowEnd(b, pos);
      if (end < 0) break;
      if (end === pos + 2) { this.done = true; pos = end; break; } // the trailer (-1)
      this.onEntry(decodeRow(b, pos + 2));
      pos = end;
    }
    this.buf = pos >= b.length ? EMPTY : Buffer.from(b.subarray(pos));
  }
}

/** Where the row starting at `pos` ends, or -1 when it is not all in `b` yet. */
function rowEnd(b: Buffer, pos: number): number {
  if (pos + 2 > b.length) return -1;
  const n = b.readInt16BE(pos);
  if (n === -1) return pos + 2;
  if (n !== FIELDS) throw new Error(`audit: a COPY row has ${n} fields, expected ${FIELDS}`);
  let p = pos + 2;
  for (let i = 0; i < n; i++) {
    if (p + 4 > b.length) return -1;
    const len = b.readInt32BE(p);
    p += 4 + (len > 0 ? len : 0);
  }
  return p > b.length ? -1 : p;
}

/** Start and length (-1: NULL) of each field of the row being decoded. */
const START = new Int32Array(FIELDS);
const LENGTH = new Int32Array(FIELDS);

function decodeRow(b: Buffer, p: number): AuditEntryRecord {
  for (let i = 0; i < FIELDS; i++) {
    const len = b.readInt32BE(p);
    START[i] = p + 4;
    LENGTH[i] = len;
    p += 4 + (len > 0 ? len : 0);
  }
  const text = (i: number) => (LENGTH[i] < 0 ? null : b.toString('utf8', START[i], START[i] + LENGTH[i]));
  const uuid = (i: number) => {
    if (LENGTH[i] < 0) return null;
    const h = b.toString('hex', START[i], START[i] + 16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const e: AuditEntryRecord = {
    // NOT NULL in the table; a superuser could still drop the constraint: such an entry must not verify.
    seq: LENGTH[0] === 8 ? int8(b, START[0]) : 'NULL',
    at: LENGTH[1] === 8 ? timestamp(b, START[1]) : 'NULL',
    actorId: uuid(2),
    organizationId: uuid(3),
    operation: text(4) as string,
    entityType: text(5) as string,
    entityId: text(6) as string,
    fields: textArray(b, START[7], LENGTH[7]),
    valuesHash: text(8),
    prevHash: text(9) as string,
    hash: text(10) as string,
  };
  // Format 2 entries only (as readEntries gives them): NULL in every format 1 entry.
  if (LENGTH[11] >= 0) e.entityIds = textArray(b, START[11], LENGTH[11]);
  return e;
}

function int8(b: Buffer, p: number): string {
  const hi = b.readInt32BE(p);
  // Within ±2^53 a double holds it exactly (every real seq); beyond, BigInt.
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 0x1_0000_0000 + b.readUInt32BE(p + 4));
  return b.readBigInt64BE(p).toString();
}

/** ISO 8601 with milliseconds, as the writer hashed it; anything a Date cannot say exactly comes out unequal. */
function timestamp(b: Buffer, p: number): string {
  const hi = b.readInt32BE(p);
  if (hi >= -0x200000 && hi < 0x200000) {
    const micros = hi * 0x1_0000_0000 + b.readUInt32BE(p + 4);
    if (micros % 1000 === 0) {
      const d = new Date(PG_EPOCH_MS + micros / 1000);
      if (!Number.isNaN(d.getTime())) return d.toISOString();
    }
  }
  return `pg-timestamp-micros:${b.readBigInt64BE(p)}`;
}

/** A one-dimensional text[] (the only kind the writer makes); NULL elements come out as null. */
function textArray(b: Buffer, p: number, len: number): string[] {
  if (len < 0) return null as unknown as string[];
  const ndim = b.readInt32BE(p);
  if (ndim === 0) return [];
  let q = p + 12;
  let count = 1;
  for (let d = 0; d < ndim; d++) { count *= b.readInt32BE(q); q += 8; }
  const out: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    const l = b.readInt32BE(q);
    q += 4;
    out.push(l < 0 ? null : b.toString('utf8', q, q + l));
    if (l > 0) q += l;
  }
  return out as string[];
}

/**
 * Streams every entry of the database's audit log to `onEntry`, in seq order, as the bytes arrive (the server
 * produces rows while this process hashes). `onEntry` returning false stops decoding (the rest is drained).
 * `backpressure`, asked after each message, may return a promise: reading pauses until it settles (an export
 * file that cannot keep up).
 */
export function copyEntries(client: Client, onEntry: (e: AuditEntryRecord) => boolean, backpressure?: () => Promise<void> | null): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stopped = false;
    let error: unknown;
    const decoder = new EntryCopyDecoder((e) => { if (!stopped && !onEntry(e)) stopped = true; });
    // A pg "submittable": the driver hands it the protocol messages of this one statement.
    const submittable = {
      socket: null as { pause: () => void; resume: () => void } | null,
      submit(connection: { query: (text: string) => void; stream: { pause: () => void; resume: () => void } }) {
        this.socket = connection.stream;
        connection.query(COPY_ENTRIES_SQL);
      },
      handleCopyData(msg: { chunk: Buffer }) {
        if (stopped || error) return;
        try { decoder.write(msg.chunk); } catch (e) { error = e; }
        const wait = backpressure?.();
        if (wait && this.socket) {
          const socket = this.socket;
          socket.pause();
          void wait.finally(() => socket.resume());
        }
      },
      handleCommandComplete() {},
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      // The driver drops a query after an error message (no readyForQuery reaches it): settle here.
      handleError(e: unknown) { reject(e); },
      handleReadyForQuery() {
        if (error) reject(error);
        else if (!stopped && !decoder.done) reject(new Error('audit: the COPY stream ended early'));
        else resolve();
      },
    };
    client.query(submittable as never);
  });
}
