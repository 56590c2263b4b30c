import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config';
import {
  entryHash, GENESIS_HASH, leafHash, MerkleAccumulator, signCheckpoint, type AuditEntryData, type AuditEntryRecord, type SignedCheckpoint,
} from './chain';
import { loadAuditKeys, valuesHash, type AuditKeys } from './keys';
import { MIN_STORED_LEVEL } from './proofs';

/**
 * Advisory lock serializing audit appends (ASCII "BKBAUD"); held to commit, so seq commits in order with no gap.
 * `bkb_audit_append` (migration 1764900001001) and `bkb_audit_append_hashed` (1764900002301) take it by this number.
 */
export const AUDIT_ORDER_LOCK = '72891001655876';
/**
 * Advisory lock serializing checkpoint creation across instances. A transaction that holds both (the dossier
 * export signs inside its own) takes it after the audit order lock; nothing takes them the other way round.
 */
const CHECKPOINT_LOCK = '72891001675080';

/** One audited operation, as a caller describes it. Values are hashed (keyed), never stored. */
export interface AuditRecord {
  /** e.g. CREATE, UPDATE, CHANGE_STATUS, SHARE, READ, DOWNLOAD, EXPORT, MATCH_DECISION. */
  operation: string;
  entityType: string;
  entityId: string;
  /** Names of the fields written or read (letters, digits, `_` and `.`). */
  fields?: string[];
  /** The values written (or read): only their keyed hash enters the log. */
  values?: unknown;
}

/** Who did it: a user and organization, or null for the hub itself (seed, fixity). */
export interface AuditActor {
  actorId: string | null;
  organizationId: string | null;
}

interface Pending extends AuditActor, AuditRecord {}

/**
 * An entry as appended: one record (format 1), or a request's reads of one entity type (format 2: `entityIds`
 * lists the records, `entityId` is '', and `values` are already the list of the per-record value hashes).
 */
interface PendingEntry extends Pending {
  entityIds?: string[];
}

/** A write that commits with a batch of recorded reads, in their transaction (an evidence item's ACCESSED custody event). */
export type ReadCompanion = (em: EntityManager, reads: ReadonlyArray<AuditActor & AuditRecord>) => Promise<void>;

/** `{ ...actor, ...r }`, written out: V8 copies two spreads through a slow path (~10 µs an object, on every read). */
export function withActor(actor: AuditActor, r: AuditRecord): Pending {
  return { actorId: actor.actorId, organizationId: actor.organizationId, operation: r.operation, entityType: r.entityType, entityId: r.entityId, fields: r.fields, values: r.values };
}

const FIELD = /^[A-Za-z0-9_.]+$/;

/**
 * The append statement (fixed text: prepared once per connection on the read path). One statement whatever the
 * concurrency: `bkb_audit_append_hashed` (migration 1764900002301) takes the audit order lock, reads the head and
 * hashes the entries under it, and returns each entry's seq, previous hash and hash.
 */
const APPEND_SQL = `SELECT entry_seq::text AS seq, entry_prev AS prev, entry_hash AS hash
  FROM bkb_audit_append_hashed($1, $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`;
/** Its name as a prepared statement (per connection: the pool's, which transactions use too). */
const APPEND_STATEMENT = 'bkb_audit_append_v3';

/** What the append needs of node-postgres' pool or client (a named statement). */
interface PgClient {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: any[] }>;
}

function checkRecord(r: PendingEntry): void {
  if (!r.operation || !r.entityType || (r.entityIds ? r.entityId !== '' || r.entityIds.length === 0 : !r.entityId)) {
    throw new Error('audit: operation, entityType and entityId (or a non-empty entityIds) are required');
  }
  for (const id of r.entityIds ?? []) if (!id || id.includes(',')) throw new Error(`audit: entity id ${JSON.stringify(id)} cannot be listed`);
  for (const f of r.fields ?? []) if (!FIELD.test(f)) throw new Error(`audit: field name ${JSON.stringify(f)} is not allowed`);
}

/**
 * The tamper-evident audit log: appends hash-chained entries (inside the caller's transaction for writes,
 * batched across requests for reads), and signs RFC 6962 Merkle checkpoints with a key kept outside the
 * database, published to a directory witnesses can copy.
 */
export class AuditLog {
  readonly keys: AuditKeys;
  private pendingReads: { actor: AuditActor; records: AuditRecord[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  /** Requests that may read sensitive fields and have not handed their reads to recordReads yet (see readerStarted). */
  private readers = new Set<number>();
  private lastTicket = 0;
  /** Ends the waiting flush's gather (once no counted request runs). */
  private readersWait: (() => void) | null = null;
  private timer?: NodeJS.Timeout;
  private readCompanions: { companion: ReadCompanion; entityTypes: ReadonlySet<string> }[] = [];
  /**
   * Appends made and the append statements they took (one each since `bkb_audit_append_hashed`); group commits of
   * reads, the recordReads calls (requests) they carried, how many waited for running requests, how many of those
   * waited the whole window, and the milliseconds waited in all (bench:audit reports them).
   */
  readonly stats = { appends: 0, statements: 0, readGroups: 0, readRequests: 0, waits: 0, windowsExpired: 0, waitedMs: 0 };

  constructor(private readonly deps: { config: Config; logger: Logger; dataSource?: DataSource }) {
    this.keys = loadAuditKeys(deps.config.auditSigningKeyFile, { generate: !deps.config.production });
  }

  private get ds(): DataSource {
    if (!this.deps.dataSource) throw new Error('audit: the database is not open');
    return this.deps.dataSource;
  }

  /**
   * Appends entries to the chain inside the transaction of `em` (or, outside a transaction, as one statement of
   * its own). Takes the audit order lock (held to commit): call it at the end of the transaction, before any other
   * order lock (see CaseService.recordEvent).
   *
   * One round trip: PostgreSQL assigns the seqs and computes the hashes under the lock (`bkb_audit_append_hashed`);
   * the hub recomputes each hash from the canonical text (chain.ts) and refuses an append whose hash differs, so
   * that nothing the verifier would reject is ever committed inside a transaction.
   */
  async append(em: EntityManager, records: PendingEntry[]): Promise<AuditEntryRecord[]> {
    const qr = em.queryRunner;
    if (qr && !qr.isReleased && em.connection.options.type === 'postgres') {
      // Inside a transaction: its node-postgres client, with the named statement (prepared once per connection).
      // Through em.query PostgreSQL parsed and planned the text on every call: ~0.4 ms of its CPU per append.
      const client: PgClient = await qr.connect();
      return this.appendVia(async (values) => (await client.query({ name: APPEND_STATEMENT, text: APPEND_SQL, values })).rows, records);
    }
    return this.appendVia((params) => em.query(APPEND_SQL, params), records);
  }

  /**
   * As append, outside any transaction (the statement commits on its own), straight through node-postgres' pool
   * with a named prepared statement: the read path's group commits skip TypeORM's query runner (one per statement)
   * and PostgreSQL's parse and plan of the fixed text on every call.
   */
  private appendAlone(records: PendingEntry[]): Promise<AuditEntryRecord[]> {
    const pool = (this.ds.driver as unknown as { master?: PgClient }).master;
    if (!pool || this.ds.options.type !== 'postgres') return this.append(this.ds.manager, records);
    return this.appendVia(async (values) => (await pool.query({ name: APPEND_STATEMENT, text: APPEND_SQL, values })).rows, records);
  }

  private async appendVia(run: (params: unknown[]) => Promise<{ seq: string; prev: string; hash: string }[]>, records: PendingEntry[]): Promise<AuditEntryRecord[]> {
    if (records.length === 0) return [];
    for (const r of records) checkRecord(r);
    const at = new Date().toISOString();
    const n = records.length;
    const actors = new Array<string | null>(n);
    const orgs = new Array<string | null>(n);
    const ops = new Array<string>(n);
    const types = new Array<string>(n);
    const ids = new Array<string>(n);
    const fields = new Array<string>(n);
    const hashes = new Array<string | null>(n);
    const lists = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const r = records[i];
      actors[i] = r.actorId;
      orgs[i] = r.organizationId;
      ops[i] = r.operation;
      types[i] = r.entityType;
      ids[i] = r.entityId;
      fields[i] = (r.fields ?? []).join(',');
      hashes[i] = valuesHash(this.keys, r.values);
      lists[i] = r.entityIds?.join(',') ?? null;
    }
    this.stats.appends++;
    this.stats.statements++;
    const rows = await run([at, actors, orgs, ops, types, ids, fields, hashes, lists]);
    if (rows.length !== n) throw new Error(`audit: ${n} entries appended, ${rows.length} returned`);
    return records.map((r, i) => {
      const data: AuditEntryData = {
        seq: rows[i].seq, prevHash: rows[i].prev, at, actorId: r.actorId, organizationId: r.organizationId, operation: r.operation,
        entityType: r.entityType, entityId: r.entityId, fields: r.fields ?? [], valuesHash: hashes[i],
      };
      if (r.entityIds) data.entityIds = r.entityIds;
      const hash = entryHash(data);
      // PostgreSQL hashed the same canonical text; a difference would be an entry the verifier rejects: refuse it
      // (inside a transaction, the caller's whole change rolls back with it).
      if (hash !== rows[i].hash || (i > 0 && data.prevHash !== rows[i - 1].hash)) {
        throw new Error(`audit: entry ${data.seq} was hashed differently by the database (${rows[i].hash}) and the hub (${hash})`);
      }
      (data as AuditEntryRecord).hash = hash;
      return data as AuditEntryRecord;
    });
  }

  /**
   * Records reads (of sensitive fields) in their own short transaction, batched across concurrent requests
   * (group commit): the promise resolves once the entries are committed.
   */
  recordReads(actor: AuditActor, records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pendingReads.push({ actor, records, resolve, reject });
      this.startFlush();
    });
  }

  /**
   * Starts the flush loop unless it runs. Reads queued after the loop's last check but before its promise settled
   * (a resolved request's next one, in the same tick) would otherwise wait for some later request's flush.
   */
  private startFlush(): void {
    if (this.flushing) return;
    this.flushing = this.flushReads().finally(() => {
      this.flushing = null;
      if (this.pendingReads.length > 0) this.startFlush();
    });
  }

  /**
   * Registers a write that commits with every batch of recorded reads of `entityTypes`, in the same transaction
   * (composition root). A batch with no such read is appended as one statement, without a transaction around it.
   */
  onReads(entityTypes: string[], companion: ReadCompanion): void {
    this.readCompanions.push({ companion, entityTypes: new Set(entityTypes) });
  }

  /**
   * A request that may read sensitive fields is running: counted from its arrival (the HTTP context, before its
   * token is checked and its document parsed; see `adoptReaderTicket`) or, elsewhere, from its operation's
   * resolution; it calls readerFinished with the returned ticket once it has passed its reads to recordReads, or has
   * none after all (an operation that selects no sensitive field gives its ticket back as soon as it is resolved).
   *
   * A flush waits (up to `auditReadGroupMs`) until **no** counted request is running, those that arrive while it
   * waits included: every request in flight then shares its statement and commit. Waiting only for the requests
   * running when the flush began left the clients of the previous commit out (they come back while the flush
   * waits): under a steady load of N clients the commits alternated between two cohorts of ~N/2 (0.21–0.23 appends
   * per request at 10 clients, docs/icc.md). Counted from the operation's resolution only, a request that had
   * arrived but was still authenticating was missed, and flushed alone just after. When the cap expires, the
   * requests that were running when the wait began are no longer waited for by any flush (a request that never hands
   * its reads over holds back one flush, for the cap at most); those that arrived during the wait may hold back the
   * next one, for its own cap at most. A lone request never waits, nor does any flush while no other counted request
   * is running.
   */
  readerStarted(): number {
    const ticket = ++this.lastTicket;
    this.readers.add(ticket);
    return ticket;
  }

  /** Idempotent: a ticket handed back twice, or dropped after a full window, is no longer counted. */
  readerFinished(ticket: number): void {
    if (this.readers.delete(ticket) && this.readers.size === 0) this.readersWait?.();
  }

  private gatherReaders(): Promise<void> {
    const ms = this.deps.config.auditReadGroupMs;
    if (this.readers.size === 0 || !(ms > 0)) return Promise.resolve();
    const upTo = this.lastTicket;
    const t0 = performance.now();
    this.stats.waits++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Those that were running when the wait began have held it back for the whole window: no later flush waits
        // for them. Those that arrived meanwhile have not: the next flush waits for them (for its own window at most).
        // (A Set iterates in insertion order, tickets ascending.)
        for (const t of this.readers) {
          if (t > upTo) break;
          this.readers.delete(t);
        }
        this.stats.windowsExpired++;
        done();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.stats.waitedMs += performance.now() - t0;
        this.readersWait = null;
        resolve();
      };
      this.readersWait = done;
    });
  }

  private async flushReads(): Promise<void> {
    while (this.pendingReads.length > 0) {
      await this.gatherReaders();
      const batch = this.pendingReads.splice(0, this.pendingReads.length);
      this.stats.readGroups++;
      this.stats.readRequests += batch.length;
      try {
        const entries = this.batchEntries(batch);
        const companions = this.readCompanions.filter((c) => batch.some((b) => b.records.some((r) => c.entityTypes.has(r.entityType))));
        if (companions.length === 0) {
          // One statement, its own transaction: usually a single round trip for the whole group.
          await this.appendAlone(entries);
        } else {
          // Companions (custody ACCESSED events, one per record read) commit with the READ entries or not at all.
          await this.ds.transaction(async (em) => {
            await this.append(em, entries);
            for (const c of companions) {
              const reads = batch.flatMap((b) => b.records.filter((r) => c.entityTypes.has(r.entityType)).map((r) => withActor(b.actor, r)));
              await c.companion(em, reads);
            }
          });
        }
        for (const b of batch) b.resolve();
      } catch (e) {
        this.deps.logger.error({ err: e }, 'audit: could not record reads');
        for (const b of batch) b.reject(e);
      }
    }
  }

  /**
   * The entries of a group commit: the reads of the requests of one actor (user and organization) that commit
   * together are listed together (same `at`, same statement), one entry per operation and entity type, each record
   * once. Under load one user's concurrent requests (a client paging, several tabs) share a commit, and so then do
   * their entries: 2 rows per commit instead of 2 per request in bench:audit, fewer GIN keys, fewer hashes.
   */
  private batchEntries(batch: ReadonlyArray<{ actor: AuditActor; records: AuditRecord[] }>): PendingEntry[] {
    if (batch.length === 1) return this.readEntries(batch[0].actor, batch[0].records);
    const byActor = new Map<string, { actor: AuditActor; records: AuditRecord[] }>();
    for (const b of batch) {
      const key = `${b.actor.actorId}\u0000${b.actor.organizationId}`;
      const g = byActor.get(key);
      if (g) for (const r of b.records) g.records.push(r);
      else byActor.set(key, { actor: b.actor, records: [...b.records] });
    }
    const out: PendingEntry[] = [];
    for (const g of byActor.values()) for (const e of this.readEntries(g.actor, g.records)) out.push(e);
    return out;
  }

  /**
   * One actor's reads as entries: one per operation and entity type (format 2), listing the ids in the order read
   * (a record read with the same values twice, by two requests of one commit, once), the union of the fields, and
   * the keyed hash over the per-record value hashes (null if none had values). A group of one record stays a
   * format 1 entry, as before.
   */
  private readEntries(actor: AuditActor, records: AuditRecord[]): PendingEntry[] {
    // Grouped by operation and entity type. (Plain loops and literals: this runs for every record a response
    // reveals, and V8 copies `{ ...a, ...b }` through a slow path, ~10 µs a record.)
    const groups = new Map<string, AuditRecord[]>();
    for (const r of records) {
      const key = `${r.operation}\u0000${r.entityType}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(r);
    }
    const out: PendingEntry[] = [];
    for (const g of groups.values()) {
      if (g.length === 1) {
        out.push(withActor(actor, g[0]));
        continue;
      }
      const ids: string[] = [];
      const hashes: (string | null)[] = [];
      const seen = new Set<string>();
      const fields = new Set<string>();
      for (const r of g) {
        const h = valuesHash(this.keys, r.values);
        const key = h === null ? r.entityId : `${r.entityId}\u0000${h}`;
        if (!seen.has(key)) {
          seen.add(key);
          ids.push(r.entityId);
          hashes.push(h);
        }
        for (const f of r.fields ?? []) fields.add(f);
      }
      if (ids.length === 1) {
        out.push({ actorId: actor.actorId, organizationId: actor.organizationId, operation: g[0].operation, entityType: g[0].entityType, entityId: ids[0], fields: [...fields].sort(), values: g[0].values });
        continue;
      }
      out.push({
        actorId: actor.actorId, organizationId: actor.organizationId, operation: g[0].operation, entityType: g[0].entityType,
        entityId: '', entityIds: ids, fields: [...fields].sort(),
        values: hashes.every((h) => h === null) ? undefined : hashes,
      });
    }
    return out;
  }

  /** Appends entries in a transaction of their own (scripts, seed). */
  async appendNow(actor: AuditActor, records: AuditRecord[]): Promise<AuditEntryRecord[]> {
    return this.append(this.ds.manager, records.map((r) => withActor(actor, r)));
  }

  /**
   * Signs a checkpoint over every committed entry: re-checks each new entry's hash and link first (the hub
   * never signs a chain that does not verify), extends the previous checkpoint's Merkle peaks, stores the
   * hashes of the complete subtrees the new entries close (`audit_merkle_node`, for O(log n) proofs), stores the
   * checkpoint and publishes it. Returns the latest checkpoint when nothing was appended since.
   */
  async checkpoint(): Promise<SignedCheckpoint> {
    const signed = await this.ds.transaction((em) => this.checkpointIn(em));
    this.publish(signed);
    return signed;
  }

  /**
   * Where a checkpoint over the entries committed so far would stand, verified (read-only, no lock). A caller
   * that will sign inside its own transaction (the dossier export) computes this first, so that the work
   * done while it holds the audit order lock is only the few entries appended since.
   */
  async checkpointBase(): Promise<CheckpointBase> {
    return this.ds.transaction('REPEATABLE READ', async (em) => {
      const last = await lastCheckpoint(em);
      return (await nodesMissing(em, last)) ? advance(em, baseOf(undefined), last) : advance(em, baseOf(last));
    });
  }

  /**
   * Signs a checkpoint inside the transaction of `em` (taking the checkpoint lock, held to commit), over every
   * entry that transaction sees, its own uncommitted ones included; nothing is stored if it rolls back.
   * Continues from `base` when given (see checkpointBase). The caller publishes it after commit (`publish`):
   * a checkpoint that might still roll back never reaches witnesses.
   */
  async checkpointIn(em: EntityManager, base?: CheckpointBase): Promise<SignedCheckpoint> {
    await em.query('SELECT pg_advisory_xact_lock($1::bigint)', [CHECKPOINT_LOCK]);
    const last = await lastCheckpoint(em);
    // Subtree hashes are stored from the first checkpoint after migration 1764900001001 on: before that, the
    // tree is rebuilt from the first entry once (re-checking every entry, and the last checkpoint's root on the way).
    const from = base && (!last || BigInt(base.size) >= BigInt(last.size)) ? base
      : (await nodesMissing(em, last)) ? baseOf(undefined) : baseOf(last);
    const at = await advance(em, from, last);
    await storeNodes(em, at.nodes ?? []);
    if (last && at.size === last.size) {
      return { size: last.size, root: last.root, head: last.head, at: last.at.toISOString(), keyId: last.key_id, signature: last.signature };
    }
    const acc = MerkleAccumulator.from(Number(at.size), at.peaks);
    const c = signCheckpoint({ size: at.size, root: acc.root(), head: at.head, at: new Date().toISOString() }, this.keys.privateKey, this.keys.keyId);
    await em.query(
      'INSERT INTO audit_checkpoint (size, root, head, at, key_id, signature, peaks) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [c.size, c.root, c.head, c.at, c.keyId, c.signature, JSON.stringify(at.peaks)],
    );
    return c;
  }

  /** Writes the checkpoint (and the public key) to the witness directory; existing files are never overwritten. */
  publish(c: SignedCheckpoint): void {
    const dir = this.deps.config.auditCheckpointDir;
    fs.mkdirSync(dir, { recursive: true });
    writeOnce(path.join(dir, 'public-key.pem'), this.keys.publicKeyPem);
    writeOnce(path.join(dir, `checkpoint-${c.size.padStart(12, '0')}.json`), `${JSON.stringify(c, null, 2)}\n`);
  }

  /** Checkpoints every `auditCheckpointIntervalSeconds` while the hub runs. */
  start(): void {
    const s = this.deps.config.auditCheckpointIntervalSeconds;
    if (s > 0) {
      this.timer = setInterval(() => {
        this.checkpoint().catch((e) => this.deps.logger.error({ err: e }, 'audit: checkpoint failed'));
      }, s * 1000);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing?.catch(() => undefined);
  }
}

function writeOnce(file: string, content: string): void {
  if (fs.existsSync(file)) return;
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o444 });
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.unlinkSync(tmp);
  }
}

/** A verified position in the chain: `size` entries, the last one's hash, and the Merkle peaks over them. */
export interface CheckpointBase {
  size: string;
  head: string;
  peaks: { height: number; hash: string }[];
  /** Complete subtrees (level >= MIN_STORED_LEVEL) formed while reaching this base, to be stored with the checkpoint. */
  nodes?: { level: number; idx: number; hash: Buffer }[];
}

/** True when the stored subtree hashes do not cover the last checkpoint's complete subtrees (signed before they were kept). */
async function nodesMissing(em: EntityManager, last: CheckpointRow | undefined): Promise<boolean> {
  if (!last) return false;
  const [{ covered }]: { covered: string }[] = await em.query(
    'SELECT COALESCE(max(n.idx) + 1, 0)::text AS covered FROM audit_merkle_node n WHERE n.level = $1', [MIN_STORED_LEVEL],
  );
  const block = 2 ** MIN_STORED_LEVEL;
  return Number(covered) * block < Math.floor(Number(last.size) / block) * block;
}

async function storeNodes(em: EntityManager, nodes: { level: number; idx: number; hash: Buffer }[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += 5000) {
    const batch = nodes.slice(i, i + 5000);
    await em.query(
      'INSERT INTO audit_merkle_node (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[]) ON CONFLICT DO NOTHING',
      [batch.map((n) => n.level), batch.map((n) => n.idx), batch.map((n) => n.hash)],
    );
  }
}

interface CheckpointRow { size: string; root: string; head: string; at: Date; key_id: string; signature: string; peaks: { height: number; hash: string }[] }

async function lastCheckpoint(em: EntityManager): Promise<CheckpointRow | undefined> {
  const [last]: CheckpointRow[] = await em.query('SELECT size::text AS size, root, head, at, key_id, signature, peaks FROM audit_checkpoint c ORDER BY c.size DESC LIMIT 1');
  if (last && MerkleAccumulator.from(Number(last.size), last.peaks).root() !== last.root) {
    throw new Error(`audit: the stored peaks of checkpoint ${last.size} do not give its root`);
  }
  return last;
}

function baseOf(last: CheckpointRow | undefined): CheckpointBase {
  return last ? { size: last.size, head: last.head, peaks: last.peaks } : { size: '0', head: GENESIS_HASH, peaks: [] };
}

/**
 * Extends `from` over the entries after it that `em` sees, re-checking each one's sequence, link and hash
 * (the hub never signs a chain that does not verify). Passing the stored checkpoint `last` also checks that
 * the extended tree agrees with it where they overlap.
 */
async function advance(em: EntityManager, from: CheckpointBase, last?: CheckpointRow): Promise<CheckpointBase> {
  const acc = MerkleAccumulator.from(Number(from.size), from.peaks);
  let prev = from.head;
  let seq = BigInt(from.size);
  const nodes = [...(from.nodes ?? [])];
  const onNode = (level: number, idx: number, hash: Buffer) => { if (level >= MIN_STORED_LEVEL) nodes.push({ level, idx, hash }); };
  const check = () => {
    if (last && seq.toString() === last.size && (acc.root() !== last.root || prev !== last.head)) {
      throw new Error(`audit: the chain does not give the root of stored checkpoint ${last.size}; refusing to sign`);
    }
  };
  check();
  for (;;) {
    const rows = await readEntries(em, seq, 20000);
    if (rows.length === 0) break;
    for (const e of rows) {
      if (BigInt(e.seq) !== seq + 1n) throw new Error(`audit: entry ${seq + 1n} is missing`);
      if (e.prevHash !== prev || entryHash(e) !== e.hash) throw new Error(`audit: entry ${e.seq} does not verify; refusing to sign`);
      acc.push(leafHash(e.hash), onNode);
      prev = e.hash;
      seq += 1n;
      check();
    }
  }
  return { size: seq.toString(), head: prev, peaks: acc.snapshot(), nodes };
}

interface EntryRow {
  seq: string; at: Date; actor_id: string | null; organization_id: string | null; operation: string; entity_type: string;
  entity_id: string; entity_ids?: string[] | null; fields: string[]; values_hash: string | null; prev_hash: string; hash: string;
}

export function entryFromRow(r: EntryRow): AuditEntryRecord {
  return {
    seq: r.seq, prevHash: r.prev_hash, at: r.at.toISOString(), actorId: r.actor_id, organizationId: r.organization_id, operation: r.operation,
    entityType: r.entity_type, entityId: r.entity_id, ...(r.entity_ids ? { entityIds: r.entity_ids } : {}), fields: r.fields, valuesHash: r.values_hash, hash: r.hash,
  };
}

export const ENTRY_COLUMNS = 'seq::text AS seq, at, actor_id, organization_id, operation, entity_type, entity_id, entity_ids, fields, values_hash, prev_hash, hash';

/** SQL condition: entry `a` concerns one of the ids in the text[] parameter `param` (format 1 id or format 2 list). */
export const concernsAny = (param: string) => `(a.entity_id = ANY(${param}) OR (a.entity_ids IS NOT NULL AND a.entity_ids && ${param}))`;

/** A page of entries after `afterSeq`, in order. */
export async function readEntries(q: { query: (sql: string, params?: unknown[]) => Promise<any> }, afterSeq: bigint, limit: number): Promise<AuditEntryRecord[]> {
  const rows: EntryRow[] = await q.query(`SELECT ${ENTRY_COLUMNS} FROM audit_entry a WHERE a.seq > $1 ORDER BY a.seq LIMIT $2`, [afterSeq.toString(), limit]);
  return rows.map(entryFromRow);
}
