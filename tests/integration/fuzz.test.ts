import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  getNamedType, getNullableType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType,
  isScalarType, isUnionType, isInterfaceType, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLObjectType,
} from 'graphql';
import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { CREATE_EVIDENCE, CREATE_INCIDENT, upload } from '../factories/evidence';
import { centreCoordinator, createCentre, createRoom, createSession, createSpecialist, placeChild, specialistUser } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { createRandom } from '../../src/scheduling/random';
import { OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';

/**
 * Schema-driven fuzzing: every Query and Mutation field, with arguments of the right and wrong shapes
 * (nasty strings, nulls, extreme numbers and dates, real and forged ids), as every role and anonymously.
 * Seeded (FUZZ_SEED) and bounded in time (FUZZ_SECONDS). Fails on any 5xx, any INTERNAL_SERVER_ERROR or
 * error without a code, any response slower than FUZZ_MAX_MS, and any change to the database made by a
 * mutation that was refused. A bystander asks `{ me { id } }` throughout; its worst wait is reported.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 40);
// Generous: the suite shares two cores with other work, and a wrong-password login costs an argon2 hash.
const MAX_MS = Number(process.env.FUZZ_MAX_MS ?? 10_000);
const WORKERS = Number(process.env.FUZZ_WORKERS ?? 3);
const BYSTANDER_MAX_MS = Number(process.env.FUZZ_BYSTANDER_MAX_MS ?? 5000);

/** Fields to leave out of a run (`FUZZ_EXCLUDE=a,b`); none by default. */
const EXCLUDE = new Set((process.env.FUZZ_EXCLUDE ?? '').split(',').filter(Boolean));

/** Fields to fuzz alone (`FUZZ_ONLY=a,b`), to chase one field's failure. */
const ONLY = new Set((process.env.FUZZ_ONLY ?? '').split(',').filter(Boolean));

const NASTY_STRINGS = [
  '', ' ', '   \t ', 'a', 'ab', 'Олена', 'Ivan', 'x'.repeat(101), 'y'.repeat(5000), 'z'.repeat(10_001),
  '\u0000', 'a\u0000b', '\u001B[31mred', '\u202Eevil', '\u2067iso\u2069', '\uD800', 'x\uDC00y', '\uFEFF', 'Ёлка\u0301',
  'Robert\'); DROP TABLE child;--', '%', '_', '\\', '%_\\%', '\' OR 1=1 --', '<script>alert(1)</script>', '${jndi:ldap://x}',
  '😀👨‍👩‍👧', 'null', 'undefined', 'NaN', '-1', '0', '1e309', '2026-12-01', '2027-02-30', '2026-13-01', '0000-01-01',
  '9999-12-31', '1900-01-01', '2026-12-01T10:00', '2026-12-01T10:00:00Z', 'Europe/Kyiv', 'Mars/Olympus', 'UTC',
  'FREQ=WEEKLY;COUNT=3', 'FREQ=DAILY;UNTIL=20270101T000000Z', 'FREQ=YEARLY', 'NOT-A-RULE', 'uk', 'UA', 'RU', 'XX',
  'Kherson', 'Narnia', 'coordinator@demo.bkb', 'a@b.c', 'bm9wZQ', Buffer.from('0000-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000').toString('base64url'),
  Buffer.from('99999999999999999999').toString('base64url'), Buffer.from('1').toString('base64url'),
];
const INTS = [0, 1, -1, 2, 7, 20, 50, 100, 101, 480, 1000, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, 1.5];
const DATES = ['2026-12-01T08:00:00Z', '2026-12-07T10:00:00.000Z', '2027-06-01T00:00:00Z', '1900-01-01T00:00:00Z', '0001-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z', 'not a date', '', '+275760-09-13T00:00:00.000Z', '2026-12-01'];

let t: TestApp;
let ds: DataSource;
let dataDir: string;
let investigatorId: string;
const tokens: Record<string, string | undefined> = {};
let ids: string[] = [];
const idsByTable = new Map<string, string[]>();
const DATE_TEXT = ['2026-12-01', '2026-12-07', '2027-02-30', '2026-13-01', '0000-01-01', '9999-12-31', '1900-01-01', '2026-12-01T10:00', '2026-12-01T10:00:00Z', 'soon'];
const RULES = ['FREQ=WEEKLY;COUNT=3', 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4', 'FREQ=DAILY;UNTIL=20270101T000000Z', 'FREQ=DAILY;COUNT=0', 'FREQ=MONTHLY;COUNT=2', 'NOT-A-RULE', 'FREQ=;', ''];
const ZONES = ['Europe/Kyiv', 'UTC', 'America/New_York', 'Mars/Olympus', '', 'Europe/Kyiv\u0000'];

beforeAll(async () => {
  // A data directory of its own: the bags exportDossier writes are checked against the database after the run.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-fuzz-'));
  t = await startTestApp({ env: { DATA_DIR: dataDir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' } });
  ds = t.app.deps.dataSource;
  const lead = await createOrg(ds);
  const partner = await createOrg(ds);
  const council = await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL);
  const prosecutor = await createOrg(ds, OrganizationKind.PROSECUTOR);
  const operator = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
  const centre = await createCentre(ds, { org: operator });
  const room = await createRoom(ds, centre);
  const specialist = await createSpecialist(ds, centre);
  const cases = [];
  for (let i = 0; i < 6; i++) {
    cases.push(await createCase(ds, { lead: i % 2 ? lead : partner, shares: i === 2 ? [{ org: lead, access: ShareAccess.SUMMARY }] : i === 3 ? [{ org: operator, access: ShareAccess.FULL }] : [] }));
  }
  await placeChild(ds, centre, cases[3].child);
  await createSession(ds, { centre, child: cases[3].child, specialist, room, startsAt: new Date(Date.now() + 3 * 86_400_000) });
  tokens.anonymous = undefined;
  tokens.coordinator = (await createUser(t.app, council, [Role.COORDINATOR])).token;
  tokens.caseWorker = (await createUser(t.app, lead, [Role.CASE_WORKER])).token;
  tokens.caseWorker2 = (await createUser(t.app, partner, [Role.CASE_WORKER])).token;
  const investigator = await createUser(t.app, prosecutor, [Role.INVESTIGATOR]);
  tokens.investigator = investigator.token;
  investigatorId = investigator.user.id;
  tokens.centreCoordinator = (await centreCoordinator(t.app, [centre])).token;
  tokens.specialist = (await specialistUser(t.app, centre, specialist)).token;
  tokens.analyst = (await createUser(t.app, council, [Role.ANALYST])).token;
  tokens.orgAdmin = (await createUser(t.app, lead, [Role.ORG_ADMIN])).token;
  // An incident with an item whose original is in this hub's store, so that exports have something to copy.
  const inc = await t.gql(CREATE_INCIDENT, { i: { caseIds: [cases[0].case.id, cases[1].case.id], narrative: 'Fuzz incident' } }, tokens.investigator);
  const ev = await t.gql(CREATE_EVIDENCE, { i: { kind: 'DOCUMENT', title: 'Fuzz original', incidentIds: [inc.data!.createIncident.id], caseIds: [cases[1].case.id] } }, tokens.investigator);
  expect((await upload(t, ev.data!.createEvidenceItem.id, Buffer.from('fuzz original\n'.repeat(50)), tokens.investigator)).status).toBe(201);
  const tables: { table_name: string }[] = await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  for (const { table_name } of tables) {
    const cols: { column_name: string }[] = await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'id' AND data_type = 'uuid'`, [table_name]);
    if (!cols.length) continue;
    const found = (await ds.query(`SELECT id FROM "${table_name}" LIMIT 20`)).map((r: { id: string }) => r.id);
    idsByTable.set(table_name, found);
    ids.push(...found);
  }
  ids = [...new Set(ids)];
});
afterAll(async () => {
  await t.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Order-independent checksum of every table: a refused mutation must leave every one as it was. */
async function checksum(): Promise<string> {
  const tables: { table_name: string }[] = await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY 1`);
  const sql = tables.map(({ table_name: n }) => `SELECT '${n}' AS t, count(*) AS n, coalesce(sum(hashtext(x::text)::bigint), 0) AS h FROM "${n}" x`).join(' UNION ALL ');
  // In table order: once a table is big enough for a parallel plan, UNION ALL returns its branches in any order, and
  // the same database gave two strings (a refused mutation "changed the database" with every table as it was).
  const rows: { t: string; n: string; h: string }[] = await ds.query(`${sql} ORDER BY 1`);
  return rows.map((r) => `${r.t}:${r.n}:${r.h}`).join('|');
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** A value for an input type: mostly of the right shape, sometimes null, sometimes of a wrong one. */
function valueFor(r: Rand, type: GraphQLInputType, name: string, depth = 0): unknown {
  const roll = r();
  if (roll < 0.04) return null; // even for non-null types: a wrong shape
  if (roll < 0.07) return pick(r, [42, 'text', true, [], {}, -1.5, '\u0000']); // another wrong shape
  if (!isNonNullType(type) && roll < 0.12) return null;
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) {
    const n = pick(r, [0, 1, 1, 2, 3, 25]);
    return Array.from({ length: n }, () => valueFor(r, inner.ofType, name, depth + 1));
  }
  if (isInputObjectType(inner)) {
    if (depth > 3) return {};
    const out: Record<string, unknown> = {};
    for (const f of Object.values(inner.getFields())) {
      if (!isNonNullType(f.type) && r() < 0.35) continue; // omitted
      out[f.name] = valueFor(r, f.type, f.name, depth + 1);
    }
    if (r() < 0.03) out.unknownField = 'x';
    return out;
  }
  if (isEnumType(inner)) return r() < 0.9 ? pick(r, inner.getValues()).name : 'NOT_A_VALUE';
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'ID': {
        // An id of the table the argument names (centreId: a centre) reaches past NOT_FOUND into the rules.
        const stem = name.replace(/Ids?$/, '').toLowerCase();
        const own = [...idsByTable].filter(([table]) => stem && stem !== name.toLowerCase() && table.replace(/_/g, '').startsWith(stem)).flatMap(([, v]) => v);
        if (own.length && r() < 0.6) return pick(r, own);
        return r() < 0.6 && ids.length ? pick(r, ids) : r() < 0.5 ? crypto.randomUUID() : pick(r, NASTY_STRINGS);
      }
      case 'Int': return pick(r, INTS);
      case 'Float': return pick(r, [0, -1, 1.5, 1e308, -1e308, 3]);
      case 'Boolean': return r() < 0.5;
      case '_Any': return { __typename: pick(r, ['Case', 'Child', 'Organization', 'Nope']), id: r() < 0.8 && ids.length ? pick(r, ids) : pick(r, NASTY_STRINGS) };
      case 'String':
        if (r() < 0.6) {
          if (/recurrence|rrule/i.test(name)) return pick(r, RULES);
          if (/timeZone|tz/i.test(name)) return pick(r, ZONES);
          if (/date|^from$|^to$|dtstart|At$/i.test(name)) return pick(r, DATE_TEXT);
          if (/languages?/.test(name)) return pick(r, ['uk', 'ru', 'en', 'xx1']);
        }
        return pick(r, NASTY_STRINGS);
      default: return /date|time/i.test(inner.name) ? pick(r, DATES) : pick(r, [...NASTY_STRINGS.slice(0, 10), {}, 1]);
    }
  }
  return null;
}

/** A selection for a return type: its leaves, and the leaves of its argument-free object fields. */
function selectionFor(type: GraphQLNamedType, depth = 0, alias = ''): string {
  if (isLeafType(type)) return '';
  if (isUnionType(type) || isInterfaceType(type)) {
    // Members' fields of the same name may differ in nullability: alias them per member.
    const parts = (isUnionType(type) ? type.getTypes() : []).map((m) => `... on ${m.name} ${selectionFor(m, depth + 1, `${m.name}_`) || '{ __typename }'}`);
    return `{ __typename ${parts.join(' ')} }`;
  }
  const obj = type as GraphQLObjectType;
  const fields = Object.values(obj.getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type)));
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type))).map((f) => (alias ? `${alias}${f.name}: ${f.name}` : f.name));
  const nested = depth < 2 ? fields.filter((f) => !isLeafType(getNamedType(f.type))).map((f) => {
    const sel = selectionFor(getNamedType(f.type), depth + 1);
    return sel ? `${alias ? `${alias}${f.name}: ` : ''}${f.name} ${sel}` : '';
  }).filter(Boolean) : [];
  return `{ __typename ${[...leaves, ...nested].join(' ')} }`;
}

interface Failure { what: string; op: string; field: string; role: string; query?: string; variables: unknown; detail: unknown }

test(`fuzz: every Query and Mutation field, every role, ${SECONDS}s (seed ${SEED})`, async () => {
  const schema = t.app.schema;
  const roots: [string, GraphQLObjectType][] = [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]];
  const targets: { op: string; field: GraphQLField<unknown, unknown> }[] = [];
  for (const [op, type] of roots) {
    for (const field of Object.values(type.getFields())) {
      if (EXCLUDE.has(field.name)) continue;
      if (ONLY.size && !ONLY.has(field.name)) continue;
      targets.push({ op, field });
    }
  }
  const r = createRandom(SEED);
  const roles = Object.keys(tokens);
  const failures: Failure[] = [];
  const codes = new Map<string, number>();
  const covered = new Set<string>();
  let requests = 0;
  const timing = new Map<string, [number, number]>();
  let worst = { ms: 0, field: '' };
  let bystanderWorst = 0;
  let bystanderRequests = 0;
  /** Bags of the exports that answered success. */
  const bagNames = new Set<string>();

  // A bystander, in parallel: how long another user waits while the fuzzer runs.
  let running = true;
  const bystander = (async () => {
    while (running) {
      const start = performance.now();
      const res = await t.gql('{ me { id } }', undefined, tokens.coordinator);
      bystanderWorst = Math.max(bystanderWorst, performance.now() - start);
      bystanderRequests++;
      if (!res.data?.me?.id) failures.push({ what: 'bystander failed', op: 'query', field: 'me', role: 'coordinator', variables: {}, detail: res.errors });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  /** Sends one request and checks what came back (and, for a refused mutation, that nothing was written). */
  const probe = async (op: string, field: GraphQLField<unknown, unknown>, role: string, query: string, variables: Record<string, unknown>) => {
    const fail = (what: string, detail: unknown) => failures.push({ what, op, field: field.name, role, query, variables, detail });
    const before = op === 'mutation' ? await checksum() : '';
    const start = performance.now();
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(tokens[role] ? { authorization: `Bearer ${tokens[role]}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(Math.max(MAX_MS * 3, 15_000)),
    }).catch((e: Error) => e);
    const ms = performance.now() - start;
    requests++;
    covered.add(field.name);
    if (res instanceof Error) return fail('no response', res.message);
    if (ms > worst.ms) worst = { ms, field: field.name };
    if (process.env.FUZZ_DEBUG) timing.set(field.name, [(timing.get(field.name)?.[0] ?? 0) + 1, (timing.get(field.name)?.[1] ?? 0) + ms]);
    if (ms > MAX_MS) fail(`slower than ${MAX_MS} ms`, Math.round(ms));
    if (res.status >= 500) fail(`HTTP ${res.status}`, await res.clone().text());
    const body = await res.json().catch(() => null) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } | null;
    if (!body) return fail('not JSON', res.status);
    for (const e of body.errors ?? []) {
      const code = e.extensions?.code ?? 'NO_CODE';
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (code === 'INTERNAL_SERVER_ERROR' || code === 'NO_CODE') fail(code, e.message);
      if (code === 'GRAPHQL_VALIDATION_FAILED' && process.env.FUZZ_DEBUG) process.stdout.write(`${e.message}\n`);
    }
    const bag = (body.data?.exportDossier as { bagName?: string } | null | undefined)?.bagName;
    if (field.name === 'exportDossier' && bag) bagNames.add(bag);
    if (op === 'mutation' && (body.errors?.length ?? 0) > 0 && (body.data?.[field.name] ?? null) === null) {
      const after = await checksum();
      if (after !== before) fail('a refused mutation changed the database', { before, after });
    }
    return undefined;
  };

  // Queries run side by side; a mutation runs alone, so that the checksums around it see only its writes.
  let readers = 0;
  let writer: Promise<void> | null = null;
  const deadline = Date.now() + SECONDS * 1000;
  // Every field once first (in schema order), then at random: a slow machine still covers the whole schema.
  let firstPass = 0;
  const worker = async () => {
    while (Date.now() < deadline || firstPass < targets.length) {
      while (writer) await writer;
      const { op, field } = firstPass < targets.length ? targets[firstPass++] : pick(r, targets);
      const role = pick(r, roles);
      const varDefs: string[] = [];
      const argUses: string[] = [];
      const variables: Record<string, unknown> = {};
      for (const a of field.args) {
        if (!isNonNullType(a.type) && r() < 0.3) continue;
        varDefs.push(`$${a.name}: ${a.type.toString()}`);
        argUses.push(`${a.name}: $${a.name}`);
        variables[a.name] = valueFor(r, a.type, a.name);
      }
      const query = `${op} Fuzz${varDefs.length ? `(${varDefs.join(', ')})` : ''} { ${field.name}${argUses.length ? `(${argUses.join(', ')})` : ''} ${selectionFor(getNamedType(field.type))} }`;
      if (op === 'mutation') {
        let done!: () => void;
        writer = new Promise<void>((res) => { done = res; });
        while (readers > 0) await new Promise((res) => setTimeout(res, 5));
        try {
          await probe(op, field, role, query, variables);
        } finally {
          writer = null;
          done();
        }
      } else {
        readers++;
        try {
          await probe(op, field, role, query, variables);
        } finally {
          readers--;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, () => worker()));
  running = false;
  await bystander;

  // A bag exists exactly for each export that committed: no partial bag, no bag without its audit entry.
  const bags = fs.existsSync(t.app.deps.config.exportDir) ? fs.readdirSync(t.app.deps.config.exportDir).sort() : [];
  const committed: string[] = (await ds.query(
    `SELECT entity_id FROM audit_entry WHERE operation = 'EXPORT' AND entity_type = 'Dossier' AND actor_id = $1 ORDER BY 1`, [investigatorId],
  )).map((r: { entity_id: string }) => r.entity_id).sort();
  const answered = [...bagNames].sort();
  if (bags.join() !== answered.join() || committed.join() !== answered.join()) {
    failures.push({ what: 'bags, committed exports and successful answers differ', op: 'mutation', field: 'exportDossier', role: 'investigator', variables: {}, detail: { bags, answered, committed } });
  }

  const figures = {
    seed: SEED, seconds: SECONDS, workers: WORKERS, requests, roles: roles.length, fieldsCovered: covered.size, fieldsInSchema: targets.length,
    excluded: [...EXCLUDE], dossiersExported: answered.length,
    worstLatencyMs: Math.round(worst.ms), worstField: worst.field, bystanderRequests, bystanderWorstMs: Math.round(bystanderWorst),
    errorCodes: Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])), failures: failures.length,
  };
  process.stdout.write(`\n[fuzz] ${JSON.stringify(figures)}\n`);
  if (process.env.FUZZ_DEBUG) process.stdout.write(`[fuzz] timing ${JSON.stringify([...timing].map(([f, [n, ms]]) => [f, n, Math.round(ms / n)]))}\n`);
  if (failures.length) process.stdout.write(`[fuzz] first failures:\n${failures.slice(0, 10).map((f) => JSON.stringify(f).slice(0, 1500)).join('\n')}\n`);
  expect(failures.slice(0, 5)).toEqual([]);
  expect(bystanderWorst).toBeLessThan(BYSTANDER_MAX_MS);
  expect(covered.size).toBe(targets.length);
}, (SECONDS + 120) * 1000);
