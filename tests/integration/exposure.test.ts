import { createClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import { createOrg, createUser } from '../factories';
import { wsUrl } from '../helpers/ws';
import { startTestApp, StatementCounter, type TestApp } from '../helpers/testApp';
import { Role } from '../../src/schema/enums';

/**
 * An API that is safe to expose: list costs and a resolver budget, no schema for anonymous callers,
 * security headers, CORS, a body limit, Prometheus metrics, and a local GraphiQL that loads nothing from
 * another origin. All seen from the outside, over real HTTP.
 */
let t: TestApp;
let token: string;
const counter = new StatementCounter();
/** The resolver budget: room for one list of every organization (the suite's other files add some), not for three. */
let BUDGET = 0;

beforeAll(async () => {
  const db = new Client({ connectionString: process.env.BKB_TEST_DB_URL });
  await db.connect();
  const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM organization')).rows;
  await db.end();
  BUDGET = 2 * (n + 31) + 50;
  t = await startTestApp({ env: { MAX_RESOLVER_CALLS: String(BUDGET), GATEWAY_SECRET: 'gateway-secret-for-tests' }, queryLogger: counter });
  const org = await createOrg(t.app.deps.dataSource);
  for (let i = 0; i < 30; i++) await createOrg(t.app.deps.dataSource);
  ({ token } = await createUser(t.app, org, [Role.CASE_WORKER]));
});
afterAll(async () => { await t.stop(); });

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: any; errors?: { message: string; extensions: Record<string, any> }[] } };
}
const auth = () => ({ authorization: `Bearer ${token}` });

describe('list costs and the resolver budget', () => {
  test('1,000 aliased `organizations` fields are refused before any SQL of theirs runs', async () => {
    counter.reset();
    const baseline = await post({ query: '{ __typename }' }, auth());
    expect(baseline.body.data).toEqual({ __typename: 'Query' });
    const authOnly = counter.statements.filter((q) => !/FROM case_event WHERE id > \$1/.test(q)).length; // authenticating the token

    counter.reset();
    const query = `{ ${Array.from({ length: 1000 }, (_, i) => `o${i}: organizations { id }`).join(' ')} }`;
    const res = await post({ query }, auth());
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0].extensions.http).toBeUndefined();
    expect(res.body.errors![0].message).toMatch(/too complex/);
    expect(res.body.errors![0].extensions.complexity).toBeGreaterThan(100_000);
    expect(counter.statements.filter((s) => /organization/i.test(s) && !/app_user/.test(s))).toEqual([]);
    // Only authentication ran (and, maybe, the live feed's periodic poll, which is no part of the request).
    expect(counter.statements.filter((q) => !/FROM case_event WHERE id > \$1/.test(q)).length).toBeLessThanOrEqual(authOnly);
  });

  test('one list without `first` runs, and costs a page', async () => {
    const res = await post({ query: '{ organizations { id } }' }, auth());
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.organizations.length).toBeGreaterThan(30);
  });

  test('a request past MAX_RESOLVER_CALLS is refused as a whole with 400 and one clear error', async () => {
    // 3 lists × every organization × 3 fields: cheap by the estimate (each list a page), but past the budget.
    const res = await post({ query: '{ a: organizations { id name kind } b: organizations { id name kind } c: organizations { id name kind } }' }, auth());
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', maximumResolverCalls: BUDGET } });
    expect(res.body.errors![0].message).toMatch(/too many fields/);
    // Below the budget the same shape works.
    expect((await post({ query: '{ organizations { id } }' }, auth())).body.errors).toBeUndefined();
  });
});

describe('the schema is for signed-in callers and the gateway', () => {
  const INTROSPECT = '{ __schema { queryType { name } } }';
  test('anonymous: no introspection, no __type, no _service { sdl }; __typename is fine', async () => {
    for (const query of [INTROSPECT, '{ __type(name: "Case") { fields { name } } }', '{ _service { sdl } }', 'query { ...F } fragment F on Query { __schema { types { name } } }']) {
      const res = await post({ query });
      expect(res.status).toBe(401);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(res.body)).not.toMatch(/CaseStatus|queryType|"Query"/);
    }
    expect((await post({ query: '{ __typename }' })).body.data).toEqual({ __typename: 'Query' });
  });

  test('a signed-in user may introspect and read the SDL', async () => {
    expect((await post({ query: INTROSPECT }, auth())).body.data.__schema.queryType.name).toBe('Query');
    expect((await post({ query: '{ _service { sdl } }' }, auth())).body.data._service.sdl).toMatch(/type Case/);
  });

  test('the gateway with the shared secret reads _service without a user; a wrong secret does not', async () => {
    expect((await post({ query: '{ _service { sdl } }' }, { 'x-gateway-secret': 'gateway-secret-for-tests' })).body.data._service.sdl).toMatch(/type Case/);
    const wrong = await post({ query: '{ _service { sdl } }' }, { 'x-gateway-secret': 'guess' });
    expect(wrong.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('HTTP hardening', () => {
  test('security headers on the API and the other routes', async () => {
    for (const res of [await fetch(t.url.replace('/graphql', '/healthz')), await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  test('outside production CORS allows any origin for bearer-token requests (no cookies)', async () => {
    const res = await fetch(t.url, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  test('a body over the limit gets 413 as a JSON error, and malformed JSON 400, nothing else', async () => {
    const big = await post({ query: `{ __typename } # ${'x'.repeat(17_000_000)}` });
    expect(big.status).toBe(413);
    expect(big.body.errors![0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(big.body.errors![0].message).toMatch(/larger than|too large/);
    const bad = await post('{"query": ');
    expect(bad.status).toBe(400);
    expect(bad.body.errors![0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('GET /metrics (Prometheus)', () => {
  test('requests by operation and outcome, latency, database pool, live subscribers, delivered events', async () => {
    await post({ query: 'query MetricsProbe { organizations { id } }' }, auth());
    await post({ query: 'query MetricsProbe { organizations { id } }' }, auth());
    await post({ query: 'query MetricsDenied { me { id } }' });
    const res = await fetch(t.url.replace('/graphql', '/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/bkb_graphql_requests_total\{operation="MetricsProbe",type="query",outcome="success"\} 2/);
    expect(text).toMatch(/bkb_graphql_requests_total\{operation="MetricsDenied",type="query",outcome="UNAUTHENTICATED"\} 1/);
    expect(text).toMatch(/bkb_graphql_request_duration_seconds_count\{operation="MetricsProbe",type="query"\} 2/);
    expect(text).toMatch(/bkb_db_pool_connections\{state="total"\} [1-9]/);
    expect(text).toMatch(/bkb_live_subscribers 0/);
    expect(text).toMatch(/bkb_live_connections 0/);
    expect(text).toMatch(/bkb_live_events_delivered_total 0/);
    expect(text).toMatch(/process_cpu_seconds_total/);
  });
});

describe('local GraphiQL', () => {
  test('GET /graphql in a browser is GraphiQL from the hub, and neither it nor its assets load another origin', async () => {
    const page = await fetch(t.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    // The browser itself refuses any other origin: every fetch directive is 'self' (plus data: for fonts/images).
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).toMatch(/connect-src 'self';/);
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await page.text();
    expect(html).toMatch(/graphiql\.min\.js/);
    expect(html).toMatch(/id="login"/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/apollographql|embeddable-sandbox|cdn\./i);

    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual(expect.arrayContaining(['graphiql/graphiql.min.js', 'graphiql/graphiql.min.css', 'graphiql/react.production.min.js', 'graphiql/react-dom.production.min.js', 'graphiql/hub.js']));
    for (const asset of assets) {
      const url = new URL(asset, t.url);
      expect(url.origin).toBe(new URL(t.url).origin);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body.length).toBeGreaterThan(100);
      if (asset.endsWith('.css')) {
        // Stylesheets: every url() is a data: URL (fonts are inlined), none an http(s) origin.
        const urls = [...body.matchAll(/url\(\s*['"]?([^'")]+)/g)].map((m) => m[1]);
        expect(urls.filter((u) => !u.startsWith('data:') && !u.startsWith('#'))).toEqual([]);
        expect(body).not.toMatch(/@import/);
      } else if (asset.endsWith('hub.js')) {
        expect(body).not.toMatch(/https?:\/\//);
      } else {
        // Vendor bundles mention URLs in messages and licences; none loads a script, style or font from a CDN.
        expect(body).not.toMatch(/https?:\/\/(unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|fonts\.gstatic\.com|embeddable-sandbox|[a-z.]*apollographql\.com)/);
      }
    }
  });

  test('a client that asks for JSON still gets the API (GET with a query runs it)', async () => {
    const res = await fetch(`${t.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'text/html,*/*;q=0.8', 'apollo-require-preflight': 'true' } });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('production defaults', () => {
  let p: TestApp;
  beforeAll(async () => {
    p = await startTestApp({ env: { NODE_ENV: 'production', CORS_ORIGINS: 'https://frontend.example', METRICS_TOKEN: 'metrics-secret', GATEWAY_SECRET: 'gw' } });
  });
  afterAll(async () => { await p.stop(); });

  test('introspection is off even for signed-in users; the gateway still reads _service', async () => {
    const org = await createOrg(p.app.deps.dataSource);
    const { token: tok } = await createUser(p.app, org, [Role.COORDINATOR]);
    const res = await p.gql('{ __schema { queryType { name } } }', undefined, tok);
    expect(res.data).toBeUndefined();
    expect(res.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const sdl = await fetch(p.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gateway-secret': 'gw' }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
    expect(((await sdl.json()) as any).data._service.sdl).toMatch(/type Case/);
  });

  test('no GraphiQL and no Apollo landing page', async () => {
    const res = await fetch(p.url, { headers: { accept: 'text/html' } });
    const text = await res.text();
    expect(text).not.toMatch(/graphiql|apollographql|embeddable/i);
  });

  test('CORS only for the configured origins', async () => {
    const preflight = (origin: string) => fetch(p.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('https://frontend.example')).headers.get('access-control-allow-origin')).toBe('https://frontend.example');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  test('/metrics needs METRICS_TOKEN; without one configured there is no /metrics in production', async () => {
    const metrics = p.url.replace('/graphql', '/metrics');
    expect((await fetch(metrics)).status).toBe(401);
    expect((await fetch(metrics, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(metrics, { headers: { authorization: 'Bearer metrics-secret' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/bkb_graphql_requests_total/);
    const bare = await startTestApp({ env: { NODE_ENV: 'production' } });
    try {
      const res = await fetch(bare.url.replace('/graphql', '/metrics'));
      expect(res.status).toBe(404);
      expect(await res.text()).not.toMatch(/bkb_|process_cpu/);
    } finally {
      await bare.stop();
    }
  });

  test('over WebSocket too, introspection is off in production', async () => {
    const org = await createOrg(p.app.deps.dataSource);
    const { token: tok } = await createUser(p.app, org, [Role.COORDINATOR]);
    const client = createClient({ url: wsUrl(p.url), webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${tok}` }, retryAttempts: 0 });
    try {
      const result = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: '{ __schema { queryType { name } } }' }, { next: resolve, error: resolve, complete: () => undefined });
      });
      expect(JSON.stringify(result)).toMatch(/GRAPHQL_VALIDATION_FAILED|introspection/i);
      expect(JSON.stringify(result)).not.toMatch(/"queryType":\{/);
    } finally {
      await client.dispose();
    }
  });
});
