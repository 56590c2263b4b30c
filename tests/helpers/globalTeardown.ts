import fs from 'node:fs';
import { Client } from 'pg';
import type { EmbeddedServer } from '../../src/db/embeddedPostgres';

export default async function globalTeardown(): Promise<void> {
  if (process.env.BKB_TEST_NO_DB === '1') return;
  const adminUrl = process.env.BKB_TEST_ADMIN_URL;
  const dbName = process.env.BKB_TEST_DB_NAME;
  if (adminUrl && dbName) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  const server = (globalThis as Record<string, unknown>).__BKB_EMBEDDED__ as EmbeddedServer | undefined;
  if (server) await server.stop();
  const dir = process.env.BKB_TEST_EMBEDDED_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
