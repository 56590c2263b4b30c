import { Client } from 'pg';

/** A throw-away database on the server of DATABASE_URL (the audit benchmarks need a real PostgreSQL). */
export async function benchDatabase(tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error('set DATABASE_URL to a PostgreSQL 15+ server where databases may be created (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  const name = `bkb_bench_${tag}_${process.pid}`;
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}
