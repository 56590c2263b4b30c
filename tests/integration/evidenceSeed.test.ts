import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../src/app';
import { testConfig } from '../helpers/testApp';
import { createOwnDatabase } from '../helpers/ownDatabase';
import { parseVerifyArgs, runAuditVerify } from '../../scripts/auditVerify';
import { download } from '../factories/evidence';

/** First start with the demo world: an investigator sees a dossier (incidents, evidence with files, custody) and the audit verifies. */
let app: App;
let db: { url: string; drop: () => Promise<void> };
let dir: string;
let url: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-evseed-'));
  db = await createOwnDatabase('evseed');
  app = await createApp(testConfig({ DATA_DIR: dir, DEMO_SEED: 'true', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' }), { databaseUrl: db.url });
  url = await app.start(0);
}, 120000);
afterAll(async () => {
  await app?.stop();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function login(email: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `mutation { login(email: "${email}", password: "bkb-demo") { token } }` }) });
  return ((await res.json()) as any).data.login.token;
}

async function gql(query: string, token: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: any[] };
}

test('the investigator sees every demo incident and item, with files that download and a custody log', async () => {
  const token = await login('investigator@demo.bkb');
  const r = await gql('{ incidents(first: 100) { totalCount edges { node { id cases { id } evidence { id sha256 custody { kind } } } } } evidenceItems { totalCount } }', token);
  expect(r.errors).toBeUndefined();
  expect(r.data.incidents.totalCount).toBe(16);
  expect(r.data.evidenceItems.totalCount).toBe(32);
  const first = r.data.incidents.edges[0].node;
  expect(first.cases.length).toBeGreaterThanOrEqual(2);
  expect(first.evidence[0].custody.map((c: any) => c.kind)).toEqual(['CAPTURED', 'RECEIVED']);
  const d = await download({ url } as never, first.evidence[0].id, token);
  expect(d.status).toBe(200);
});

test('the coordinator sees only the CONFIDENTIAL items; a case worker only its own organization\'s', async () => {
  const c = await gql('{ evidenceItems { totalCount edges { node { classification } } } }', await login('coordinator@demo.bkb'));
  expect(c.data.evidenceItems.totalCount).toBeGreaterThan(0);
  expect(c.data.evidenceItems.edges.every((e: any) => e.node.classification === 'CONFIDENTIAL')).toBe(true);
  const w2 = await gql('{ evidenceItems { totalCount } }', await login('case_worker2@demo.bkb'));
  expect(w2.data.evidenceItems.totalCount).toBe(0);
});

test('the seeded audit log verifies against its published checkpoint', async () => {
  const r = await runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'audit-checkpoints')], {}), () => undefined);
  expect(r).toMatchObject({ ok: true, checkpointsVerified: 1 });
  expect(r.entries).toBeGreaterThan(60);
});
