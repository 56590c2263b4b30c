import crypto from 'node:crypto';

/*
 * The audit log's hashing, in one place and without I/O, so that the writer, `npm run audit:verify` and
 * `npm run bag:verify` all compute the same thing (and an independent party can re-implement it from
 * docs/icc.md):
 *
 *   entry hash  = SHA-256( JSON.stringify(["bkb-audit/1", seq, prevHash, at, actorId, organizationId,
 *                                          operation, entityType, entityId, fields, valuesHash]) )
 *                 (an entry with an `entityIds` list, a batch of reads, is format 2: "bkb-audit/2" and the list
 *                  after the id, [.., entityType, entityId, entityIds, fields, valuesHash]; its entityId is "")
 *   leaf hash   = SHA-256( 0x00 || entryHash )                         (RFC 6962 §2.1)
 *   node hash   = SHA-256( 0x01 || left || right )
 *   tree        = RFC 6962 Merkle Tree Hash over the leaves in seq order
 *   checkpoint  = Ed25519 signature over JSON.stringify(["bkb-audit-checkpoint/1", size, root, head, at])
 */

export const GENESIS_HASH = '0'.repeat(64);

/** What an audit entry says (no values, only their keyed hash). */
export interface AuditEntryData {
  /** 1, 2, 3, … without gaps, as a decimal string (bigint in the database). */
  seq: string;
  prevHash: string;
  /** ISO 8601 with milliseconds, UTC. */
  at: string;
  actorId: string | null;
  organizationId: string | null;
  operation: string;
  entityType: string;
  /** "" in an entry that lists `entityIds` (format 2); hashed in both formats. */
  entityId: string;
  /**
   * Format 2 ("bkb-audit/2", one READ entry per request, or per actor and group commit, and entity type): the ids of
   * the records revealed, in the order hashed. Absent or null in format 1 entries, whose hash never changes.
   */
  entityIds?: string[] | null;
  fields: string[];
  /** Format 2: the keyed hash over the list of the per-record value hashes. */
  valuesHash: string | null;
}

export interface AuditEntryRecord extends AuditEntryData {
  hash: string;
}

export interface CheckpointData {
  size: string;
  root: string;
  head: string;
  at: string;
}

export interface SignedCheckpoint extends CheckpointData {
  keyId: string;
  /** Base64 Ed25519 signature over checkpointMessage(). */
  signature: string;
}

const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest();

export function canonicalEntry(e: AuditEntryData): string {
  if (e.entityIds != null) {
    return JSON.stringify(['bkb-audit/2', e.seq, e.prevHash, e.at, e.actorId, e.organizationId, e.operation, e.entityType, e.entityId, e.entityIds, e.fields, e.valuesHash]);
  }
  return JSON.stringify(['bkb-audit/1', e.seq, e.prevHash, e.at, e.actorId, e.organizationId, e.operation, e.entityType, e.entityId, e.fields, e.valuesHash]);
}

/** The entry's hash, hex (one-shot hashing: a verifier computes a million of these). */
export function entryHash(e: AuditEntryData): string {
  return crypto.hash('sha256', canonicalEntry(e), 'hex');
}

// Leaf and node inputs are assembled in these buffers instead of a hash object fed three times: the verifier's
// Merkle work is two small hashes per entry, and the object and its digest allocations cost more than SHA-256.
const LEAF_INPUT = Buffer.alloc(33); // 0x00 || entry hash
const NODE_INPUT = Buffer.alloc(65); // 0x01 || left || right
NODE_INPUT[0] = 1;

export function leafHash(entryHashHex: string): Buffer {
  if (entryHashHex.length === 64 && LEAF_INPUT.write(entryHashHex, 1, 'hex') === 32) return crypto.hash('sha256', LEAF_INPUT, 'buffer');
  // Not 64 hex digits (an entry in a tampered log): hash what Buffer.from makes of it, as ever.
  return crypto.createHash('sha256').update(Buffer.from([0])).update(Buffer.from(entryHashHex, 'hex')).digest();
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== 32 || right.length !== 32) return crypto.createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
  left.copy(NODE_INPUT, 1);
  right.copy(NODE_INPUT, 33);
  return crypto.hash('sha256', NODE_INPUT, 'buffer');
}

/** The hash of the empty tree (RFC 6962: SHA-256 of the empty string). */
export const EMPTY_ROOT = sha256('').toString('hex');

/**
 * An append-only Merkle accumulator: the roots of the perfect subtrees ("peaks") of the leaves so far,
 * largest first. Folding them right to left gives the RFC 6962 tree hash of the current size, so a
 * verifier streams a million entries and checks every checkpoint on the way with O(log n) memory.
 */
export class MerkleAccumulator {
  /** [height, hash] pairs, heights strictly decreasing. */
  private peaks: [number, Buffer][] = [];
  size = 0;

  static from(size: number, peaks: { height: number; hash: string }[]): MerkleAccumulator {
    const acc = new MerkleAccumulator();
    acc.size = size;
    acc.peaks = peaks.map((p) => [p.height, Buffer.from(p.hash, 'hex')]);
    return acc;
  }

  /**
   * Adds the next leaf. `onNode` hears of every perfect subtree the leaf completes (height >= 1, and `index`
   * counted among the subtrees of that height from the left): the checkpoint stores the tall ones for proofs.
   */
  push(leaf: Buffer, onNode?: (height: number, index: number, hash: Buffer) => void): void {
    let height = 0;
    let hash = leaf;
    while (this.peaks.length > 0 && this.peaks[this.peaks.length - 1][0] === height) {
      const [, left] = this.peaks.pop()!;
      hash = nodeHash(left, hash);
      height++;
      onNode?.(height, (this.size + 1) / 2 ** height - 1, hash);
    }
    this.peaks.push([height, hash]);
    this.size++;
  }

  root(): string {
    if (this.peaks.length === 0) return EMPTY_ROOT;
    let acc = this.peaks[this.peaks.length - 1][1];
    for (let i = this.peaks.length - 2; i >= 0; i--) acc = nodeHash(this.peaks[i][1], acc);
    return acc.toString('hex');
  }

  snapshot(): { height: number; hash: string }[] {
    return this.peaks.map(([height, hash]) => ({ height, hash: hash.toString('hex') }));
  }
}

/** RFC 6962 Merkle Tree Hash of leaves[lo, hi). */
function subtreeHash(leaves: Buffer[], lo: number, hi: number): Buffer {
  const n = hi - lo;
  if (n === 1) return leaves[lo];
  const k = largestPowerOfTwoBelow(n);
  return nodeHash(subtreeHash(leaves, lo, lo + k), subtreeHash(leaves, lo + k, hi));
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function treeRoot(leaves: Buffer[]): string {
  return leaves.length === 0 ? EMPTY_ROOT : subtreeHash(leaves, 0, leaves.length).toString('hex');
}

/**
 * RFC 6962 §2.1.1 audit paths for several leaves (0-based indices) of the tree over `leaves`, computed in one
 * pass: subtrees holding none of the wanted leaves are hashed once and shared by every path.
 */
export function inclusionProofs(leaves: Buffer[], indices: number[]): Map<number, string[]> {
  const wanted = [...new Set(indices)].filter((i) => i >= 0 && i < leaves.length).sort((a, b) => a - b);
  const out = new Map<number, string[]>(wanted.map((i) => [i, []]));
  const walk = (lo: number, hi: number, targets: number[]): Buffer => {
    const n = hi - lo;
    if (n === 1) return leaves[lo];
    const k = largestPowerOfTwoBelow(n);
    const left = targets.filter((i) => i < lo + k);
    const right = targets.filter((i) => i >= lo + k);
    const l = left.length ? walk(lo, lo + k, left) : subtreeHash(leaves, lo, lo + k);
    const r = right.length ? walk(lo + k, hi, right) : subtreeHash(leaves, lo + k, hi);
    // Paths list siblings from the leaf up: what is pushed last at deeper levels came first.
    for (const i of left) out.get(i)!.push(r.toString('hex'));
    for (const i of right) out.get(i)!.push(l.toString('hex'));
    return nodeHash(l, r);
  };
  if (wanted.length && leaves.length) walk(0, leaves.length, wanted);
  return out;
}

/** Verifies an RFC 6962 audit path (RFC 9162 §2.1.3.2) of the leaf at 0-based `index` in a tree of `size`. */
export function verifyInclusion(entryHashHex: string, index: number, size: number, path: string[], root: string): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(entryHashHex);
  for (const p of path) {
    const sibling = Buffer.from(p, 'hex');
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(sibling, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === root;
}

export function checkpointMessage(c: CheckpointData): Buffer {
  return Buffer.from(JSON.stringify(['bkb-audit-checkpoint/1', c.size, c.root, c.head, c.at]), 'utf8');
}

export function signCheckpoint(c: CheckpointData, privateKey: crypto.KeyObject, keyId: string): SignedCheckpoint {
  return { ...c, keyId, signature: crypto.sign(null, checkpointMessage(c), privateKey).toString('base64') };
}

export function verifyCheckpointSignature(c: SignedCheckpoint, publicKey: crypto.KeyObject): boolean {
  try {
    return crypto.verify(null, checkpointMessage(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The key id: SHA-256 of the public key's DER (SPKI) encoding, hex. */
export function keyIdOf(publicKey: crypto.KeyObject): string {
  return sha256(publicKey.export({ type: 'spki', format: 'der' })).toString('hex');
}
