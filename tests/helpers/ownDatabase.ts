import { Client } from 'pg';
import { runMigrations } from '../../src/db/dataSource';

/** A fresh, migrated database of its own, for tests that tamper with data the other test files share. */
export async function createOwnDatabase(tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.BKB_TEST_ADMIN_URL!;
  const name = `${process.env.BKB_TEST_DB_NAME}_${tag}`.toLowerCase();
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  await runMigrations(url);
  return {
    url,
    drop: async () => {
      const d = new Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}
