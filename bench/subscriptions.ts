import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { subject } from '@casl/ability';
import { createClient, type Client } from 'graphql-ws';
import { Client as PgClient } from 'pg';
import pino from 'pino';
import WebSocket from 'ws';
import { createApp } from '../src/app';
import { AuditLog } from '../src/audit/AuditLog';
import { defineAbilityFor } from '../src/auth/ability';
import { matchesOrganization } from '../src/auth/access/caseEvents';
import { TokenService } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { contextFor, type AppDeps } from '../src/context';
import { createDataSource, runMigrations } from '../src/db/dataSource';
import { startEmbeddedPostgres } from '../src/db/embeddedPostgres';
import { seedDemo } from '../src/db/seed';
import { Case, CaseShare, Organization, User } from '../src/entities';
import type { EventBus } from '../src/pubsub/EventBus';
import { PgNotifyEventBus } from '../src/pubsub/PgNotifyEventBus';
import { RedisEventBus } from '../src/pubsub/RedisEventBus';
import { CaseEventKind, CaseStatus, OrganizationKind, Role, type ShareAccess } from '../src/schema/enums';
import { CaseService } from '../src/services/CaseService';

/*
 * Live-update benchmark: `npm run bench:subscriptions [-- options]`.
 *
 * The main process prepares a fresh database with the demo world (embedded PostgreSQL, or the server
 * of DATABASE_URL), starts the hub in its own process, opens N graphql-ws subscribers from W client
 * processes as a mix of roles and filters, and drives a steady stream of status changes through
 * CaseService from a second "instance" (its own connection pool; the hub learns of them through the
 * bus, as a fleet would). Commit time is taken when COMMIT returns to the writer; receipt time when a
 * client process has parsed the message. All processes share the machine's clock.
 *
 * The clients share the machine's cores with the hub, and every CPU-millisecond they spend per message
 * is taken from the hub and shows up as latency, so they are lean: one bare TCP socket per subscriber
 * speaking WebSocket and graphql-transport-ws by hand (handshake, connection_init, subscribe, next,
 * error, ping/pong), each message still parsed in full (JSON.parse) and checked: operation id, eventId,
 * case id. BENCH_CLIENT=ws uses one `ws` WebSocket per subscriber, BENCH_CLIENT=graphql-ws the
 * graphql-ws client (as before; roughly twice the client CPU per message).
 *
 * Options: --n N (default 1000)  --duration S (30)  --rate EVENTS_PER_S (2)  --workers W (2)  --hubs H (1)  --batch B (connect in batches of B, 250)
 * REDIS_URL set: hub and writer use Redis pub/sub instead of LISTEN/NOTIFY.
 */

const SECRET = 'bench-secret-not-for-production';
const QUERY = `subscription($caseId: ID, $organizationId: ID) {
  caseStatusChanged(caseId: $caseId, organizationId: $organizationId) {
    eventId kind from to at
    case { id status priority child { familyName givenName } }
  }
}`;

interface Args { n: number; duration: number; rate: number; workers: number; batch: number; hubs: number }

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
  };
  return { n: get('n', 1000), duration: get('duration', 30), rate: get('rate', 2), workers: get('workers', 2), batch: get('batch', 250), hubs: get('hubs', 1) };
}

const now = () => performance.timeOrigin + performance.now();
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** One kind of subscriber: who it is (role, organization) and what it filters on. */
interface SubscriberClass {
  id: number;
  label: string;
  role: Role;
  orgId: string;
  filter: { caseId?: string; organizationId?: string };
}

interface SubscriberSpec { classId: number; token: string; variables: Record<string, string> }

// ---------------------------------------------------------------------------------------------------
// Client worker: opens its share of the subscribers and records what arrives.

interface WorkerReport {
  /** classId → eventId → deliveries */
  counts: Record<number, Record<string, number>>;
  /** eventId → case id seen in the payload */
  caseOf: Record<string, string>;
  /** 1-ms latency histogram (index = ms) */
  histogram: number[];
  payloadErrors: number;
  subscriptionErrors: number;
  closes: number;
  connectFailures: number;
}

async function runWorker(): Promise<void> {
  let specs: SubscriberSpec[] = [];
  let url = '';
  let batch = 250;
  const receipts = new Map<string, { classId: number; t: number }[]>();
  const report: WorkerReport = { counts: {}, caseOf: {}, histogram: [], payloadErrors: 0, subscriptionErrors: 0, closes: 0, connectFailures: 0 };
  const clients: Client[] = [];
  const sockets: WebSocket[] = [];
  const leanSockets: net.Socket[] = [];
  /** Lean clients read into this one buffer (`onread`): each read is handled before the next. */
  const readBuffer = Buffer.allocUnsafe(1 << 16);
  let stopping = false;

  type Change = { eventId: string; case?: { id: string } | null };
  const record = (classId: number, t: number, r: { data?: unknown; errors?: unknown[] }) => {
    const change = (r.data as { caseStatusChanged?: Change } | null | undefined)?.caseStatusChanged;
    if (r.errors?.length) report.payloadErrors++;
    if (!change) return;
    let list = receipts.get(change.eventId);
    if (!list) receipts.set(change.eventId, (list = []));
    list.push({ classId, t });
    if (change.case?.id) report.caseOf[change.eventId] ??= change.case.id;
  };

  /** One subscriber on a raw socket: the protocol by hand, every message parsed and checked. */
  const openRaw = (spec: SubscriberSpec): Promise<void> => new Promise<void>((resolve) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true });
    sockets.push(ws);
    let acked = false;
    const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: spec.variables } });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${spec.token}` } })));
    ws.on('message', (data) => {
      const msg = JSON.parse(data as unknown as string) as { id?: string; type: string; payload?: { data?: unknown; errors?: unknown[] } };
      const t = now();
      switch (msg.type) {
        case 'next':
          // A message for an operation we did not start is misdirected: count it under no class.
          record(msg.id === '1' ? spec.classId : -1, t, msg.payload ?? {});
          return;
        case 'connection_ack':
          acked = true;
          ws.send(subscribe);
          resolve();
          return;
        case 'ping':
          ws.send('{"type":"pong"}');
          return;
        case 'error':
          report.subscriptionErrors++;
          return;
        default:
          return;
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (!acked) {
        report.connectFailures++;
        resolve();
      } else if (!stopping) report.closes++;
    });
  });

  /**
   * One subscriber on a bare TCP socket: the WebSocket handshake and framing (RFC 6455) by hand, reading
   * through `onread` into a shared buffer, so the clients cost the shared cores as little as possible.
   * Every text message is still parsed in full and checked like the others.
   */
  const openLean = (spec: SubscriberSpec): Promise<void> => new Promise<void>((resolve) => {
    const u = new URL(url);
    let upgraded = false;
    let acked = false;
    let pending: Buffer | null = null;
    /** A client frame: final, masked (with a zero key, which leaves the payload as is). */
    const frame = (opcode: number, payload: Buffer): Buffer => {
      const n = payload.length;
      const h = n < 126 ? 2 : 4;
      const f = Buffer.alloc(h + 4 + n);
      f[0] = 0x80 | opcode;
      if (n < 126) f[1] = 0x80 | n;
      else { f[1] = 0x80 | 126; f.writeUInt16BE(n, 2); }
      payload.copy(f, h + 4);
      return f;
    };
    const sendText = (text: string) => sock.write(frame(1, Buffer.from(text)));
    const onText = (text: string) => {
      const msg = JSON.parse(text) as { id?: string; type: string; payload?: { data?: unknown; errors?: unknown[] } };
      const t = now();
      switch (msg.type) {
        case 'next':
          record(msg.id === '1' ? spec.classId : -1, t, msg.payload ?? {});
          return;
        case 'connection_ack':
          acked = true;
          sendText(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: spec.variables } }));
          resolve();
          return;
        case 'ping':
          sendText('{"type":"pong"}');
          return;
        case 'error':
          report.subscriptionErrors++;
          return;
        default:
          return;
      }
    };
    const onData = (chunk: Buffer) => {
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = null;
      let off = 0;
      if (!upgraded) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) { pending = Buffer.from(data); return; }
        if (!/^HTTP\/1\.1 101 /.test(data.toString('latin1', 0, 16))) { sock.destroy(); return; }
        upgraded = true;
        off = end + 4;
        sendText(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${spec.token}` } }));
      }
      while (off + 2 <= data.length) {
        const b0 = data[off];
        let len = data[off + 1] & 0x7f;
        let h = 2;
        if (len === 126) {
          if (off + 4 > data.length) break;
          len = data.readUInt16BE(off + 2);
          h = 4;
        } else if (len === 127) {
          if (off + 10 > data.length) break;
          len = data.readUInt32BE(off + 2) * 2 ** 32 + data.readUInt32BE(off + 6);
          h = 10;
        }
        if (off + h + len > data.length) break;
        const start = off + h;
        off = start + len;
        const opcode = b0 & 0x0f;
        if ((b0 & 0x80) === 0 || opcode === 0) { report.payloadErrors++; continue; } // the hub never fragments
        if (opcode === 1) onText(data.toString('utf8', start, start + len));
        else if (opcode === 9) sock.write(frame(10, data.subarray(start, start + len)));
        else if (opcode === 8) sock.end();
      }
      // Keep a partial frame (a copy: `chunk` lives in the shared read buffer).
      if (off < data.length) pending = Buffer.from(data.subarray(off));
    };
    const sock = net.connect({
      host: u.hostname, port: Number(u.port),
      onread: { buffer: readBuffer, callback: (n: number, buf: Buffer) => { onData(buf.subarray(0, n)); return true; } },
    });
    leanSockets.push(sock);
    sock.setNoDelay(true);
    sock.on('connect', () => {
      const key = Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString('base64');
      sock.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (!acked) {
        report.connectFailures++;
        resolve();
      } else if (!stopping) report.closes++;
    });
  });

  const openGraphqlWs = (spec: SubscriberSpec) => new Promise<void>((resolve) => {
    const client = createClient({
      url, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, keepAlive: 0,
      connectionParams: { Authorization: `Bearer ${spec.token}` },
      onNonLazyError: () => { report.connectFailures++; resolve(); },
      on: {
        connected: () => resolve(),
        closed: () => { if (!stopping) report.closes++; },
      },
    });
    clients.push(client);
    client.subscribe({ query: QUERY, variables: spec.variables }, {
      next: (r) => record(spec.classId, now(), r as { data?: unknown; errors?: unknown[] }),
      error: () => { report.subscriptionErrors++; },
      complete: () => undefined,
    });
  });

  const open = async () => {
    const kind = process.env.BENCH_CLIENT ?? 'lean';
    const openOne = kind === 'graphql-ws' ? openGraphqlWs : kind === 'ws' ? openRaw : openLean;
    for (let i = 0; i < specs.length; i += batch) await Promise.all(specs.slice(i, i + batch).map(openOne));
  };

  process.on('message', async (msg: { type: string; specs?: SubscriberSpec[]; url?: string; batch?: number; commits?: Record<string, number> }) => {
    if (msg.type === 'open') {
      specs = msg.specs!;
      url = msg.url!;
      batch = msg.batch ?? 250;
      await open();
      process.send!({ type: 'opened', count: clients.length + sockets.length + leanSockets.length, failures: report.connectFailures });
    } else if (msg.type === 'finish') {
      const commits = msg.commits!;
      for (const [eventId, list] of receipts) {
        const c = commits[eventId];
        for (const r of list) {
          const byEvent = (report.counts[r.classId] ??= {});
          byEvent[eventId] = (byEvent[eventId] ?? 0) + 1;
          if (c !== undefined) {
            const ms = Math.max(0, Math.floor(r.t - c));
            report.histogram[ms] = (report.histogram[ms] ?? 0) + 1;
          }
        }
      }
      stopping = true;
      process.send!({ type: 'report', report: { ...report, histogram: Array.from(report.histogram, (x) => x ?? 0) } });
      for (const ws of sockets) ws.terminate();
      for (const sock of leanSockets) sock.destroy();
      await Promise.all(clients.map((c) => Promise.resolve(c.dispose()).catch(() => undefined)));
      process.exit(0);
    } else if (msg.type === 'cpu') {
      process.send!({ type: 'cpu', cpu: process.cpuUsage() });
    } else if (msg.type === 'received') {
      let total = 0;
      for (const list of receipts.values()) total += list.length;
      process.send!({ type: 'received', total });
    }
  });
  process.send!({ type: 'ready' });
}

// ---------------------------------------------------------------------------------------------------
// Hub process: the app under test, alone in its process so its memory and CPU can be measured.

async function runHub(): Promise<void> {
  const config = loadConfig({ ...process.env, DEMO_SEED: 'false', JWT_SECRET: SECRET, LOG_LEVEL: process.env.LOG_LEVEL || 'warn', PORT: '0' });
  const app = await createApp(config);
  const url = await app.start(0);
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', async (msg: { type: string }) => {
    if (msg.type === 'stats') {
      gc?.();
      const m = process.memoryUsage();
      process.send!({ type: 'stats', rss: m.rss, heapUsed: m.heapUsed, subscribers: app.deps.feed.subscriberCount, cpu: process.cpuUsage() });
    } else if (msg.type === 'stop') {
      await app.stop();
      process.exit(0);
    }
  });
  process.send!({ type: 'listening', url });
}

// ---------------------------------------------------------------------------------------------------
// Main: database, users, hub, clients, the stream of changes, the figures.

function request<T>(child: ChildProcess, msg: object, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type === reply) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    child.send(msg);
  });
}

function waitFor<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: { type: string }) => { if (m.type === type) { child.off('message', on); resolve(m as T); } };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before ${type}`)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function percentile(hist: number[], total: number, p: number): number {
  const target = Math.ceil(total * p);
  let seen = 0;
  for (let ms = 0; ms < hist.length; ms++) {
    seen += hist[ms] ?? 0;
    if (seen >= target) return ms;
  }
  return hist.length;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  // Database: a fresh one on the given server, or on an embedded server in a temporary directory.
  let adminUrl = process.env.DATABASE_URL;
  let embedded: { stop(): Promise<void> } | undefined;
  let tmp: string | undefined;
  if (!adminUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-pg-'));
    fs.chmodSync(tmp, 0o755);
    const server = await startEmbeddedPostgres(path.join(tmp, 'pg'), await freePort());
    embedded = server;
    adminUrl = server.url;
    log('embedded PostgreSQL started');
  }
  const dbName = `bkb_bench_${Date.now().toString(36)}`;
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.query(`ALTER DATABASE ${dbName} SET synchronous_commit = on`);
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  await runMigrations(dbUrl);
  const ds = createDataSource({ url: dbUrl, poolSize: 4 });
  await ds.initialize();
  await seedDemo(ds, { password: 'bkb-demo' });
  log('demo world seeded');

  // Subscribers: a mix of roles and filters over the demo organizations, at most 8 connections per user.
  const orgs = new Map((await ds.getRepository(Organization).find()).map((o) => [o.name, o]));
  const byKind = (k: OrganizationKind) => [...orgs.values()].filter((o) => o.kind === k);
  const council = byKind(OrganizationKind.COORDINATION_COUNCIL)[0];
  const prosecutor = byKind(OrganizationKind.PROSECUTOR)[0];
  const caseOrgs = [...byKind(OrganizationKind.NGO), ...byKind(OrganizationKind.GOVERNMENT_AGENCY), ...byKind(OrganizationKind.INTERNATIONAL_ORGANISATION)];
  const cases = await ds.getRepository(Case).find({ where: [{ status: CaseStatus.IDENTIFIED }, { status: CaseStatus.LOCATED }], order: { createdAt: 'ASC' } });
  const driven = cases.slice(0, 40);
  const shares = await ds.getRepository(CaseShare).find();
  const facts = new Map<string, { leadOrganizationId: string; shares: { organizationId: string; access: ShareAccess }[] }>();
  for (const c of cases) facts.set(c.id, { leadOrganizationId: c.leadOrganizationId, shares: [] });
  for (const s of shares) facts.get(s.caseId)?.shares.push({ organizationId: s.organizationId, access: s.access });

  const classes: SubscriberClass[] = [];
  const addClass = (label: string, role: Role, orgId: string, filter: SubscriberClass['filter'] = {}) => {
    classes.push({ id: classes.length, label, role, orgId, filter });
    return classes.length - 1;
  };
  const cCoord = addClass('coordinator, all', Role.COORDINATOR, council.id);
  const cInv = addClass('investigator, all', Role.INVESTIGATOR, prosecutor.id);
  const cWorker = caseOrgs.map((o) => addClass(`case worker ${o.name.slice(0, 18)}, own`, Role.CASE_WORKER, o.id));
  const cWorkerOrg = caseOrgs.map((o) => addClass(`case worker ${o.name.slice(0, 18)}, organizationId`, Role.CASE_WORKER, o.id, { organizationId: o.id }));
  const cCase = driven.slice(0, 10).map((c, i) => addClass(`coordinator, case #${i}`, Role.COORDINATOR, council.id, { caseId: c.id }));
  const pick = (i: number): number => {
    const r = i % 20;
    if (r < 2) return cCoord;                             // 10 %
    if (r < 4) return cInv;                               // 10 %
    if (r < 16) return cWorker[i % cWorker.length];       // 60 %
    if (r < 19) return cWorkerOrg[i % cWorkerOrg.length]; // 15 %
    return cCase[i % cCase.length];                       //  5 %
  };
  const classOf = Array.from({ length: args.n }, (_, i) => pick(i));
  const classSize = new Map<number, number>();
  for (const c of classOf) classSize.set(c, (classSize.get(c) ?? 0) + 1);

  const tokens = new TokenService(SECRET, 3600);
  const userRows: Partial<User>[] = [];
  const perUser = 8;
  const specUser: number[] = [];
  // Each class fills one user up to `perUser` connections before the next user (the hub's default cap is 10).
  const current = new Map<number, { user: number; used: number }>();
  for (let i = 0; i < args.n; i++) {
    const cls = classes[classOf[i]];
    let slot = current.get(cls.id);
    if (!slot || slot.used >= perUser) {
      userRows.push({ email: `bench-${i}@bench.bkb`, displayName: `Bench ${i}`, roles: [cls.role], organizationId: cls.orgId, passwordHash: 'x' });
      current.set(cls.id, (slot = { user: userRows.length - 1, used: 0 }));
    }
    slot.used++;
    specUser.push(slot.user);
  }
  const saved = await ds.getRepository(User).save(userRows as User[], { chunk: 500 });
  const userTokens = await Promise.all(saved.map((usr) => tokens.issue(usr.id)));
  const specs: SubscriberSpec[] = classOf.map((classId, i) => {
    const f = classes[classId].filter;
    return { classId, token: userTokens[specUser[i]], variables: { ...(f.caseId ? { caseId: f.caseId } : {}), ...(f.organizationId ? { organizationId: f.organizationId } : {}) } };
  });
  log(`${args.n} subscribers in ${classes.length} classes, ${saved.length} users`);

  // The hub(s), each in its own process: with --hubs 2 the subscribers are spread over two instances,
  // as behind a load balancer, and every event crosses instances through the bus.
  const self = __filename;
  // Default V8 flags: live fan-out allocates one small buffer per delivery (see LiveDelivery), so the hub
  // no longer needs a larger young generation. BENCH_HUB_NODE_OPTIONS adds flags, e.g.
  // '--max-semi-space-size=64' (which the per-delivery iterator path needed).
  const hubFlags = (process.env.BENCH_HUB_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const hubs = Array.from({ length: args.hubs }, () => fork(self, ['--hub'], { env: { ...process.env, DATABASE_URL: dbUrl }, execArgv: ['--expose-gc', '--max-old-space-size=4096', ...hubFlags, ...(process.env.BENCH_HUB_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_HUB_PROFILE}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const urls = (await Promise.all(hubs.map((h) => waitFor<{ url: string }>(h, 'listening')))).map((h) => h.url.replace(/^http/, 'ws'));
  type Stats = { rss: number; heapUsed: number; subscribers: number; cpu: NodeJS.CpuUsage };
  const hubStats = async (): Promise<Stats> => {
    const all = await Promise.all(hubs.map((h) => request<Stats>(h, { type: 'stats' }, 'stats')));
    return all.reduce((a, x) => ({
      rss: a.rss + x.rss, heapUsed: a.heapUsed + x.heapUsed, subscribers: a.subscribers + x.subscribers,
      cpu: { user: a.cpu.user + x.cpu.user, system: a.cpu.system + x.cpu.system },
    }));
  };
  const idle = await hubStats();
  log(`hub(s) listening at ${urls.join(', ')}`);

  // Client processes.
  const workers = Array.from({ length: args.workers }, () => fork(self, ['--client'], { execArgv: ['--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await Promise.all(workers.map((w) => waitFor(w, 'ready')));
  const tOpen = Date.now();
  const opened = await Promise.all(workers.map((w, k) => request<{ count: number; failures: number }>(w, {
    type: 'open', url: urls[k % urls.length], batch: args.batch, specs: specs.filter((_, i) => i % args.workers === k),
  }, 'opened')));
  let stats = await hubStats();
  for (let tries = 0; stats.subscribers < args.n && tries < 100; tries++) {
    await new Promise((r) => setTimeout(r, 200));
    stats = await hubStats();
  }
  const connectFailures = opened.reduce((a, o) => a + o.failures, 0);
  log(`${stats.subscribers} subscriptions live on the hub after ${((Date.now() - tOpen) / 1000).toFixed(1)} s (${connectFailures} connection failures)`);
  const loaded = stats;

  // The writer: a second instance on the same database, publishing through the same transport.
  const logger = pino({ level: 'warn' });
  const bus: EventBus = process.env.REDIS_URL ? new RedisEventBus(process.env.REDIS_URL, logger) : new PgNotifyEventBus(logger);
  if (process.env.REDIS_URL) await bus.start({ databaseUrl: dbUrl });
  const commits: Record<string, number> = {};
  const timed: EventBus = {
    start: async () => undefined,
    subscribe: () => () => undefined,
    close: () => bus.close(),
    async publishOnCommit(em, afterCommit, notice) {
      await bus.publishOnCommit(em, afterCommit, notice);
      afterCommit.push(() => { commits[tokens.eventIds.encode(notice.eventId)] = now(); });
    },
  };
  const config = loadConfig({ ...process.env, DATABASE_URL: dbUrl, JWT_SECRET: SECRET, DEMO_SEED: 'false' });
  const deps = { config, dataSource: ds, tokens, logger, events: timed } as AppDeps;
  // Every case write appends to the audit log in its transaction (src/audit): the driver needs one too.
  deps.audit = new AuditLog(deps);
  const actor = await ds.getRepository(User).findOneByOrFail({ email: 'coordinator@demo.bkb' });
  const ctx = contextFor(deps, actor);
  const eventCase = new Map<string, string>();
  const state = new Map(driven.map((c) => [c.id, { status: c.status, version: c.version }]));
  const cpuBefore = (await hubStats()).cpu;
  const clientCpu = () => Promise.all(workers.map((w) => request<{ cpu: NodeJS.CpuUsage }>(w, { type: 'cpu' }, 'cpu'))).then((l) => l.reduce((a, x) => a + x.cpu.user + x.cpu.system, 0));
  const clientCpuBefore = await clientCpu();
  const total = Math.round(args.duration * args.rate);
  const interval = 1000 / args.rate;
  const tStart = now();
  let writeErrors = 0;
  log(`driving ${total} status changes at ${args.rate}/s over ${args.duration} s`);
  for (let k = 0; k < total; k++) {
    const wait = tStart + k * interval - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const c = driven[k % driven.length];
    const st = state.get(c.id)!;
    const to = st.status === CaseStatus.LOCATED ? CaseStatus.IDENTIFIED : CaseStatus.LOCATED;
    try {
      await CaseService.changeStatus(ctx, { caseId: c.id, status: to, expectedVersion: st.version });
      st.status = to;
      st.version++;
      const [row] = await ds.query('SELECT max(id)::text AS id FROM case_event WHERE case_id = $1', [c.id]);
      eventCase.set(tokens.eventIds.encode(row.id), c.id);
    } catch (e) {
      writeErrors++;
      log(`write failed: ${(e as Error).message}`);
    }
    if (k % Math.max(1, Math.round(args.rate * 5)) === 0) log(`${k}/${total} changes`);
  }
  const tEnd = now();

  // Expected deliveries, by the same permission rules the hub enforces (facts are static during the run).
  const abilities = classes.map((c) => defineAbilityFor({ id: 'x', organizationId: c.orgId, roles: [c.role] }));
  const expectedFor = (cls: SubscriberClass, eventId: string): boolean => {
    const caseId = eventCase.get(eventId)!;
    const f = facts.get(caseId)!;
    if (cls.filter.caseId && cls.filter.caseId !== caseId) return false;
    // The organization filter tests the share list only for readers of it (a SUMMARY partner matches by the lead alone).
    const event = { event: { id: eventId, kind: CaseEventKind.STATUS_CHANGED }, case: { id: caseId, leadOrganizationId: f.leadOrganizationId } as Case, facts: { caseId, childId: '', ...f } };
    if (cls.filter.organizationId && !matchesOrganization(abilities[cls.id], event, cls.filter.organizationId)) return false;
    return abilities[cls.id].can('read', subject('Case', { id: caseId, leadOrganizationId: f.leadOrganizationId, shares: f.shares }));
  };
  let expected = 0;
  for (const eventId of eventCase.keys()) for (const cls of classes) if (expectedFor(cls, eventId)) expected += classSize.get(cls.id) ?? 0;

  // Let the last deliveries land.
  let received = 0;
  const drainDeadline = Date.now() + 30000;
  for (;;) {
    const counts = await Promise.all(workers.map((w) => request<{ total: number }>(w, { type: 'received' }, 'received')));
    received = counts.reduce((a, c) => a + c.total, 0);
    if (received >= expected || Date.now() > drainDeadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tDrained = now();
  const cpuAfter = (await hubStats()).cpu;
  const clientCpuShare = (await clientCpu() - clientCpuBefore) / 1000 / (tDrained - tStart);

  const reports = await Promise.all(workers.map((w) => request<{ report: WorkerReport }>(w, { type: 'finish', commits }, 'report')));
  const hist: number[] = [];
  let lost = 0;
  let misdirected = 0;
  let duplicates = 0;
  let wrongCase = 0;
  let payloadErrors = 0;
  let subscriptionErrors = 0;
  let closes = 0;
  let measured = 0;
  const merged = new Map<number, Map<string, number>>();
  for (const { report } of reports) {
    report.histogram.forEach((n, ms) => { hist[ms] = (hist[ms] ?? 0) + n; });
    for (const [cls, byEvent] of Object.entries(report.counts)) {
      const m = merged.get(Number(cls)) ?? new Map<string, number>();
      merged.set(Number(cls), m);
      for (const [e, n] of Object.entries(byEvent)) m.set(e, (m.get(e) ?? 0) + n);
    }
    for (const [e, caseId] of Object.entries(report.caseOf)) if (eventCase.get(e) !== caseId) wrongCase++;
    // Deliveries under an operation id the client never used (class -1) are misdirected.
    for (const n of Object.values(report.counts[-1] ?? {})) { misdirected += n; measured += n; }
    payloadErrors += report.payloadErrors;
    subscriptionErrors += report.subscriptionErrors;
    closes += report.closes;
  }
  for (const cls of classes) {
    const size = classSize.get(cls.id) ?? 0;
    const got = merged.get(cls.id) ?? new Map<string, number>();
    for (const eventId of eventCase.keys()) {
      const n = got.get(eventId) ?? 0;
      if (expectedFor(cls, eventId)) {
        if (n < size) lost += size - n;
        if (n > size) duplicates += n - size;
      } else misdirected += n;
    }
    for (const [e, n] of got) if (!eventCase.has(e)) misdirected += n; // an event we did not write
    for (const n of got.values()) measured += n;
  }
  const histTotal = hist.reduce((a, n) => a + (n ?? 0), 0);
  const hubCpu = ((cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)) / 1000 / (tDrained - tStart);

  const rows: [string, string][] = [
    ['subscribers (N)', `${args.n} (${stats.subscribers} live on the hub; ${connectFailures} connection failures)`],
    ['processes', `${args.workers} client processes (${process.env.BENCH_CLIENT ?? 'lean'} clients) + ${args.hubs} hub process(es) [${hubFlags.join(' ') || 'default V8 flags'}] + PostgreSQL on ${os.cpus().length} cores; ${args.rate} changes/s`],
    ['transport', process.env.REDIS_URL ? 'Redis pub/sub' : 'PostgreSQL LISTEN/NOTIFY'],
    ['events (status changes)', `${eventCase.size} over ${((tEnd - tStart) / 1000).toFixed(1)} s (${writeErrors} write errors)`],
    ['deliveries expected (by permission)', String(expected)],
    ['deliveries received', String(measured)],
    ['lost / misdirected / duplicated / wrong case', `${lost} / ${misdirected} / ${duplicates} / ${wrongCase}`],
    ['latency commit → receipt p50 / p95 / p99', `${percentile(hist, histTotal, 0.5)} / ${percentile(hist, histTotal, 0.95)} / ${percentile(hist, histTotal, 0.99)} ms (max ${hist.length - 1} ms)`],
    ['deliveries per second', (measured / ((tDrained - tStart) / 1000)).toFixed(0)],
    ['CPU during the stream', `hub(s) ${(hubCpu * 100).toFixed(0)} %, client processes ${(clientCpuShare * 100).toFixed(0)} % of one core`],
    ['hub memory per subscriber (all hubs)', `${((loaded.rss - idle.rss) / args.n / 1024).toFixed(1)} KiB RSS, ${((loaded.heapUsed - idle.heapUsed) / args.n / 1024).toFixed(1)} KiB heap (idle RSS ${(idle.rss / 2 ** 20).toFixed(0)} MiB → ${(loaded.rss / 2 ** 20).toFixed(0)} MiB)`],
    ['errors (payload / subscription / unexpected closes)', `${payloadErrors} / ${subscriptionErrors} / ${closes}`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`\nLive updates benchmark (${((Date.now() - t0) / 1000).toFixed(0)} s in all)\n`);
  for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(w)}  ${v}\n`);
  process.stdout.write('\n');

  for (const h of hubs) h.send({ type: 'stop' });
  await Promise.race([Promise.all(hubs.map((h) => new Promise((r) => h.once('exit', r)))), new Promise((r) => setTimeout(r, 5000))]);
  for (const wk of workers) wk.kill();
  await bus.close();
  await ds.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  if (embedded) await embedded.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(lost || misdirected || duplicates || wrongCase ? 1 : 0);
}

const role = process.argv[2];
const run = role === '--client' ? runWorker : role === '--hub' ? runHub : main;
run().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
