import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createApp, formatError, type App } from '../../src/app';
import { requestLogFields } from '../../src/requestScope';
import { AuthService } from '../../src/services/AuthService';
import { createOrg, createUser } from '../factories';
import { startTestApp, testConfig, type TestApp } from '../helpers/testApp';
import { Role } from '../../src/schema/enums';

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  const org = await createOrg(t.app.deps.dataSource);
  token = (await createUser(t.app, org, [Role.CASE_WORKER])).token;
});
afterAll(async () => { await t.stop(); });

interface Raw { status: number; headers: Headers; body: any; text: string }

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, body: json, text };
}
const gqlRaw = (query: string, variables?: unknown, auth: string | undefined = token) =>
  post(t.url, JSON.stringify({ query, variables }), auth ? { authorization: `Bearer ${auth}` } : {});

describe('client mistakes are 4xx, never 500', () => {
  test('a null for a non-null variable is 400 BAD_USER_INPUT', async () => {
    const r = await gqlRaw('query($id: ID!) { case(id: $id) { id } }', { id: null });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  test('a variable of the wrong type is 400 BAD_USER_INPUT', async () => {
    const r = await gqlRaw('query($n: Int) { cases(first: $n) { totalCount } }', { n: 'many' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  test('"Query is too complex" is 400 BAD_USER_INPUT', async () => {
    const q = `{ ${Array.from({ length: 30 }, (_, i) => `c${i}: cases(first: 100) { edges { node { id status version priority child { id givenName familyName latinName birthDate } } } }`).join(' ')} }`;
    const r = await gqlRaw(q);
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors[0].message).toMatch(/too complex/);
  });

  test('"maximum allowed number of nodes" is 400, not 500', async () => {
    const fields = Array.from({ length: 120 }, (_, i) => `f${i}: __typename`).join(' ');
    const q = `fragment F on Organization { ${fields} } { ${Array.from({ length: 100 }, (_, i) => `o${i}: organizations { ...F }`).join(' ')} }`;
    const r = await gqlRaw(q);
    expect(r.status).toBe(400);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(r.body.errors[0].extensions.code);
  });

  test('a chain of 10,000 fragment spreads is refused with 400, and the hub keeps answering', async () => {
    const n = 10_000;
    const defs = Array.from({ length: n }, (_, i) => (i === n - 1 ? `fragment F${i} on Query { me { id } }` : `fragment F${i} on Query { ...F${i + 1} }`));
    const r = await gqlRaw(`{ ...F0 } ${defs.join(' ')}`);
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toMatch(/GRAPHQL_PARSE_FAILED|GRAPHQL_VALIDATION_FAILED/);
    expect((await gqlRaw('{ me { id } }')).status).toBe(200);
  });

  test('a chain of fragments within the token limit is measured without recursion', async () => {
    const chain = (n: number, last = 'me { id }') => Array.from({ length: n }, (_, i) => (i === n - 1 ? `fragment F${i} on Query { ${last} }` : `fragment F${i} on Query { ...F${i + 1} }`));
    const ok = await gqlRaw(`{ ...F0 } ${chain(50).join(' ')}`);
    expect(ok.status).toBe(200);
    expect(ok.body.data?.me?.id).toBeTruthy();
    // About 12,000 tokens: parsed, so every rule sees it; the complexity estimator would overflow on it.
    const n = 1500;
    const long = await gqlRaw(`{ ...F0 } ${chain(n).join(' ')}`);
    expect(long.status).toBe(400);
    expect(long.body.errors[0].message).toMatch(/nests more than 50 fragment spreads/);
    const path = ['cases', 'edges', 'node', ...Array.from({ length: 6 }, () => ['child', 'case']).flat()];
    const deep = chain(50, `${path.join(' { ')} { id ${'} '.repeat(path.length)}`);
    const refused = await gqlRaw(`{ ...F0 } ${deep.join(' ')}`);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].message).toMatch(/exceeds maximum operation depth/);
  });

  test('selection sets nested thousands deep (no fragments) are a 400, not a stack overflow', async () => {
    const n = 5000;
    const r = await gqlRaw(`{ ${'me { organization '.repeat(1)}${'x { '.repeat(n)}id${' }'.repeat(n + 2)}`);
    expect(r.status).toBe(400);
    expect(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']).toContain(r.body.errors[0].extensions.code);
  });

  test('a spread of an unknown fragment and a fragment cycle are validation errors, not crashes', async () => {
    const unknown = await gqlRaw('{ ...Nope }');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const cycle = await gqlRaw('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }');
    expect(cycle.status).toBe(400);
    expect(cycle.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test('a query deeper than the limit is still refused, through fragments too', async () => {
    const r = await gqlRaw('{ ...A } fragment A on Query { cases { edges { node { child { case { ...B } } } } } } fragment B on Case { child { case { child { case { child { case { child { case { id } } } } } } } } }');
    expect(r.status).toBe(400);
    expect(r.body.errors[0].message).toMatch(/exceeds maximum operation depth of 12/);
  });

  test('_entities with a type that is not an entity here is BAD_USER_INPUT naming it', async () => {
    const r = await gqlRaw('query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', { r: [{ __typename: 'Case', id: 'x' }, { __typename: 'Nope', id: 'y' }] });
    expect(r.status).toBe(200);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'representations.1.__typename' });
  });

  test('an invalid token is 401 UNAUTHENTICATED, with WWW-Authenticate', async () => {
    const r = await gqlRaw('{ me { id } }', undefined, 'not-a-token');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(r.body.errors[0].message).not.toMatch(/Context creation/);
  });

  test('a malformed JSON body is a 400 JSON GraphQL error without internals', async () => {
    const r = await post(t.url, '{"query": "{ me { id } }"');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(r.text).not.toMatch(/node_modules|at .*\.js|<html|<pre/i);
  });

  test('a body over the limit is a 413 JSON GraphQL error without internals', async () => {
    const r = await post(t.url, JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(17_000_000) } }));
    expect(r.status).toBe(413);
    expect(r.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(r.body.errors[0].extensions.requestId).toBe(r.headers.get('x-request-id'));
    expect(r.text).not.toMatch(/node_modules|<html|<pre/i);
  });

  test('an unsupported charset is a JSON error too', async () => {
    const r = await post(t.url, '{}', { 'content-type': 'application/json; charset=utf-7' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('request ids', () => {
  test('every response carries x-request-id, and every error its requestId', async () => {
    const r = await gqlRaw('{ case(id: "nope") { id } }');
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: id });
  });

  test('a caller-provided request id is kept (a gateway correlating its logs)', async () => {
    const r = await post(t.url, JSON.stringify({ query: '{ me { id } }' }), { 'x-request-id': 'gateway-req-12345' });
    expect(r.headers.get('x-request-id')).toBe('gateway-req-12345');
  });

  test('unknown errors are masked outside production too, and logged with the request id', () => {
    const logged: unknown[] = [];
    const logger = { error: (...a: unknown[]) => logged.push(a), warn: () => undefined } as never;
    const fmt = formatError({ ...t.config, production: false }, logger);
    const out = fmt({ message: 'relation "secret_table" does not exist', path: ['cases'], extensions: {} }, new Error('relation "secret_table" does not exist'));
    expect(out).toEqual({ message: 'Internal server error', path: ['cases'], locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged).toHaveLength(1);
  });

  test('database errors become domain errors without the database text', () => {
    const logger = { error: () => undefined, warn: () => undefined } as never;
    const fmt = formatError(t.config, logger);
    const unique = Object.assign(new Error('duplicate key value violates unique constraint "UQ_specialist_user"'), { code: '23505', name: 'error' });
    const out = fmt({ message: unique.message, extensions: {} }, { originalError: { driverError: unique } });
    expect(out.extensions?.code).toBe('CONFLICT');
    expect(JSON.stringify(out)).not.toMatch(/UQ_|constraint|duplicate key/);
    const badText = Object.assign(new Error('invalid input syntax for type timestamp with time zone: "x"'), { code: '22007', name: 'error' });
    const out2 = fmt({ message: badText.message, extensions: {} }, badText);
    expect(out2.extensions?.code).toBe('BAD_USER_INPUT');
    expect(out2.message).not.toMatch(/timestamp|syntax/);
  });
});

describe('request-scoped logs', () => {
  let app: App;
  let url: string;
  const lines: any[] = [];
  beforeAll(async () => {
    const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
    app = await createApp(testConfig(), { databaseUrl: process.env.BKB_TEST_DB_URL, logger: pino({ level: 'info', mixin: requestLogFields }, sink) });
    url = await app.start(0);
  });
  afterAll(async () => { await app.stop(); });

  test('every line logged while serving a request carries its request id and operation name; the user by id only', async () => {
    const org = await createOrg(app.deps.dataSource);
    const { user } = await createUser(app, org, [Role.CASE_WORKER]);
    await app.deps.dataSource.query('UPDATE app_user SET password_hash = $1 WHERE id = $2', [await AuthService.hashPassword('correct horse'), user.id]);
    const r = await post(url, JSON.stringify({ query: 'mutation SignIn($e: String!) { login(email: $e, password: "correct horse") { token } }', variables: { e: user.email } }));
    expect(r.body.data.login.token).toBeTruthy();
    const rid = r.headers.get('x-request-id');
    const line = lines.find((l) => l.msg === 'login');
    expect(line).toMatchObject({ requestId: rid, operationName: 'SignIn', userId: user.id });
    expect(JSON.stringify(lines)).not.toContain(user.email);
  });
});

describe('probes', () => {
  test('/healthz is liveness; /readyz checks the database', async () => {
    const base = t.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, checks: { database: 'ok' } });
  });
});

/** A TCP proxy in front of the test database that can be cut and restored: the database "goes down". */
class CuttableProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); s.on('error', () => undefined); }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

describe('database outage', () => {
  let app: App;
  let url: string;
  let proxy: CuttableProxy;
  const lines: any[] = [];

  beforeAll(async () => {
    const db = new URL(process.env.BKB_TEST_DB_URL!);
    proxy = new CuttableProxy({ host: db.hostname, port: Number(db.port || 5432) });
    await proxy.open();
    db.hostname = '127.0.0.1';
    db.port = String(proxy.port);
    const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
    const logger = pino({ level: 'warn', mixin: requestLogFields }, sink);
    app = await createApp(testConfig(), { databaseUrl: db.toString(), logger });
    url = await app.start(0);
  });
  afterAll(async () => {
    await app.stop().catch(() => undefined);
    // The proxy was opened again for the recovery: close it, or its listening socket keeps the process alive.
    await proxy.cut();
  });

  test('while the database is down: 503 SERVICE_UNAVAILABLE with Retry-After, /readyz 503, /healthz 200; then it recovers', async () => {
    const base = url.replace(/\/graphql$/, '');
    const ask = (auth?: string) => post(url, JSON.stringify({ query: '{ me { id } organizations { id } }' }), auth ? { authorization: `Bearer ${auth}` } : {});
    const orgId = (await app.deps.dataSource.query('SELECT id FROM organization LIMIT 1'))[0]?.id ?? (await createOrg(app.deps.dataSource)).id;
    const user = (await createUser(app, { id: orgId } as never, [Role.COORDINATOR])).token;
    expect((await ask(user)).status).toBe(200);

    await proxy.cut();
    const authed = await ask(user);
    expect(authed.status).toBe(503);
    expect(authed.headers.get('retry-after')).toBe('5');
    expect(authed.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(authed.text).not.toMatch(/ECONNREFUSED|Context creation|127\.0\.0\.1/);
    const anonymous = await post(url, JSON.stringify({ query: 'mutation { login(email: "a@b.cd", password: "x") { token } }' }));
    expect(anonymous.status).toBe(503);
    expect(anonymous.body.errors.every((e: any) => e.extensions.code === 'SERVICE_UNAVAILABLE')).toBe(true);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // The log has the full error, under the request id the client got.
    const rid = authed.body.errors[0].extensions.requestId;
    expect(lines.some((l) => l.requestId === rid && l.err)).toBe(true);

    await proxy.open();
    let last: Raw | undefined;
    for (let i = 0; i < 20; i++) {
      last = await ask(user);
      if (last.status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last!.status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  }, 60_000);
});
