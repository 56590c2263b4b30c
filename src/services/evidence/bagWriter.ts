import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const fsp = fs.promises;

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** Writes a new file (never over an existing one); `BagWriter.flush` makes it durable. */
async function writeNew(file: string, body: Buffer): Promise<void> {
  await fsp.writeFile(file, body, { flag: 'wx', mode: 0o644 });
}

async function syncFile(file: string): Promise<void> {
  const handle = await fsp.open(file, 'r');
  try { await handle.sync(); } finally { await handle.close(); }
}


/**
 * A BagIt bag (RFC 8493) being written. Everything goes to `<name>.partial` (a name no reader takes for a
 * bag), flushed to disk before it is sealed; `seal` writes the tag files and gives the directory its final name;
 * `discard` removes whatever was written, sealed or not. The exporter seals inside its transaction and
 * discards when anything (the commit included) fails, so a bag exists exactly when its export committed.
 */
export class BagWriter {
  private readonly manifest: [string, string][] = [];
  private bytes = 0;
  private sealed = false;
  /** Files and directories written since the last flush, to be made durable before the bag is sealed. */
  private unsynced = new Set<string>();

  private constructor(readonly root: string, readonly name: string, private readonly partial: string) {}

  /** Creates the bag's partial directory under `root`, under a fresh name (`<prefix>-<UTC stamp>-<random>`). */
  static async open(root: string, prefix: string): Promise<BagWriter> {
    await fsp.mkdir(root, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      const name = `${prefix}-${stamp}-${crypto.randomBytes(6).toString('hex')}`;
      const partial = path.join(root, `${name}.partial`);
      try {
        // Not recursive: two exports can never share a directory.
        await fsp.mkdir(partial);
        if (fs.existsSync(path.join(root, name))) throw Object.assign(new Error('bag exists'), { code: 'EEXIST' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue;
        throw e;
      }
      await fsp.mkdir(path.join(partial, 'data'));
      return new BagWriter(root, name, partial);
    }
  }

  /** Where the bag is once sealed. */
  get path(): string {
    return path.join(this.root, this.name);
  }

  get payloadOxum(): string {
    return `${this.bytes}.${this.manifest.length}`;
  }

  private async target(rel: string): Promise<string> {
    if (this.sealed) throw new Error('bag: already sealed');
    const file = path.join(this.partial, 'data', ...rel.split('/'));
    await fsp.mkdir(path.dirname(file), { recursive: true });
    this.unsynced.add(file);
    // The directories on the way hold the new entries: flushed too.
    for (let d = path.dirname(file); d.startsWith(this.partial); d = path.dirname(d)) this.unsynced.add(d);
    return file;
  }

  /** Adds a payload file (`rel` under data/, '/'-separated). */
  async add(rel: string, body: Buffer | string): Promise<void> {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await writeNew(await this.target(rel), buf);
    this.manifest.push([sha256(buf), `data/${rel}`]);
    this.bytes += buf.length;
  }

  addJson(rel: string, value: unknown): Promise<void> {
    return this.add(rel, `${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Streams `source` into the payload, hashing on the way. Returns the copy's SHA-256, or null when the
   * source does not exist; the caller decides whether the hash is the one it expected (`keep`/`drop`).
   */
  async copy(rel: string, source: string): Promise<{ sha256: string | null; keep(): void }> {
    const file = await this.target(rel);
    let input: fs.ReadStream;
    try {
      const handle = await fsp.open(source, 'r');
      input = handle.createReadStream({ highWaterMark: 1 << 20 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { sha256: null, keep: () => undefined };
      throw e;
    }
    const hash = crypto.createHash('sha256');
    let size = 0;
    await pipeline(
      input,
      new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); size += chunk.length; done(null, chunk); } }),
      fs.createWriteStream(file, { flags: 'wx', mode: 0o644 }),
    );
    const got = hash.digest('hex');
    return {
      sha256: got,
      keep: () => {
        this.manifest.push([got, `data/${rel}`]);
        this.bytes += size;
      },
    };
  }

  /**
   * Flushes what was written since the last flush to disk, many files at a time (their flushes overlap):
   * the exporter calls it before its transaction, and `seal` before the rename.
   */
  async flush(): Promise<void> {
    const pending = [...this.unsynced];
    this.unsynced.clear();
    for (let i = 0; i < pending.length; i += 16) await Promise.all(pending.slice(i, i + 16).map(syncFile));
  }

  /**
   * Writes bagit.txt, the payload manifest, bag-info.txt (`info` lines, plus Payload-Oxum) and the tag
   * manifest, then renames the directory to its final name. Call it as the last step before commit.
   */
  async seal(info: [string, string][]): Promise<void> {
    const tags: [string, string][] = [];
    const tag = async (name: string, body: string) => {
      const buf = Buffer.from(body, 'utf8');
      await writeNew(path.join(this.partial, name), buf);
      this.unsynced.add(path.join(this.partial, name));
      tags.push([sha256(buf), name]);
    };
    await tag('bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    await tag('manifest-sha256.txt', this.manifest.map(([h, p]) => `${h}  ${p}\n`).join(''));
    const lines = [...info, ['Payload-Oxum', this.payloadOxum] as [string, string]]
      .map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ')}\n`);
    await tag('bag-info.txt', lines.join(''));
    await writeNew(path.join(this.partial, 'tagmanifest-sha256.txt'), Buffer.from(tags.map(([h, p]) => `${h}  ${p}\n`).join(''), 'utf8'));
    this.unsynced.add(path.join(this.partial, 'tagmanifest-sha256.txt'));
    this.unsynced.add(this.partial);
    await this.flush();
    await fsp.rename(this.partial, this.path);
    this.sealed = true;
    await syncFile(this.root);
  }

  /** Removes the bag, partial or sealed (after a failure or a rollback). Never throws. */
  async discard(): Promise<Error | null> {
    const errors: Error[] = [];
    for (const dir of [this.partial, ...(this.sealed ? [this.path] : [])]) {
      await fsp.rm(dir, { recursive: true, force: true }).catch((e: Error) => errors.push(e));
    }
    return errors[0] ?? null;
  }
}
