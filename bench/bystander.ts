import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * Bystander benchmark: `npm run bench:bystander [-- --tmp] [--runs N] [--only <part of an input's name>]`.
 *
 * Issue 7 measured how long another user's `{ me { id } }` waits while one heavy input runs (a freeSlots in
 * year 9999 froze everyone for 28 s, some RRULEs forever). This starts the hub in a child process on the demo
 * world (DATABASE_URL when set, else an embedded PostgreSQL under ./data/bench, or a throw-away one with
 * --tmp), then, for each input, runs it while a bystander sends `me` every 10 ms, and prints the worst
 * bystander wait, the input's own time and its outcome. The machine's cores are shared by both sides.
 */

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1]) || 3;
const tmp = argv.includes('--tmp');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const progress = (line: string) => process.stderr.write(`${line}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function startHub(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = fork(path.join(__dirname, 'lib', 'benchHub.js'), [], {
    env: { ...process.env, BENCH_HUB: JSON.stringify({ dataDir, embeddedPgPort: await freePort() }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { type?: string; url?: string }) => { if (m?.type === 'ready') resolve(m.url!); });
    void exited.then((code) => reject(new Error(`the hub exited before it was ready (code ${code})`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

type Gql = { data?: any; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };

async function post(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<Gql> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Gql;
}

async function main(): Promise<void> {
  const dataDir = tmp ? fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-')) : path.resolve('data', 'bench');
  progress(`starting the hub (${process.env.DATABASE_URL ? 'DATABASE_URL' : `embedded PostgreSQL in ${dataDir}`}; the first run seeds the demo world)…`);
  const hub = await startHub(dataDir);
  try {
    const login = async (email: string) => (await post(hub.url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: process.env.DEMO_PASSWORD || 'bkb-demo' })).data.login.token as string;
    const cc = await login('centre_coordinator@demo.bkb');
    const bystander = await login('case_worker@demo.bkb');
    const investigator = await login('investigator@demo.bkb');
    const incidentIds: string[] = (await post(hub.url, '{ incidents(first: 50) { edges { node { id } } } }', {}, investigator)).data.incidents.edges.map((e: { node: { id: string } }) => e.node.id);
    const centre = (await post(hub.url, '{ centres { id rooms { id } specialists { id discipline } placements { child { id } } } }', {}, cc)).data.centres[0];
    const psych = centre.specialists.find((s: { discipline: string }) => s.discipline === 'PSYCHOLOGIST');
    const childId = centre.placements.find((p: { child: { id: string } | null }) => p.child)?.child.id;
    const monday = new Date(Date.now() + 21 * 86_400_000);
    monday.setUTCDate(monday.getUTCDate() + ((8 - monday.getUTCDay()) % 7));
    monday.setUTCHours(7, 0, 0, 0);
    const book = (extra: Record<string, unknown>) => ({
      q: 'mutation($i: BookSessionInput!) { bookSession(input: $i) { __typename } }',
      v: { i: { childId, specialistId: psych.id, roomId: centre.rooms[0].id, startsAt: monday.toISOString(), durationMinutes: 50, ...extra } },
    });
    const avail = (recurrence: string, dtstart: string) => ({
      q: 'mutation($i: AddAvailabilityInput!) { addAvailability(input: $i) { id } }',
      v: { i: { specialistId: psych.id, centreId: centre.id, recurrence, dtstart, durationMinutes: 60 } },
    });
    const slots = (from: string, days: number) => ({
      q: 'query($c: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { freeSlots(centreId: $c, discipline: PSYCHOLOGIST, from: $from, to: $to, durationMinutes: 50) { startsAt } }',
      v: { c: centre.id, from, to: new Date(new Date(from).getTime() + days * 86_400_000).toISOString() },
    });
    // A proposal to apply, made (untimed) before each run: applying writes its sessions, so each run takes
    // another week far ahead (a random one per invocation: the data directory is kept between invocations),
    // clear of the weeks the other inputs read.
    let applyWeek = 40 + Math.floor(Math.random() * 200);
    const proposalToApply = async () => {
      const from = new Date(monday.getTime() + 7 * applyWeek++ * 86_400_000);
      const res = await post(hub.url, 'mutation($i: ProposeScheduleInput!) { proposeSchedule(input: $i) { id } }', {
        i: { centreId: centre.id, from: from.toISOString(), to: new Date(from.getTime() + 7 * 86_400_000).toISOString(), timeLimitMs: 1000 },
      }, cc);
      return { id: res.data.proposeSchedule.id as string };
    };
    const inputs: [string, { q: string; v: Record<string, unknown> | (() => Promise<Record<string, unknown>>); token?: string }][] = [
      ['freeSlots, one day in year 9999', slots('9999-12-01T00:00:00Z', 1)],
      ['freeSlots, 31 days (valid)', slots(monday.toISOString(), 31)],
      ['bookSession at 9999-12-01T08:00Z', book({ startsAt: '9999-12-01T08:00:00Z' })],
      ['bookSession FREQ=HOURLY;BYHOUR=25;COUNT=1', book({ recurrence: 'FREQ=HOURLY;BYHOUR=25;COUNT=1' })],
      ['bookSession FREQ=HOURLY;INTERVAL=2;BYHOUR=11;COUNT=2', book({ recurrence: 'FREQ=HOURLY;INTERVAL=2;BYHOUR=11;COUNT=2' })],
      ['bookSession FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1', book({ recurrence: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1' })],
      ['bookSession FREQ=DAILY;COUNT=366 (valid, a year)', book({ recurrence: 'FREQ=DAILY;COUNT=366' })],
      ['addAvailability FREQ=MINUTELY;BYMINUTE=61', avail('FREQ=MINUTELY;BYMINUTE=61', '2027-01-04T09:00')],
      ['addAvailability FREQ=HOURLY from 1900-01-01', avail('FREQ=HOURLY', '1900-01-01T00:00')],
      ['proposeSchedule, a week (default 3 s)', {
        q: 'mutation($i: ProposeScheduleInput!) { proposeSchedule(input: $i) { id } }',
        v: { i: { centreId: centre.id, from: monday.toISOString(), to: new Date(monday.getTime() + 7 * 86_400_000).toISOString() } },
      }],
      ['applyScheduleProposal, a week', {
        q: 'mutation($id: ID!) { applyScheduleProposal(id: $id) { proposalId sessions { id } } }',
        v: proposalToApply,
      }],
      // Copies and re-hashes originals, then signs a checkpoint inside its transaction (under the audit lock).
      ['exportDossier, a demo incident (investigator)', {
        q: 'mutation($i: ExportDossierInput!) { exportDossier(input: $i) { bagName evidenceCount } }',
        v: { i: { incidentId: incidentIds[0] } },
        token: investigator,
      }],
      ['exportDossier, every demo incident\'s cases (investigator)', {
        q: 'mutation($i: ExportDossierInput!) { exportDossier(input: $i) { bagName evidenceCount } }',
        v: async () => {
          const res = await post(hub.url, 'query($f: Int) { incidents(first: $f) { edges { node { cases { id } } } } }', { f: 50 }, investigator);
          const ids = [...new Set(res.data.incidents.edges.flatMap((e: { node: { cases: { id: string }[] } }) => e.node.cases.map((c) => c.id)))].slice(0, 200);
          return { i: { caseIds: ids } };
        },
        token: investigator,
      }],
    ];
    console.log(`bystander \`me\` wait while each input runs (${runs} runs each; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})`);
    console.log(`${'input'.padEnd(58)} ${'worst me'.padStart(9)} ${'input'.padStart(9)}  outcome`);
    let overall = 0;
    for (const [name, { q, v: vars, token }] of inputs.filter(([n]) => !only || n.includes(only))) {
      let worst = 0;
      let own = 0;
      let outcome = '';
      for (let r = 0; r < runs; r++) {
        const v = typeof vars === 'function' ? await vars() : vars;
        let done = false;
        const started = Date.now();
        const job = post(hub.url, q, v, token ?? cc).then((res) => { own = Math.max(own, Date.now() - started); done = true; return res; });
        while (!done) {
          const t0 = Date.now();
          await post(hub.url, '{ me { id } }', {}, bystander);
          worst = Math.max(worst, Date.now() - t0);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const res = await job;
        outcome = res.errors ? `${res.errors[0].extensions?.code} ${res.errors[0].extensions?.field ?? ''}`.trim() : 'ok';
      }
      overall = Math.max(overall, worst);
      console.log(`${name.padEnd(58)} ${`${worst} ms`.padStart(9)} ${`${own} ms`.padStart(9)}  ${outcome}`);
    }
    console.log(`worst bystander wait overall: ${overall} ms`);
  } finally {
    await hub.stop();
    if (tmp) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
