import pino from 'pino';
import { AuditLog } from '../src/audit/AuditLog';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/dataSource';
import { runFixity } from '../src/services/evidence/fixity';

/*
 * npm run fixity
 *
 * Re-hashes every stored evidence original (EVIDENCE_DIR) against the SHA-256 recorded when it streamed in,
 * records a FIXITY_CHECKED custody event and an audit entry for each, and lists every missing or changed file
 * by item. Needs DATABASE_URL (the embedded server's URL when the hub runs embedded:
 * postgres://postgres:postgres@localhost:5433/postgres). Exit 1 when any file failed.
 */
async function main(): Promise<number> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    process.stderr.write('fixity: set DATABASE_URL (for the embedded hub: postgres://postgres:postgres@localhost:5433/postgres while it runs)\n');
    return 2;
  }
  const logger = pino({ level: config.logLevel });
  const ds = createDataSource({ url: config.databaseUrl, poolSize: 2 });
  await ds.initialize();
  try {
    const audit = new AuditLog({ config, logger, dataSource: ds });
    const r = await runFixity(ds, audit, config.evidenceDir, (n) => process.stderr.write(`\rchecked ${n}`));
    process.stderr.write('\n');
    for (const f of r.failed) process.stdout.write(`FAILED ${f.evidenceId}: ${f.problem === 'MISSING' ? 'file missing' : `expected ${f.expected}, found ${f.actual}`}\n`);
    process.stdout.write(`${r.checked} originals checked, ${r.failed.length} failed\n`);
    return r.failed.length ? 1 : 0;
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  main().then((c) => { process.exitCode = c; }).catch((e) => { process.stderr.write(`fixity: ${(e as Error).message}\n`); process.exitCode = 2; });
}
