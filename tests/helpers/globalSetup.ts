import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Client } from 'pg';
import { testDatabaseUrl } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/db/embeddedPostgres';
import { runMigrations } from '../../src/db/dataSource';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Gives the suite a real PostgreSQL: the server named by TEST_DATABASE_URL / DATABASE_URL, or an embedded
 * one started in a temporary directory. Each run gets a fresh database with the migrations applied.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.BKB_TEST_NO_DB === '1') return;
  let adminUrl = testDatabaseUrl();
  const state: Record<string, string> = {};
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-test-pg-'));
    fs.chmodSync(dir, 0o755);
    const server = await startEmbeddedPostgres(path.join(dir, 'pg'), await freePort());
    (globalThis as Record<string, unknown>).__BKB_EMBEDDED__ = server;
    state.embeddedDir = dir;
    adminUrl = server.url;
    process.stdout.write(`\n[tests] embedded PostgreSQL started (${dir})\n`);
  } else {
    process.stdout.write(`\n[tests] using PostgreSQL at ${new URL(adminUrl).host}\n`);
  }
  const dbName = `bkb_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = withDatabase(adminUrl, dbName);
  await runMigrations(url);
  process.env.BKB_TEST_DB_URL = url;
  process.env.BKB_TEST_ADMIN_URL = adminUrl;
  process.env.BKB_TEST_DB_NAME = dbName;
  if (state.embeddedDir) process.env.BKB_TEST_EMBEDDED_DIR = state.embeddedDir;
}
