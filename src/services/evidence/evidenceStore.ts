import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Thrown when an upload exceeds the size limit. */
export class TooLargeError extends Error {}

/** Where an original with this SHA-256 lives: `<dir>/sha256/ab/cd/<hash>`. */
export function contentPath(dir: string, sha256: string): string {
  return path.join(dir, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/**
 * Streams `input` into the content-addressed store, hashing on the way (memory stays flat whatever the size).
 * The bytes go to a temporary file, are flushed to disk, then hard-linked to their hash's path: an existing
 * original is never overwritten (the same hash means the same bytes), and nothing is ever deleted but the
 * temporary file.
 */
export async function storeStream(dir: string, input: Readable, maxBytes: number): Promise<{ sha256: string; size: number; path: string }> {
  const tmpDir = path.join(dir, 'tmp');
  await fs.promises.mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, `${Date.now()}-${crypto.randomBytes(8).toString('hex')}`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new TooLargeError(`larger than ${maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(input, meter, fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 }));
    // On disk before the database says we have it.
    const handle = await fs.promises.open(tmp, 'r');
    try { await handle.sync(); } finally { await handle.close(); }
  } catch (e) {
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw e;
  }
  const sha256 = hash.digest('hex');
  const final = contentPath(dir, sha256);
  await fs.promises.mkdir(path.dirname(final), { recursive: true });
  try {
    await fs.promises.chmod(tmp, 0o444);
    await fs.promises.link(tmp, final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await fs.promises.unlink(tmp).catch(() => undefined);
  }
  return { sha256, size, path: final };
}

/** Re-hashes a stored original: its current SHA-256, or null when the file is missing. */
export async function rehash(file: string): Promise<string | null> {
  const hash = crypto.createHash('sha256');
  try {
    await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return hash.digest('hex');
}

/** Writes a small original into the store (seed, tests). */
export async function storeBuffer(dir: string, data: Buffer): Promise<{ sha256: string; size: number; path: string }> {
  return storeStream(dir, Readable.from([data]), Number.MAX_SAFE_INTEGER);
}
