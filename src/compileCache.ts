import crypto from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * A start loads ~1,900 CommonJS modules (the hub and its dependencies) and, on Node 20, compiles every
 * one from source each time: a third of the time to load them (`module.enableCompileCache()` only came
 * with Node 22). This keeps V8's code cache of the modules a start loaded in one file and hands it back
 * to V8 on the next start. An entry is used only for a file of the same content (SHA-1 of the source);
 * V8 itself refuses data of another V8 version or other flags. Anything unusual (source maps on, ES
 * module syntax, an unreadable or unwritable cache) falls back to Node's own compilation: the cache can
 * make a start faster, never make it fail. A module with a dynamic `import()` is left to Node: V8 does not
 * keep what import() needs (the host-defined options) in a script made from cached data.
 */
export interface CompileCache {
  /** Modules compiled from the cache / from source in this process so far. */
  readonly hits: number;
  readonly misses: number;
  /** Writes the cache when this process compiled anything new (atomically; errors are ignored). */
  save(): void;
}

interface Entry { hash: string; data: Buffer }
interface Fresh { hash: string; script: vm.Script }
type Compile = (this: Module, content: string, filename: string, format?: string) => unknown;

const DYNAMIC_IMPORT = /\bimport\s*\(/;
const NONE: CompileCache = { hits: 0, misses: 0, save: () => undefined };

/** Installs the cache for every CommonJS module loaded from now on; `file` is where it is kept. */
export function useCompileCache(file: string): CompileCache {
  // Stacks mapped to the TypeScript sources need Node's own compilation.
  if (process.sourceMapsEnabled) return NONE;
  const stored = read(file);
  const used = new Map<string, Entry>();
  const fresh = new Map<string, Fresh>();
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  let hits = 0;
  let misses = 0;
  proto._compile = function compile(this: Module, content, filename, format) {
    if (format === 'module' || !filename.endsWith('.js') || DYNAMIC_IMPORT.test(content)) return original.call(this, content, filename, format);
    const hash = crypto.createHash('sha1').update(content).digest('base64');
    const entry = stored.get(filename);
    const cachedData = entry?.hash === hash ? entry.data : undefined;
    let script: vm.Script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
    } catch {
      // ES module syntax in a .js file (Node detects and loads it as such) or a syntax error Node reports its own way.
      return original.call(this, content, filename, format);
    }
    if (cachedData && !script.cachedDataRejected) {
      hits++;
      used.set(filename, { hash, data: cachedData });
    } else {
      misses++;
      fresh.set(filename, { hash, script });
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };
  let saved = 0;
  return {
    get hits() { return hits; },
    get misses() { return misses; },
    save() {
      if (fresh.size === saved) return;
      saved = fresh.size;
      try {
        // Modules not loaded this time (loaded later by a request, say) keep their entry while their file exists.
        const entries = new Map<string, Entry>();
        for (const [name, e] of stored) if (!used.has(name) && !fresh.has(name) && fs.existsSync(name)) entries.set(name, e);
        for (const [name, e] of used) entries.set(name, e);
        // Made now, after the modules ran, the data also holds the functions that were compiled lazily while they ran.
        for (const [name, f] of fresh) entries.set(name, { hash: f.hash, data: f.script.createCachedData() });
        write(file, entries);
      } catch {
        // A read-only install (node_modules in an image) simply has no cache.
      }
    },
  };
}

/** The `require` a module's code receives (what Node's makeRequireFunction gives it). */
function requireFor(mod: Module): NodeJS.Require {
  const statics = Module as unknown as {
    _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
    _resolveLookupPaths(request: string, parent: Module): string[] | null;
    _extensions: NodeJS.RequireExtensions;
    _cache: NodeJS.Dict<NodeJS.Module>;
  };
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => statics._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => statics._resolveLookupPaths(request, mod);
  req.resolve = resolve;
  req.main = require.main;
  req.extensions = statics._extensions;
  req.cache = statics._cache;
  return req;
}

/*
 * The file: a 4-byte length, a JSON index `[filename, hash, bytes][]`, then the entries' data in that order.
 */
function read(file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  try {
    const buf = fs.readFileSync(file);
    const indexLength = buf.readUInt32LE(0);
    const index = JSON.parse(buf.subarray(4, 4 + indexLength).toString('utf8')) as [string, string, number][];
    let at = 4 + indexLength;
    for (const [name, hash, bytes] of index) {
      entries.set(name, { hash, data: buf.subarray(at, at + bytes) });
      at += bytes;
    }
    if (at !== buf.length) return new Map(); // truncated or not ours
  } catch {
    // none yet, or unreadable: start without
  }
  return entries;
}

function write(file: string, entries: Map<string, Entry>): void {
  const index = JSON.stringify([...entries].map(([name, e]) => [name, e.hash, e.data.length]));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(Buffer.byteLength(index));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([head, Buffer.from(index), ...[...entries.values()].map((e) => e.data)]));
  fs.renameSync(tmp, file); // atomic: two hubs starting together each write a whole file
}
