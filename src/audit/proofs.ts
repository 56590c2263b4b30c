import { leafHash, nodeHash, verifyInclusion } from './chain';

/*
 * RFC 6962 inclusion proofs (audit paths) in O(log n), from stored subtree hashes.
 *
 * An audit path is a list of subtree hashes. Every subtree RFC 6962 asks for is either a complete ("perfect")
 * subtree of 2^level leaves starting at a multiple of 2^level, or, on the right edge of the tree, the fold of
 * a few such subtrees. Checkpoints store the complete subtrees of 2^8 = 256 leaves and more in
 * `audit_merkle_node` (level, idx); smaller ones are hashed from the at most 256 entries of their block. A
 * proof therefore reads O(log^2 n) small rows by primary key (in practice a few dozen) and at most two blocks
 * of entries, whatever the size of the log, and hashes O(log n + 256) times.
 */

/** The smallest subtree height stored in `audit_merkle_node`: blocks of 256 leaves are hashed on demand. */
export const MIN_STORED_LEVEL = 8;
const BLOCK = 2 ** MIN_STORED_LEVEL;

type Query = (sql: string, params?: unknown[]) => Promise<any[]>;

/** A complete subtree: leaves [idx * 2^level, (idx + 1) * 2^level). */
interface Piece { level: number; idx: number }

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** [a, b) as complete subtrees, largest first (a is a multiple of every piece's width, as RFC 6962 splits go). */
function pieces(a: number, b: number): Piece[] {
  const out: Piece[] = [];
  while (a < b) {
    let width = 1;
    while (width * 2 <= b - a && a % (width * 2) === 0) width *= 2;
    out.push({ level: Math.log2(width), idx: a / width });
    a += width;
  }
  return out;
}

/** The RFC 6962 audit path of leaf m in a tree of `size` leaves, as ranges [a, b), leaf upwards. */
function siblingRanges(m: number, size: number): [number, number][] {
  const down: [number, number][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m < lo + k) {
      down.push([lo + k, hi]);
      hi = lo + k;
    } else {
      down.push([lo, lo + k]);
      lo += k;
    }
  }
  return down.reverse();
}

/**
 * Audit paths (hex, leaf upwards) of the 0-based `indices` in the tree of the first `size` entries, whose root
 * is `root` (a signed checkpoint's). Each path is checked against the root before it is returned: stored nodes
 * that do not fit (a tampered table) raise an error instead of a proof that would not verify. `null` means that
 * the stored nodes do not reach that far (a checkpoint signed before they were kept; the next one fills them in).
 */
export async function auditPaths(query: Query, size: number, root: string, indices: number[]): Promise<Map<number, string[]> | null> {
  const wanted = [...new Set(indices)].filter((i) => Number.isInteger(i) && i >= 0 && i < size);
  const out = new Map<number, string[]>();
  if (wanted.length === 0) return out;
  const plans = new Map<number, Piece[][]>();
  const stored = new Map<string, Piece>();
  const blocks = new Set<number>();
  for (const m of wanted) {
    blocks.add(Math.floor(m / BLOCK)); // the leaf itself, for the check against the root
    const plan = siblingRanges(m, size).map(([a, b]) => pieces(a, b));
    for (const p of plan.flat()) {
      if (p.level >= MIN_STORED_LEVEL) stored.set(`${p.level}:${p.idx}`, p);
      else blocks.add(Math.floor((p.idx * 2 ** p.level) / BLOCK));
    }
    plans.set(m, plan);
  }
  const nodes = new Map<string, Buffer>();
  if (stored.size) {
    const keys = [...stored.values()];
    const rows: { level: number; idx: string; hash: Buffer }[] = await query(
      `SELECT n.level, n.idx::text AS idx, n.hash FROM unnest($1::smallint[], $2::bigint[]) AS k(level, idx)
         JOIN LATERAL (SELECT * FROM audit_merkle_node m WHERE m.level = k.level AND m.idx = k.idx) n ON true`,
      [keys.map((p) => p.level), keys.map((p) => p.idx)],
    );
    for (const r of rows) nodes.set(`${r.level}:${r.idx}`, r.hash);
    if (nodes.size < stored.size) return null;
  }
  const leaves = new Map<number, { hash: string; leaf: Buffer }>();
  // The entries of those blocks, by primary key (a range joined to a list tempts the planner into a full scan).
  const seqs: number[] = [];
  for (const b of blocks) for (let s = b * BLOCK + 1; s <= Math.min(size, b * BLOCK + BLOCK); s++) seqs.push(s);
  const rows: { seq: string; hash: string }[] = await query('SELECT a.seq::text AS seq, a.hash FROM audit_entry a WHERE a.seq = ANY($1::bigint[])', [seqs]);
  for (const r of rows) leaves.set(Number(r.seq) - 1, { hash: r.hash, leaf: leafHash(r.hash) });
  const small = new Map<string, Buffer>();
  const hashOf = (p: Piece): Buffer => {
    const key = `${p.level}:${p.idx}`;
    if (p.level >= MIN_STORED_LEVEL) return nodes.get(key)!;
    if (p.level === 0) {
      const l = leaves.get(p.idx);
      if (!l) throw new Error(`audit: entry ${p.idx + 1} is missing from the log`);
      return l.leaf;
    }
    let h = small.get(key);
    if (!h) {
      h = nodeHash(hashOf({ level: p.level - 1, idx: 2 * p.idx }), hashOf({ level: p.level - 1, idx: 2 * p.idx + 1 }));
      small.set(key, h);
    }
    return h;
  };
  for (const m of wanted) {
    const path = plans.get(m)!.map((ps) => {
      let acc = hashOf(ps[ps.length - 1]);
      for (let i = ps.length - 2; i >= 0; i--) acc = nodeHash(hashOf(ps[i]), acc);
      return acc.toString('hex');
    });
    const entry = leaves.get(m);
    if (!entry) throw new Error(`audit: entry ${m + 1} is missing from the log`);
    if (!verifyInclusion(entry.hash, m, size, path, root)) {
      throw new Error(`audit: the proof of entry ${m + 1} does not reach the root of checkpoint ${size}: the log or its stored subtree hashes were altered`);
    }
    out.set(m, path);
  }
  return out;
}
