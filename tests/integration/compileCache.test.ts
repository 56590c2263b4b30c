import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The V8 code cache of `npm start` (src/compileCache.ts), in real Node processes as `npm start` uses it
 * (the build in dist/, which `npm test` makes first): a second process compiles nothing, a changed file is
 * compiled again and runs as changed (even at the same length), a module with `import()` keeps working,
 * a known path whose file is gone, or known under another install, is looked up again, and a damaged
 * cache file only costs the cache.
 */
const cacheModule = path.resolve(__dirname, '../../dist/src/compileCache.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-compile-cache-'));
const cacheFile = path.join(dir, 'cache', 'compile-cache.bin');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): void {
  fs.writeFileSync(path.join(dir, name), text);
}

interface Outcome { hits: number; misses: number; resolved: number; value: string; sum: number; imported: string }

/** One process: installs the cache, loads a.js (which loads b.js and c.js), saves the cache. */
function runProcess(stamp = 'install-1'): Outcome {
  const script = `
    const { useCompileCache } = require(${JSON.stringify(cacheModule)});
    const cache = useCompileCache(${JSON.stringify(cacheFile)}, ${JSON.stringify(stamp)});
    const a = require(${JSON.stringify(path.join(dir, 'a.js'))});
    a.imported().then((imported) => {
      process.stdout.write(JSON.stringify({ hits: cache.hits, misses: cache.misses, resolved: cache.resolved, value: a.value, sum: a.sum(2, 3), imported }));
      cache.save();
    });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Outcome;
}

beforeAll(() => {
  write('a.js', "const b = require('./b');\nconst c = require('./c.js');\nexports.value = b.value;\nexports.sum = (x, y) => x + y;\nexports.imported = c.imported;\n");
  write('b.js', "exports.value = 'first';\n");
  // A dynamic import: left to Node's own compilation (V8 loses what import() needs in a cached script).
  write('c.js', "exports.imported = () => import('node:path').then((p) => typeof p.join);\n");
});

test('a second process takes every module from the cache and runs the same', () => {
  const first = runProcess();
  expect(first).toEqual({ hits: 0, misses: 2, resolved: 0, value: 'first', sum: 5, imported: 'function' });
  expect(fs.existsSync(cacheFile)).toBe(true);
  const second = runProcess();
  // a.js, and b.js and c.js from a.js: every path known.
  expect(second).toEqual({ hits: 2, misses: 0, resolved: 3, value: 'first', sum: 5, imported: 'function' });
});

test('a changed file is compiled again and runs as changed, even at the same length', () => {
  runProcess();
  write('b.js', "exports.value = 'other';\n");
  const changed = runProcess();
  expect(changed).toEqual({ hits: 1, misses: 1, resolved: 3, value: 'other', sum: 5, imported: 'function' });
  expect(runProcess()).toMatchObject({ hits: 2, misses: 0, value: 'other' });
});

test('a known path whose file is gone is looked up again; paths known under another install are not used', () => {
  runProcess();
  // './b' led to b.js; now it is a directory with an index.js.
  fs.rmSync(path.join(dir, 'b.js'));
  fs.mkdirSync(path.join(dir, 'b'));
  write('b/index.js', "exports.value = 'index';\n");
  expect(runProcess()).toMatchObject({ resolved: 2, value: 'index' });
  expect(runProcess()).toMatchObject({ resolved: 3, value: 'index' });
  expect(runProcess('install-2')).toMatchObject({ resolved: 0, hits: 2, value: 'index' });
  expect(runProcess('install-2')).toMatchObject({ resolved: 3 });
});

test('a damaged or truncated cache file costs only the cache', () => {
  runProcess();
  const whole = fs.readFileSync(cacheFile);
  fs.writeFileSync(cacheFile, whole.subarray(0, Math.floor(whole.length / 2)));
  expect(runProcess()).toMatchObject({ hits: 0, misses: 2, value: 'index', sum: 5, imported: 'function' });
  fs.writeFileSync(cacheFile, 'not a cache at all');
  expect(runProcess()).toMatchObject({ hits: 0, misses: 2, value: 'index', sum: 5, imported: 'function' });
  expect(runProcess()).toMatchObject({ hits: 2, misses: 0, resolved: 3 });
});
