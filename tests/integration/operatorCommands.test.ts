import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/*
 * The operator's commands from the outside, as the README gives them: `npm run import:records` and `npm run match` run
 * the build made at install, like `npm start`. They compiled the whole project first (tests and benchmarks included:
 * half a minute before every import, a type error in a test stopped an import, and a server installed without the
 * development dependencies had no compiler at all).
 */
const root = path.join(__dirname, '../..');
const built = (name: string) => path.join(root, 'dist/scripts', name);

function npmRun(script: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
}

test.each([
  ['import:records', 'importRecords.js', ['--help'], {}],
  // An unreachable database: the command fails at once, after starting from dist/ without compiling.
  ['match', 'match.js', [], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }],
] as const)('npm run %s runs dist/ without compiling it again', (script, file, args, env) => {
  if (!fs.existsSync(built(file))) throw new Error(`${built(file)} is missing: build first (npx tsc -p .)`);
  const before = fs.statSync(built(file)).mtimeMs;
  const out = npmRun(script, [...args], { ...env });
  expect(out.error).toBeUndefined();
  if (script === 'import:records') {
    expect(out.status).toBe(0);
    expect(out.stderr).toContain('usage: npm run import:records');
  } else {
    expect(out.status).toBe(1);
  }
  expect(fs.statSync(built(file)).mtimeMs).toBe(before);
}, 150_000);
