import crypto from 'node:crypto';
import fc from 'fast-check';
import {
  entryHash, inclusionProofs, keyIdOf, leafHash, MerkleAccumulator, signCheckpoint, treeRoot, verifyCheckpointSignature, verifyInclusion, EMPTY_ROOT,
} from '../../src/audit/chain';

const leafOf = (i: number) => leafHash(crypto.createHash('sha256').update(String(i)).digest('hex'));

describe('RFC 6962 Merkle tree', () => {
  test('the accumulator gives the same root as the recursive definition at every size', () => {
    const acc = new MerkleAccumulator();
    const leaves: Buffer[] = [];
    expect(acc.root()).toBe(EMPTY_ROOT);
    for (let i = 0; i < 70; i++) {
      leaves.push(leafOf(i));
      acc.push(leafOf(i));
      expect(acc.root()).toBe(treeRoot(leaves));
    }
  });

  test('known answer: RFC 6962 root of two leaves is H(1 || H(0||a) || H(0||b))', () => {
    const a = '00'.repeat(32);
    const b = '11'.repeat(32);
    const la = crypto.createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(a, 'hex')])).digest();
    const lb = crypto.createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(b, 'hex')])).digest();
    const root = crypto.createHash('sha256').update(Buffer.concat([Buffer.from([1]), la, lb])).digest('hex');
    expect(treeRoot([leafHash(a), leafHash(b)])).toBe(root);
  });

  test('inclusion proofs verify for every leaf of every size, and fail for a wrong leaf or root', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 39 }), (size, j) => {
      const idx = j % size;
      const hashes = Array.from({ length: size }, (_, i) => crypto.createHash('sha256').update(`e${i}`).digest('hex'));
      const leaves = hashes.map(leafHash);
      const root = treeRoot(leaves);
      const proofs = inclusionProofs(leaves, [idx, 0, size - 1]);
      expect(verifyInclusion(hashes[idx], idx, size, proofs.get(idx)!, root)).toBe(true);
      expect(verifyInclusion(hashes[0], 0, size, proofs.get(0)!, root)).toBe(true);
      if (size > 1) expect(verifyInclusion(hashes[(idx + 1) % size], idx, size, proofs.get(idx)!, root)).toBe(false);
      expect(verifyInclusion(hashes[idx], idx, size, proofs.get(idx)!, EMPTY_ROOT)).toBe(false);
    }));
  });
});

describe('entries and checkpoints', () => {
  const e = { seq: '1', prevHash: '0'.repeat(64), at: '2026-12-01T00:00:00.000Z', actorId: null, organizationId: null, operation: 'UPDATE', entityType: 'Case', entityId: 'x', fields: ['status'], valuesHash: null };
  test('known answer: the entry hash is SHA-256 of the canonical JSON array, hex', () => {
    const canonical = '["bkb-audit/1","1","' + '0'.repeat(64) + '","2026-12-01T00:00:00.000Z",null,null,"UPDATE","Case","x",["status"],null]';
    expect(entryHash(e)).toBe(crypto.createHash('sha256').update(canonical, 'utf8').digest('hex'));
    expect(entryHash({ ...e, entityId: 'Іванко "ß"' })).toBe(crypto.createHash('sha256').update(JSON.stringify(['bkb-audit/1', '1', '0'.repeat(64), e.at, null, null, 'UPDATE', 'Case', 'Іванко "ß"', ['status'], null]), 'utf8').digest('hex'));
  });
  test('any change to an entry changes its hash', () => {
    const h = entryHash(e);
    expect(entryHash({ ...e })).toBe(h);
    expect(entryHash({ ...e, fields: ['status', 'note'] })).not.toBe(h);
    expect(entryHash({ ...e, seq: '2' })).not.toBe(h);
    expect(entryHash({ ...e, at: '2026-12-01T00:00:00.001Z' })).not.toBe(h);
  });
  test('a signature verifies with its key only and breaks when any signed value changes', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const other = crypto.generateKeyPairSync('ed25519').publicKey;
    const c = signCheckpoint({ size: '3', root: 'a'.repeat(64), head: 'b'.repeat(64), at: e.at }, privateKey, keyIdOf(publicKey));
    expect(verifyCheckpointSignature(c, publicKey)).toBe(true);
    expect(verifyCheckpointSignature(c, other)).toBe(false);
    expect(verifyCheckpointSignature({ ...c, size: '4' }, publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...c, root: 'c'.repeat(64) }, publicKey)).toBe(false);
  });
});
