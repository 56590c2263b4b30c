import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Thrown when an upload exceeds the size limit. */
export class TooLargeError extends Error {}

/** Where an original with this SHA-256 lives: `<dir>/sha256/ab/cd/<hash>`. */
export function contentPath(dir: string, sha256: string): string {
  return path.join(dir, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** How many bytes may sit dirty in the page cache before the store asks the kernel to write them out. */
const FLUSH_EVERY = 64 << 20;

/**
 * The one pass over an upload's bytes: counts them against the limit, hashes them and writes them to an open
 * file, batching what queued up while the previous write ran into one `writev`. It starts writing the bytes out
 * to disk (`datasync` in the background every FLUSH_EVERY bytes) while more arrive, so that the disk works during
 * the upload rather than all at the closing `fsync`; without that the kernel holds a whole large upload in the
 * page cache (well under its dirty threshold on a large machine) and the upload takes receive time plus disk time.
 */
class HashingFileSink extends Writable {
  readonly hash = crypto.createHash('sha256');
  size = 0;
  private unflushed = 0;
  private flushing: Promise<void> | null = null;
  // Linux reports a failed write-back once per file description: an error of a background flush must fail the
  // upload itself, a later fsync could succeed without the pages having reached the disk.
  private flushError: Error | null = null;

  constructor(private readonly file: fs.promises.FileHandle, private readonly maxBytes: number) {
    super({ highWaterMark: 1 << 20 });
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (e?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    let n = 0;
    for (const b of buffers) n += b.length;
    this.size += n;
    if (this.size > this.maxBytes) return done(new TooLargeError(`larger than ${this.maxBytes} bytes`));
    for (const b of buffers) this.hash.update(b);
    this.writeAll(buffers, n).then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    // On disk before the database says we have it: one fsync of the file, after the background flush.
    (async () => {
      await this.flushing;
      if (this.flushError) throw this.flushError;
      await this.file.sync();
    })().then(() => done(), done);
  }

  private async writeAll(buffers: Buffer[], n: number): Promise<void> {
    let written = (await this.file.writev(buffers)).bytesWritten;
    while (written < n) {
      // A short write (rare on a regular file): write what is left from where it stopped.
      let skip = written;
      const rest = buffers.flatMap((b) => {
        if (skip >= b.length) { skip -= b.length; return []; }
        const tail = b.subarray(skip);
        skip = 0;
        return [tail];
      });
      written += (await this.file.writev(rest)).bytesWritten;
    }
    this.unflushed += n;
    if (this.unflushed >= FLUSH_EVERY && !this.flushing) {
      this.unflushed = 0;
      // Not awaited: the disk writes these pages while the next ones arrive; an error fails the upload at its end.
      this.flushing = this.file.datasync().catch((e: Error) => { this.flushError ??= e; }).finally(() => { this.flushing = null; });
    }
  }
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
  const file = await fs.promises.open(tmp, 'wx', 0o600);
  const sink = new HashingFileSink(file, maxBytes);
  try {
    await pipeline(input, sink);
  } catch (e) {
    await file.close().catch(() => undefined);
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await file.close();
  const sha256 = sink.hash.digest('hex');
  const size = sink.size;
  const final = contentPath(dir, sha256);
  await fs.promises.mkdir(path.dirname(final), { recursive: true });
  try {
    await fs.promises.chmod(tmp, 0o444);
    await fs.promises.link(tmp, final);
    // The new name on disk too, before the database refers to it.
    const parent = await fs.promises.open(path.dirname(final), 'r');
    try { await parent.sync(); } finally { await parent.close(); }
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
