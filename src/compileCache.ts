import crypto from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * A start loads ~1,700 CommonJS modules (the hub and its dependencies) and, on Node 20, compiles every
 * one from source each time (`module.enableCompileCache()` only came with Node 22) and finds every file
 * again through the same stat, realpath and package.json reads. This keeps, in one file, V8's code cache
 * of the modules a start loaded and where each `require` led, and gives both back on the next start.
 *
 * - Code: an entry is used only for a source of the same SHA-1 (V8 itself checks little more than the
 *   length) and V8 refuses data of another V8 version or other flags. A module with a dynamic `import()`
 *   is left to Node: V8 does not keep what import() needs (the host-defined options) in a script made
 *   from cached data.
 * - Resolutions: `(directory of the requiring module, request)` → file, used only while `installStamp`
 *   (what npm last wrote into node_modules) is the one they were recorded under and the file exists;
 *   builtins, `paths` options and failed resolutions are left to Node.
 *
 * Anything unusual (source maps on, ES module syntax, an unreadable or unwritable cache) falls back to
 * Node's own loading: the cache can make a start faster, never make it fail.
 */
export interface CompileCache {
  /** Modules compiled from the cache / from source in this process so far. */
  readonly hits: number;
  readonly misses: number;
  /** Requires resolved from the cache in this process so far. */
  readonly resolved: number;
  /** Writes the cache when this process compiled or resolved anything new (atomically; errors are ignored). */
  save(): void;
}

interface Entry { hash: string; data: Buffer }
interface Fresh { hash: string; script: vm.Script }
interface Stored { stamp: string | null; modules: Map<string, Entry>; resolutions: Map<string, string> }
type Compile = (this: Module, content: string, filename: string, format?: string) => unknown;
type Resolve = (request: string, parent: Module | undefined, isMain: boolean, options?: unknown) => string;

const DYNAMIC_IMPORT = /\bimport\s*\(/;
const NONE: CompileCache = { hits: 0, misses: 0, resolved: 0, save: () => undefined };

/**
 * Installs the cache for every CommonJS module loaded from now on; `file` is where it is kept,
 * `installStamp` names the installed dependencies (resolutions recorded under another are not used).
 */
export function useCompileCache(file: string, installStamp: string | null = null): CompileCache {
  // Stacks mapped to the TypeScript sources need Node's own compilation.
  if (process.sourceMapsEnabled) return NONE;
  const stored = read(file);
  const used = new Map<string, Entry>();
  const fresh = new Map<string, Fresh>();
  const resolutions = stored.stamp === installStamp ? stored.resolutions : new Map<string, string>();
  let newResolutions = stored.stamp === installStamp ? 0 : 1;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  const statics = Module as unknown as { _resolveFilename: Resolve };
  const resolveFilename = statics._resolveFilename;
  let hits = 0;
  let misses = 0;
  let resolved = 0;
  statics._resolveFilename = function resolve(request, parent, isMain, options) {
    if (options !== undefined || isMain || !parent?.filename || Module.isBuiltin(request)) return resolveFilename.call(this, request, parent, isMain, options);
    const key = `${path.dirname(parent.filename)}\0${request}`;
    const known = resolutions.get(key);
    if (known !== undefined && fs.statSync(known, { throwIfNoEntry: false })?.isFile()) {
      resolved++;
      return known;
    }
    const filename = resolveFilename.call(this, request, parent, isMain, options);
    if (path.isAbsolute(filename)) {
      resolutions.set(key, filename);
      newResolutions++;
    }
    return filename;
  };
  proto._compile = function compile(this: Module, content, filename, format) {
    if (format === 'module' || !filename.endsWith('.js') || DYNAMIC_IMPORT.test(content)) return original.call(this, content, filename, format);
    const hash = crypto.createHash('sha1').update(content).digest('base64');
    const entry = stored.modules.get(filename);
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
  let saved = { fresh: 0, resolutions: 0 };
  return {
    get hits() { return hits; },
    get misses() { return misses; },
    get resolved() { return resolved; },
    save() {
      if (fresh.size === saved.fresh && newResolutions === saved.resolutions) return;
      saved = { fresh: fresh.size, resolutions: newResolutions };
      try {
        // Modules not loaded this time (loaded later by a request, say) keep their entry while their file exists.
        const entries = new Map<string, Entry>();
        for (const [name, e] of stored.modules) if (!used.has(name) && !fresh.has(name) && fs.existsSync(name)) entries.set(name, e);
        for (const [name, e] of used) entries.set(name, e);
        // Made now, after the modules ran, the data also holds the functions that were compiled lazily while they ran.
        for (const [name, f] of fresh) entries.set(name, { hash: f.hash, data: f.script.createCachedData() });
        write(file, { stamp: installStamp, modules: entries, resolutions });
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
 * The file: a 4-byte length, a JSON index `{ stamp, modules: [filename, hash, bytes][], resolutions: [key, filename][] }`,
 * then the modules' data in the index's order.
 */
function read(file: string): Stored {
  const none: Stored = { stamp: null, modules: new Map(), resolutions: new Map() };
  try {
    const buf = fs.readFileSync(file);
    const indexLength = buf.readUInt32LE(0);
    const index = JSON.parse(buf.subarray(4, 4 + indexLength).toString('utf8')) as { stamp: string | null; modules: [string, string, number][]; resolutions: [string, string][] };
    const modules = new Map<string, Entry>();
    let at = 4 + indexLength;
    for (const [name, hash, bytes] of index.modules) {
      modules.set(name, { hash, data: buf.subarray(at, at + bytes) });
      at += bytes;
    }
    if (at !== buf.length) return none; // truncated or not ours
    return { stamp: index.stamp, modules, resolutions: new Map(index.resolutions) };
  } catch {
    return none; // none yet, or unreadable: start without
  }
}

function write(file: string, content: Stored): void {
  const index = JSON.stringify({
    stamp: content.stamp,
    modules: [...content.modules].map(([name, e]) => [name, e.hash, e.data.length]),
    resolutions: [...content.resolutions],
  });
  const head = Buffer.alloc(4);
  head.writeUInt32LE(Buffer.byteLength(index));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([head, Buffer.from(index), ...[...content.modules.values()].map((e) => e.data)]));
  fs.renameSync(tmp, file); // atomic: two hubs starting together each write a whole file
}
