import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Thrown when an upload exceeds the size limit. */
export class TooLargeError extends Error {}

/** Where an original with this SHA-256 lives: `<dir>/sha256/ab/cd/<hash>`. */
export function contentPath(dir: string, sha256: string): string {
  return path.join(dir, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** How many bytes may sit dirty in the page cache before the store asks the kernel to write them out. */
const FLUSH_EVERY = 64 << 20;
/** The store collects the bytes into blocks of this size: one hash update and one `write` per block. */
export const BLOCK_SIZE = 2 << 20;
/** Blocks one upload may hold (filling, waiting, being written): the memory of an upload is bounded by this. */
const BLOCKS_PER_UPLOAD = 4;
/** Block writes in flight at once (positioned, so their order does not matter): the thread pool's latency overlaps. */
const WRITES_IN_FLIGHT = 2;
/** Blocks kept for the next uploads: reused, they are not new external memory for V8 to collect. */
const POOL_MAX = 16;
const pool: Buffer[] = [];

/**
 * Where an upload's bytes go: `space()` is the free part of the block being filled (null while every block of the
 * upload is queued or being written: wait for `whenSpace()`), `commit(n)` says that n bytes were put at its
 * start. `write(chunk)` copies a chunk in, waiting for space as needed. A source that reads into `space()` itself
 * (a raw socket) or copies into it synchronously avoids one allocation per chunk.
 */
export interface ContentSink {
  space(): Buffer | null;
  commit(n: number): void;
  whenSpace(): Promise<void>;
  write(chunk: Buffer): Promise<void>;
}

/** What an upload reads from: a stream, or a function that fills the sink and resolves when the bytes end. */
export type ContentSource = Readable | ((sink: ContentSink) => Promise<void>);

/**
 * The one pass over an upload's bytes: counts them against the limit, collects them into BLOCK_SIZE blocks and,
 * per full block, hands it to one positioned `fs.write` (the thread pool) and hashes it on the main thread while
 * that write runs (in order: the hash sees the blocks as the file holds them). Up to WRITES_IN_FLIGHT writes run at
 * once, so that a busy machine's thread hand-offs overlap; the blocks come from a small reused pool, so an upload
 * holds at most BLOCKS_PER_UPLOAD blocks and creates no garbage per chunk. It starts writing the bytes out to disk
 * (`fdatasync` in the background every FLUSH_EVERY bytes) while more arrive, so that the disk works during the
 * upload rather than all at the closing `fsync`; without that the kernel holds a whole large upload in the page
 * cache (well under its dirty threshold on a large machine) and the upload takes receive time plus disk time.
 */
class BlockWriter implements ContentSink {
  readonly hash = crypto.createHash('sha256');
  size = 0;
  private position = 0;
  private current: Buffer | null = null;
  private filled = 0;
  private held = 0;
  private readonly free: Buffer[] = [];
  private readonly queue: Array<{ block: Buffer; length: number }> = [];
  private writing = 0;
  private drained: (() => void) | null = null;
  private spaceWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private error: Error | null = null;
  private unflushed = 0;
  private flushing: Promise<void> | null = null;

  constructor(private readonly fd: number, private readonly maxBytes: number) {}

  space(): Buffer | null {
    if (this.error) throw this.error;
    if (!this.current) {
      const block = this.free.pop() ?? (this.held < BLOCKS_PER_UPLOAD ? (this.held++, pool.pop() ?? Buffer.allocUnsafeSlow(BLOCK_SIZE)) : null);
      if (!block) return null;
      this.current = block;
      this.filled = 0;
    }
    return this.current.subarray(this.filled);
  }

  commit(n: number): void {
    if (this.error) throw this.error;
    this.size += n;
    if (this.size > this.maxBytes) throw this.fail(new TooLargeError(`larger than ${this.maxBytes} bytes`));
    this.filled += n;
    if (this.filled === BLOCK_SIZE) this.submit();
  }

  whenSpace(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.current || this.free.length > 0 || this.held < BLOCKS_PER_UPLOAD) return Promise.resolve();
    return new Promise((resolve, reject) => this.spaceWaiters.push({ resolve, reject }));
  }

  async write(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const space = this.space();
      if (!space) { await this.whenSpace(); continue; }
      const n = chunk.copy(space, 0, offset);
      offset += n;
      this.commit(n);
    }
  }

  /** Writes what is left, waits for the background flush, fsyncs: the bytes are on disk when this resolves. */
  async end(): Promise<void> {
    if (this.error) throw this.error;
    if (this.current && this.filled > 0) this.submit();
    if (this.writing > 0 || this.queue.length > 0) await new Promise<void>((resolve) => { this.drained = resolve; });
    await this.flushing;
    if (this.error) throw this.error;
    await new Promise<void>((resolve, reject) => fs.fsync(this.fd, (e) => (e ? reject(e) : resolve())));
  }

  /** Stops (an error or an abort): waits for a write in progress, so that the caller may close and unlink. */
  async abort(e: Error): Promise<void> {
    this.fail(e);
    this.queue.length = 0;
    if (this.writing > 0) await new Promise<void>((resolve) => { this.drained = resolve; });
    await this.flushing;
  }

  /** Gives the upload's blocks back to the shared pool (after end or abort). */
  release(): void {
    const blocks = [...this.free, ...(this.current ? [this.current] : [])];
    this.free.length = 0;
    this.current = null;
    for (const b of blocks) if (pool.length < POOL_MAX) pool.push(b);
  }

  private fail(e: Error): Error {
    this.error ??= e;
    for (const w of this.spaceWaiters.splice(0)) w.reject(this.error);
    return this.error;
  }

  private submit(): void {
    const block = this.current!;
    const length = this.filled;
    this.current = null;
    this.filled = 0;
    this.queue.push({ block, length });
    this.pump();
  }

  private pump(): void {
    while (this.writing < WRITES_IN_FLIGHT && this.queue.length > 0 && !this.error) this.startWrite();
  }

  private startWrite(): void {
    const { block, length } = this.queue.shift()!;
    const position = this.position;
    this.position += length;
    this.writing++;
    let done = 0;
    const onWritten = (e: Error | null, n: number): void => {
      if (!e && done + n < length) {
        // A short write (rare on a regular file): write the rest from where it stopped.
        done += n;
        fs.write(this.fd, block, done, length - done, position + done, onWritten);
        return;
      }
      this.writing--;
      this.free.push(block);
      if (e) this.fail(e);
      else this.written(length);
      for (const w of this.spaceWaiters.splice(0)) w.resolve();
      // end() and abort() wait for the queue to empty, or for an error that stops it.
      if (this.writing === 0 && (this.queue.length === 0 || this.error) && this.drained) { const d = this.drained; this.drained = null; d(); }
    };
    fs.write(this.fd, block, 0, length, position, onWritten);
    // The write reads the block in the thread pool while the main thread hashes it (both only read it).
    this.hash.update(length === block.length ? block : block.subarray(0, length));
  }

  private written(n: number): void {
    this.unflushed += n;
    if (this.unflushed >= FLUSH_EVERY && !this.flushing) {
      this.unflushed = 0;
      // Not awaited: the disk writes these pages while the next ones arrive. Linux reports a failed write-back
      // once per file description: its error must fail the upload itself, a later fsync could succeed without
      // the pages having reached the disk.
      this.flushing = new Promise<void>((resolve) => fs.fdatasync(this.fd, (e) => {
        if (e) this.fail(e);
        this.flushing = null;
        resolve();
      }));
    }
    this.pump();
  }
}

/** Feeds a stream into the sink, one copy per chunk into the current block. */
async function fromReadable(input: Readable, sink: ContentSink): Promise<void> {
  for await (const chunk of input) await sink.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
}

/**
 * Streams `source` into the content-addressed store, hashing on the way (memory stays flat whatever the size).
 * The bytes go to a temporary file, are flushed to disk, then hard-linked to their hash's path: an existing
 * original is never overwritten (the same hash means the same bytes), and nothing is ever deleted but the
 * temporary file.
 */
export async function storeStream(dir: string, source: ContentSource, maxBytes: number): Promise<{ sha256: string; size: number; path: string }> {
  const tmpDir = path.join(dir, 'tmp');
  await fs.promises.mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, `${Date.now()}-${crypto.randomBytes(8).toString('hex')}`);
  const file = await fs.promises.open(tmp, 'wx', 0o600);
  const writer = new BlockWriter(file.fd, maxBytes);
  try {
    if (typeof source === 'function') await source(writer);
    else await fromReadable(source, writer);
    await writer.end();
  } catch (e) {
    await writer.abort(e as Error);
    await file.close().catch(() => undefined);
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw e;
  } finally {
    writer.release();
  }
  await file.close();
  const sha256 = writer.hash.digest('hex');
  const size = writer.size;
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
