import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BLOCK_SIZE, contentPath, storeStream, TooLargeError } from '../../src/services/evidence/evidenceStore';

/** `n` chunks of 64 KiB (the size Node's HTTP parser hands over), each different. */
function chunks(n: number): { stream: Readable; sha256: string; size: number } {
  const seed = crypto.randomBytes(64 << 10);
  const hash = crypto.createHash('sha256');
  const all: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const c = Buffer.from(seed);
    c.writeUInt32BE(i, 0);
    hash.update(c);
    all.push(c);
  }
  return { stream: Readable.from(all), sha256: hash.digest('hex'), size: n * (64 << 10) };
}

describe('evidence store', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-store-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('hashes in the same pass as it writes, across the background flushes, and stores read-only under the hash', async () => {
    // 130 MiB: two background flushes (every 64 MiB) while the rest still arrives.
    const input = chunks(2080);
    const stored = await storeStream(dir, input.stream, Number.MAX_SAFE_INTEGER);
    expect(stored).toEqual({ sha256: input.sha256, size: input.size, path: contentPath(dir, input.sha256) });
    const st = fs.statSync(stored.path);
    expect(st.size).toBe(input.size);
    expect(st.mode & 0o777).toBe(0o444);
    const reread = crypto.createHash('sha256').update(fs.readFileSync(stored.path)).digest('hex');
    expect(reread).toBe(input.sha256);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('refuses an input over the limit and leaves no file behind', async () => {
    const input = chunks(40);
    await expect(storeStream(dir, input.stream, input.size - 1)).rejects.toBeInstanceOf(TooLargeError);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'sha256'))).toBe(false);
  });

  it('takes a source that fills the blocks itself (odd sizes, across blocks, waiting for space), as the raw body reader does', async () => {
    const data = crypto.randomBytes(6 * BLOCK_SIZE + 4321);
    let waits = 0;
    const stored = await storeStream(dir, async (sink) => {
      let at = 0;
      while (at < data.length) {
        const space = sink.space();
        if (!space) { waits++; await sink.whenSpace(); continue; }
        // Uneven pieces, as socket reads are: never more than the space, often less.
        const n = data.copy(space, 0, at, Math.min(data.length, at + 700_001));
        sink.commit(n);
        at += n;
      }
    }, Number.MAX_SAFE_INTEGER);
    const sha = crypto.createHash('sha256').update(data).digest('hex');
    expect(stored).toEqual({ sha256: sha, size: data.length, path: contentPath(dir, sha) });
    expect(fs.readFileSync(stored.path).equals(data)).toBe(true);
    // 6 blocks and a bit through 4 blocks per upload: the source had to wait for written blocks at least once.
    expect(waits).toBeGreaterThan(0);
  });

  it('a source that fails leaves no file behind', async () => {
    await expect(storeStream(dir, async (sink) => { await sink.write(crypto.randomBytes(3 * BLOCK_SIZE)); throw new Error('client went away'); }, Number.MAX_SAFE_INTEGER)).rejects.toThrow('client went away');
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'sha256'))).toBe(false);
  });

  it('a second store of the same bytes keeps the first file', async () => {
    const a = chunks(3);
    const first = await storeStream(dir, a.stream, Number.MAX_SAFE_INTEGER);
    const ino = fs.statSync(first.path).ino;
    const again = await storeStream(dir, Readable.from([fs.readFileSync(first.path)]), Number.MAX_SAFE_INTEGER);
    expect(again.path).toBe(first.path);
    expect(fs.statSync(first.path).ino).toBe(ino);
  });
});
