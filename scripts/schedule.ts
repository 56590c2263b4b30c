import 'reflect-metadata';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { createDataSource, runMigrations } from '../src/db/dataSource';
import { rememberedPort, startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embeddedPostgres';
import { Centre, ScheduleProposal } from '../src/entities';
import { isValidTimeZone, localToInstant } from '../src/scheduling/recurrence';
import { loadProblem, solveProblem, storeSolution, writeSolution } from '../src/services/schedulingProblem';
import { worldFingerprint } from '../src/services/schedulingData';

/*
 * `npm run schedule -- --centre <id or name> --from <date> --to <date> [--apply] [--time-limit <ms>]`
 *
 * Proposes a timetable for one centre from the command line, with progress, and prints its summary.
 * Dates are YYYY-MM-DD in the centre's time zone (`--to` exclusive) or full ISO instants. The proposal is
 * stored like one made through the API (apply it there with applyScheduleProposal), or applied at once
 * with --apply. Connects to DATABASE_URL, else to the embedded server (started if it is not running).
 */

function args(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true;
    else out[a.slice(2)] = argv[++i];
  }
  return out;
}

function instant(value: string | true | undefined, tz: string, name: string): Date {
  if (typeof value !== 'string') throw new Error(`--${name} is required`);
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? localToInstant(`${value}T00:00`, tz) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`--${name} is not a date: ${value}`);
  return d;
}

async function reachable(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const opts = args(process.argv.slice(2));
  if (opts.help || !opts.centre) {
    process.stdout.write('usage: npm run schedule -- --centre <id|name> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--apply] [--time-limit <ms>]\n');
    process.exit(opts.help ? 0 : 2);
  }
  const config = loadConfig();
  const say = (msg: string) => process.stderr.write(`${msg}\n`);
  let url = config.databaseUrl;
  let embedded: EmbeddedServer | undefined;
  if (!url) {
    const pgPort = config.embeddedPgPortFixed ? config.embeddedPgPort : (rememberedPort(path.join(config.dataDir, 'pg')) ?? config.embeddedPgPort);
    const local = `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`;
    if (await reachable(local)) {
      url = local;
    } else {
      say(`starting the embedded PostgreSQL (${path.join(config.dataDir, 'pg')})…`);
      embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'pg'), pgPort, undefined, { fixedPort: config.embeddedPgPortFixed });
      url = embedded.url;
    }
  }
  await runMigrations(url);
  const ds = createDataSource({ url, poolSize: 2 });
  await ds.initialize();
  try {
    const key = String(opts.centre);
    const centre = /^[0-9a-f-]{36}$/i.test(key)
      ? await ds.getRepository(Centre).findOne({ where: { id: key } })
      : await ds.getRepository(Centre).createQueryBuilder('c').where('c.name ILIKE :n', { n: `%${key}%` }).orderBy('c.name').getOne();
    if (!centre) throw new Error(`no centre ${key}`);
    if (!isValidTimeZone(centre.timeZone)) throw new Error(`centre time zone ${centre.timeZone} is unknown`);
    const from = instant(opts.from, centre.timeZone, 'from');
    const to = instant(opts.to, centre.timeZone, 'to');
    if (to <= from || to.getTime() - from.getTime() > 7 * 86_400_000) throw new Error('--to must be after --from, at most 7 days later');
    const timeLimitMs = opts['time-limit'] ? Number(opts['time-limit']) : 5000;

    say(`[1/4] reading ${centre.name} (${centre.timeZone}) for ${from.toISOString()} .. ${to.toISOString()}`);
    const { problem, fingerprint } = await ds.transaction('REPEATABLE READ', async (em) => ({
      problem: await loadProblem(em, centre.id, from, to),
      fingerprint: await worldFingerprint(em, centre.id, from, to),
    }));
    const needs = problem.children.reduce((n, c) => n + c.needs.reduce((m, x) => m + x.sessionsPerWeek, 0), 0);
    say(`      ${problem.children.length} children needing ${needs} sessions, ${problem.specialists.length} specialists, ${problem.rooms.length} rooms`);
    say(`[2/4] solving (up to ${timeLimitMs} ms)`);
    const started = Date.now();
    let last = 0;
    const solution = solveProblem(problem, {
      timeLimitMs,
      onProgress: (p) => {
        if (Date.now() - last < 250 && p.done !== p.total) return;
        last = Date.now();
        say(`      ${p.phase} ${p.done}/${p.total}`);
      },
    });
    say(`      done in ${Date.now() - started} ms`);
    const stored = storeSolution(solution);
    say('[3/4] storing the proposal');
    const proposal = await ds.getRepository(ScheduleProposal).save({ centreId: centre.id, from, to, payload: stored, fingerprint, createdById: null, appliedAt: null });
    if (opts.apply) {
      say('[4/4] applying');
      await ds.transaction(async (em) => {
        await em.query('SELECT id FROM centre WHERE id = $1 FOR UPDATE', [centre.id]);
        if ((await worldFingerprint(em, centre.id, from, to)) !== fingerprint) throw new Error('the centre changed while solving: run again');
        await writeSolution(em, centre.id, stored, null);
        await em.update(ScheduleProposal, { id: proposal.id }, { appliedAt: new Date() });
      });
    } else {
      say(`[4/4] not applied (apply it with applyScheduleProposal(id: "${proposal.id}") or run again with --apply)`);
    }
    const s = solution.score;
    process.stdout.write(`${JSON.stringify({
      proposal: proposal.id, centre: centre.name, applied: Boolean(opts.apply), sessions: solution.sessions.length,
      assignments: { kept: solution.assignments.filter((a) => a.kept).length, new: solution.assignments.filter((a) => !a.kept).length },
      score: { hard: s.hard, medium: s.medium, soft: s.soft, breakdown: Object.fromEntries(s.breakdown.map((b) => [b.name, b.value])) },
      unmet: solution.unmet.map((u) => ({ child: u.childId, discipline: u.discipline, missing: u.missingSessions, code: u.code, reason: u.reason })),
    }, null, 2)}\n`);
  } finally {
    await ds.destroy();
    if (embedded) await embedded.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`schedule: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
