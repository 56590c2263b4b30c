import crypto from 'node:crypto';
import {
  entryHash, GENESIS_HASH, keyIdOf, leafHash, MerkleAccumulator, verifyCheckpointSignature, type AuditEntryRecord, type SignedCheckpoint,
} from './chain';

/*
 * The independent verifier's logic (used by `npm run audit:verify`): it trusts only the public key and the
 * published checkpoints, never the database. It needs nothing of the hub but src/audit/chain.ts.
 */

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** Checkpoints whose signature and root verified. */
  checkpointsVerified: number;
  /** Checkpoints signed by another key (not trusted, not counted). */
  checkpointsIgnored: number;
  /** Entries after the last verified checkpoint: chained, but not yet covered by a signature. */
  unsignedTail: number;
  /** The first problem found, naming the entry (or checkpoint) that does not verify. */
  failure?: { seq?: string; checkpointSize?: string; reason: string };
}

/** Verifies a stream of entries (in seq order) against the signed checkpoints. */
export async function verifyAudit(entries: AsyncIterable<AuditEntryRecord>, checkpoints: SignedCheckpoint[], publicKey: crypto.KeyObject): Promise<VerifyResult> {
  const keyId = keyIdOf(publicKey);
  const bySize = new Map<string, SignedCheckpoint>();
  let ignored = 0;
  for (const c of checkpoints) {
    if (c.keyId !== keyId) { ignored++; continue; }
    const seen = bySize.get(c.size);
    if (seen && (seen.root !== c.root || seen.head !== c.head)) {
      // Two different trees signed at one size would mean the key signed a forked log.
      return { ok: false, entries: 0, checkpointsVerified: 0, checkpointsIgnored: ignored, unsignedTail: 0, failure: { checkpointSize: c.size, reason: 'two different checkpoints signed for the same size' } };
    }
    bySize.set(c.size, c);
  }
  const result: VerifyResult = { ok: true, entries: 0, checkpointsVerified: 0, checkpointsIgnored: ignored, unsignedTail: 0 };
  const fail = (f: VerifyResult['failure']) => ({ ...result, ok: false, failure: f });
  for (const c of bySize.values()) {
    if (!verifyCheckpointSignature(c, publicKey)) return fail({ checkpointSize: c.size, reason: 'checkpoint signature does not verify' });
  }
  const acc = new MerkleAccumulator();
  let prev = GENESIS_HASH;
  let expected = 1n;
  let lastVerified = 0n;
  const empty = bySize.get('0');
  if (empty) result.checkpointsVerified++;
  for await (const e of entries) {
    const seq = BigInt(e.seq);
    if (seq !== expected) {
      return fail({ seq: expected.toString(), reason: seq > expected ? `entry ${expected} is missing (next is ${seq})` : `entry ${seq} appears twice or out of order` });
    }
    if (e.prevHash !== prev) return fail({ seq: e.seq, reason: `entry ${e.seq} does not link to entry ${seq - 1n} (prevHash differs): an entry was inserted, deleted or edited here` });
    if (entryHash(e) !== e.hash) return fail({ seq: e.seq, reason: `entry ${e.seq} was edited: its content does not give its hash` });
    acc.push(leafHash(e.hash));
    prev = e.hash;
    result.entries++;
    expected++;
    const c = bySize.get(e.seq);
    if (c) {
      if (c.head !== e.hash || c.root !== acc.root()) {
        return fail({
          checkpointSize: c.size,
          seq: (lastVerified + 1n).toString(),
          reason: `entries ${lastVerified + 1n}..${c.size} are not the ones signed at checkpoint ${c.size} (${c.at}): the log was rewritten after entry ${lastVerified} (the chain was recomputed, so only the signature shows it)`,
        });
      }
      result.checkpointsVerified++;
      lastVerified = seq;
    }
  }
  const beyond = [...bySize.values()].filter((c) => BigInt(c.size) >= expected);
  if (beyond.length) {
    const c = beyond.sort((a, b) => Number(BigInt(a.size) - BigInt(b.size)))[0];
    return fail({ checkpointSize: c.size, seq: expected.toString(), reason: `checkpoint ${c.size} was signed but the log ends at entry ${expected - 1n}: entries were deleted from the end` });
  }
  result.unsignedTail = Number(expected - 1n - lastVerified);
  return result;
}
