import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Client } from 'pg';
import type { AuditEntryRecord, SignedCheckpoint } from '../src/audit/chain';
import { verifyAudit, type VerifyResult } from '../src/audit/verify';

/*
 * npm run audit:verify -- [--db URL | --file entries.jsonl] [--checkpoints DIR] [--public-key FILE] [--db-checkpoints] [--export FILE]
 *
 * Independent verification of the audit log: recomputes every entry hash and link and the RFC 6962 Merkle root
 * at every signed checkpoint, checks the Ed25519 signatures against the public key, and names the first entry
 * that does not verify. Trusts the public key and the published checkpoints (a directory witnesses copied), not
 * the database: a superuser who rewrites the log and recomputes the chain is caught by the signatures.
 * Defaults: --db $DATABASE_URL, --checkpoints $AUDIT_CHECKPOINT_DIR or $DATA_DIR/audit-checkpoints,
 * --public-key <checkpoints>/public-key.pem. Exit status 0 when everything verifies, 1 otherwise.
 */

export interface VerifyArgs {
  db?: string;
  file?: string;
  checkpoints: string;
  publicKey: string;
  dbCheckpoints: boolean;
  exportFile?: string;
}

export function parseVerifyArgs(argv: string[], env: NodeJS.ProcessEnv): VerifyArgs {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const checkpoints = path.resolve(value('checkpoints') ?? env.AUDIT_CHECKPOINT_DIR ?? path.join(env.DATA_DIR || 'data', 'audit-checkpoints'));
  return {
    db: value('db') ?? (value('file') ? undefined : env.DATABASE_URL),
    file: value('file'),
    checkpoints,
    publicKey: path.resolve(value('public-key') ?? path.join(checkpoints, 'public-key.pem')),
    dbCheckpoints: argv.includes('--db-checkpoints'),
    exportFile: value('export'),
  };
}

async function* fromDatabase(client: Client, batch = 50000): AsyncGenerator<AuditEntryRecord> {
  // Cheap columns for the wire (epoch milliseconds, fields joined), and the next page fetched while this one
  // is hashed: reading and hashing overlap.
  const page = (after: string) => client.query(
    `SELECT a.seq::text AS seq, (extract(epoch FROM a.at) * 1000)::bigint::text AS at_ms, a.actor_id::text AS actor_id,
            a.organization_id::text AS organization_id, a.operation, a.entity_type, a.entity_id, array_to_string(a.fields, ',') AS fields,
            a.values_hash, a.prev_hash, a.hash
       FROM audit_entry a WHERE a.seq > $1 ORDER BY a.seq LIMIT $2`, [after, batch],
  );
  let next = page('0');
  try {
    for (;;) {
      const { rows } = await next;
      if (rows.length === 0) return;
      next = page(rows[rows.length - 1].seq);
      for (const r of rows) {
        yield {
          seq: r.seq, at: new Date(Number(r.at_ms)).toISOString(), actorId: r.actor_id, organizationId: r.organization_id, operation: r.operation,
          entityType: r.entity_type, entityId: r.entity_id, fields: r.fields === '' ? [] : r.fields.split(','), valuesHash: r.values_hash, prevHash: r.prev_hash, hash: r.hash,
        };
      }
    }
  } finally {
    // A verifier that stops early leaves the prefetched page in flight: let it land before the connection closes.
    await next.catch(() => undefined);
  }
}

async function* fromFile(file: string): AsyncGenerator<AuditEntryRecord> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as AuditEntryRecord;
}

function readCheckpointDir(dir: string): SignedCheckpoint[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^checkpoint-\d+\.json$/.test(f)).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SignedCheckpoint);
}

/** Runs the verification; returns the result (and prints a report through `log`). */
export async function runAuditVerify(args: VerifyArgs, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<VerifyResult> {
  if (!fs.existsSync(args.publicKey)) throw new Error(`public key ${args.publicKey} not found (--public-key)`);
  const publicKey = crypto.createPublicKey(fs.readFileSync(args.publicKey));
  const checkpoints = readCheckpointDir(args.checkpoints);
  let client: Client | undefined;
  try {
    let source: AsyncIterable<AuditEntryRecord>;
    if (args.file) source = fromFile(args.file);
    else if (args.db) {
      client = new Client({ connectionString: args.db });
      await client.connect();
      if (args.dbCheckpoints) {
        const { rows } = await client.query(`SELECT c.size::text AS size, c.root, c.head, to_char(c.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, c.key_id, c.signature FROM audit_checkpoint c`);
        for (const r of rows) checkpoints.push({ size: r.size, root: r.root, head: r.head, at: r.at, keyId: r.key_id, signature: r.signature });
      }
      source = fromDatabase(client);
    } else throw new Error('give --db URL (or DATABASE_URL) or --file entries.jsonl');
    let out: fs.WriteStream | undefined;
    if (args.exportFile) {
      out = fs.createWriteStream(args.exportFile);
      const inner = source;
      source = (async function* () {
        for await (const e of inner) {
          if (!out!.write(`${JSON.stringify(e)}\n`)) await new Promise<void>((r) => out!.once('drain', () => r()));
          yield e;
        }
      })();
    }
    const started = Date.now();
    const result = await verifyAudit(source, checkpoints, publicKey);
    if (out) await new Promise<void>((r) => out!.end(() => r()));
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (result.ok) {
      log(`OK: ${result.entries} entries verified in ${secs} s; ${result.checkpointsVerified} signed checkpoints match` +
        `${result.checkpointsIgnored ? ` (${result.checkpointsIgnored} signed by other keys ignored)` : ''}; ${result.unsignedTail} newest entries not yet under a checkpoint`);
    } else {
      log(`FAILED after ${result.entries} good entries: ${result.failure!.reason}`);
      if (result.failure!.seq) log(`first entry that does not verify: ${result.failure!.seq}`);
    }
    return result;
  } finally {
    await client?.end();
  }
}

if (require.main === module) {
  runAuditVerify(parseVerifyArgs(process.argv.slice(2), process.env))
    .then((r) => { process.exitCode = r.ok ? 0 : 1; })
    .catch((e) => { process.stderr.write(`audit:verify: ${(e as Error).message}\n`); process.exitCode = 2; });
}
