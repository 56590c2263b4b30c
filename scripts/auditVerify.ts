import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Client } from 'pg';
import type { AuditEntryRecord, SignedCheckpoint } from '../src/audit/chain';
import { copyEntries } from '../src/audit/copyEntries';
import { AuditVerifier, type VerifyResult } from '../src/audit/verify';

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
    if (!args.file && !args.db) throw new Error('give --db URL (or DATABASE_URL) or --file entries.jsonl');
    if (!args.file) {
      client = new Client({ connectionString: args.db });
      await client.connect();
      if (args.dbCheckpoints) {
        const { rows } = await client.query(`SELECT c.size::text AS size, c.root, c.head, to_char(c.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, c.key_id, c.signature FROM audit_checkpoint c`);
        for (const r of rows) checkpoints.push({ size: r.size, root: r.root, head: r.head, at: r.at, keyId: r.key_id, signature: r.signature });
      }
    }
    const started = Date.now();
    const verifier = new AuditVerifier(checkpoints, publicKey);
    let out: fs.WriteStream | undefined;
    let exportError: Error | undefined;
    if (args.exportFile) {
      out = fs.createWriteStream(args.exportFile);
      out.on('error', (e) => { exportError = e; });
    }
    // Reading waits while the export file's buffer is full (or until it failed).
    const drained = () => (out?.writableNeedDrain && !exportError ? new Promise<void>((r) => {
      const done = () => { out!.off('drain', done); out!.off('error', done); r(); };
      out!.on('drain', done);
      out!.on('error', done);
    }) : null);
    // Entries are exported as they are read, up to the first that does not verify (included), as before.
    const feed = (e: AuditEntryRecord) => {
      if (!verifier.ok) return false;
      out?.write(`${JSON.stringify(e)}\n`);
      return verifier.push(e);
    };
    if (verifier.ok) {
      if (args.file) {
        for await (const e of fromFile(args.file)) {
          if (!feed(e)) break;
          await drained();
        }
      } else {
        // The whole log in one binary COPY, decoded and verified as the bytes arrive.
        await copyEntries(client!, feed, drained);
      }
    }
    const result = verifier.result();
    if (out) await new Promise<void>((r) => out!.end(() => r()));
    if (exportError) throw exportError;
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
