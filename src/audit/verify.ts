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

/**
 * Verifies entries fed one by one in seq order (synchronously, so that a reader can feed it straight from the
 * bytes it receives), against the signed checkpoints; `result()` after the last one.
 */
export class AuditVerifier {
  private readonly bySize = new Map<string, SignedCheckpoint>();
  private readonly acc = new MerkleAccumulator();
  private readonly state: VerifyResult;
  private prev = GENESIS_HASH;
  private expected = 1;
  private lastVerified = 0;

  constructor(checkpoints: SignedCheckpoint[], publicKey: crypto.KeyObject) {
    const keyId = keyIdOf(publicKey);
    let ignored = 0;
    this.state = { ok: true, entries: 0, checkpointsVerified: 0, checkpointsIgnored: 0, unsignedTail: 0 };
    for (const c of checkpoints) {
      if (c.keyId !== keyId) { ignored++; continue; }
      const seen = this.bySize.get(c.size);
      if (seen && (seen.root !== c.root || seen.head !== c.head)) {
        // Two different trees signed at one size would mean the key signed a forked log.
        this.state.checkpointsIgnored = ignored;
        this.fail({ checkpointSize: c.size, reason: 'two different checkpoints signed for the same size' });
        return;
      }
      this.bySize.set(c.size, c);
    }
    this.state.checkpointsIgnored = ignored;
    for (const c of this.bySize.values()) {
      if (!verifyCheckpointSignature(c, publicKey)) { this.fail({ checkpointSize: c.size, reason: 'checkpoint signature does not verify' }); return; }
    }
    if (this.bySize.has('0')) this.state.checkpointsVerified++;
  }

  /** False once something failed to verify: feeding more changes nothing. */
  get ok(): boolean {
    return this.state.ok;
  }

  private fail(f: NonNullable<VerifyResult['failure']>): false {
    this.state.ok = false;
    this.state.failure = f;
    return false;
  }

  /** Checks the next entry; returns false (and records why) when it does not verify. */
  push(e: AuditEntryRecord): boolean {
    if (!this.state.ok) return false;
    const expected = this.expected;
    if (e.seq !== String(expected)) {
      const seq = /^[1-9]\d*$/.test(e.seq) ? Number(e.seq) : NaN;
      return this.fail({ seq: String(expected), reason: seq > expected ? `entry ${expected} is missing (next is ${e.seq})` : `entry ${e.seq} appears twice or out of order` });
    }
    if (e.prevHash !== this.prev) return this.fail({ seq: e.seq, reason: `entry ${e.seq} does not link to entry ${expected - 1} (prevHash differs): an entry was inserted, deleted or edited here` });
    if (entryHash(e) !== e.hash) return this.fail({ seq: e.seq, reason: `entry ${e.seq} was edited: its content does not give its hash` });
    this.acc.push(leafHash(e.hash));
    this.prev = e.hash;
    this.state.entries++;
    this.expected++;
    const c = this.bySize.get(e.seq);
    if (c) {
      if (c.head !== e.hash || c.root !== this.acc.root()) {
        return this.fail({
          checkpointSize: c.size,
          seq: String(this.lastVerified + 1),
          reason: `entries ${this.lastVerified + 1}..${c.size} are not the ones signed at checkpoint ${c.size} (${c.at}): the log was rewritten after entry ${this.lastVerified} (the chain was recomputed, so only the signature shows it)`,
        });
      }
      this.state.checkpointsVerified++;
      this.lastVerified = expected;
    }
    return true;
  }

  /** The verdict once every entry was fed (or the first failure). */
  result(): VerifyResult {
    if (this.state.ok) {
      const beyond = [...this.bySize.values()].filter((c) => BigInt(c.size) >= BigInt(this.expected));
      if (beyond.length) {
        const c = beyond.sort((a, b) => Number(BigInt(a.size) - BigInt(b.size)))[0];
        this.fail({ checkpointSize: c.size, seq: String(this.expected), reason: `checkpoint ${c.size} was signed but the log ends at entry ${this.expected - 1}: entries were deleted from the end` });
      } else {
        this.state.unsignedTail = this.expected - 1 - this.lastVerified;
      }
    }
    return { ...this.state, failure: this.state.failure && { ...this.state.failure } };
  }
}

/** Verifies a stream of entries (in seq order) against the signed checkpoints. */
export async function verifyAudit(entries: AsyncIterable<AuditEntryRecord>, checkpoints: SignedCheckpoint[], publicKey: crypto.KeyObject): Promise<VerifyResult> {
  const v = new AuditVerifier(checkpoints, publicKey);
  if (!v.ok) return v.result();
  for await (const e of entries) if (!v.push(e)) break;
  return v.result();
}
