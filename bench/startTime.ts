import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * How long `npm start` (`node dist/src/main.js`, the build made at install) takes to a ready server: a
 * first start on an empty data directory (embedded PostgreSQL initdb, migrations, demo seed) and then
 * `--runs` further starts on the same data. Prints the seconds from spawn to "listening", and to the first
 * answered GraphQL request. Uses free ports and a temporary DATA_DIR, which it removes.
 *
 *   npm run bench:start -- --runs 3
 */
const main = path.resolve(__dirname, '../src/main.js');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 2;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startOnce(dataDir: string, port: number, pgPort: number): Promise<{ listening: number; answered: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'warn' };
  for (const k of ['DATABASE_URL', 'DEMO_SEED', 'JWT_SECRET', 'NODE_ENV']) delete env[k];
  const t0 = performance.now();
  const proc = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  while (!/listening on (\S+)/.test(out)) {
    if (proc.exitCode !== null) throw new Error(`hub exited:\n${out}`);
    if (performance.now() - t0 > 300_000) throw new Error(`hub did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const listening = (performance.now() - t0) / 1000;
  const url = /listening on (\S+)/.exec(out)![1];
  await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then((r) => r.json());
  const answered = (performance.now() - t0) / 1000;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGINT');
  await exited;
  return { listening, answered };
}

async function run(): Promise<void> {
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build (npm ci does it through prepare)`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-start-'));
  fs.chmodSync(dataDir, 0o755);
  try {
    const port = await freePort();
    const pgPort = await freePort();
    const rows: string[] = [];
    for (let i = 0; i <= runs; i++) {
      const r = await startOnce(dataDir, port, pgPort);
      rows.push(`| ${i === 0 ? 'first (empty data dir: initdb, migrate, seed)' : `again #${i} (same data)`} | ${r.listening.toFixed(2)} | ${r.answered.toFixed(2)} |`);
    }
    process.stdout.write(`\nnode ${path.relative(process.cwd(), main)} (no compilation at start)\n\n| start | to "listening" (s) | to first answer (s) |\n|---|--:|--:|\n${rows.join('\n')}\n\n`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

run().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
