import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { bandsOf } from '../src/services/identification/childMatching';
import { matchAll } from '../src/services/identification/linkage';
import { openDatabase, parseArgs } from './identification/scriptDb';

/*
 * `npm run match [-- --no-train]`
 *
 * Full matching: rebuilds every child's name variants, generates candidate pairs in PostgreSQL (blocking),
 * estimates a new Fellegi–Sunter model (u from random pairs, m and λ by EM; stored with a new version) unless
 * --no-train, scores every pair and writes the candidates in one transaction. Decided candidates are kept.
 */
const say = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const db = await openDatabase(config, say);
  try {
    const started = Date.now();
    const stats = await db.ds.transaction((em) => matchAll(em, {
      bands: bandsOf(config), train: !opts['no-train'],
      progress: (step, detail) => say(`${step} ${JSON.stringify(detail ?? {})} (${((Date.now() - started) / 1000).toFixed(1)} s)`),
    }));
    process.stdout.write(`${JSON.stringify({ ...stats, seconds: Math.round((Date.now() - started) / 100) / 10 })}\n`);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  say(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
