import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createOrg, createUser } from '../factories';
import { CREATE_EVIDENCE, upload } from '../factories/evidence';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { contentPath } from '../../src/services/evidence/evidenceStore';
import { RAW_BODY_MIN_BYTES } from '../../src/http/rawBody';
import { OrganizationKind, Role } from '../../src/schema/enums';

/**
 * Large uploads through the hub: a Content-Length body of 1 MiB or more is read past Node's HTTP parser
 * (src/http/rawBody.ts) into the store's pooled blocks. Same outcomes as the streamed path: hashed, stored
 * content-addressed, mismatch refused, nothing left behind on abort; the connection closes after the answer.
 */
let t: TestApp;
let dir: string;
let token: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-upload-'));
  t = await startTestApp({ env: { DATA_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0', EVIDENCE_MAX_BYTES: String(64 << 20) } });
  const org = await createOrg(t.app.deps.dataSource, OrganizationKind.PROSECUTOR);
  token = (await createUser(t.app, org, [Role.INVESTIGATOR])).token;
});
afterAll(async () => {
  await t?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function newItem(): Promise<string> {
  const ev = await t.gql(CREATE_EVIDENCE, { i: { kind: 'VIDEO', title: `upload ${crypto.randomUUID()}` } }, token);
  expect(ev.errors).toBeUndefined();
  return ev.data!.createEvidenceItem.id;
}
const tmpFiles = () => (fs.existsSync(path.join(dir, 'evidence', 'tmp')) ? fs.readdirSync(path.join(dir, 'evidence', 'tmp')) : []);
const contentUrl = (id: string) => new URL(t.url.replace(/\/graphql$/, `/evidence/${id}/content`));

/** POST with http.request (Content-Length), the body in pieces; returns status, headers and JSON body. */
function post(id: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const u = contentUrl(id);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: false, headers: {
      authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'content-length': String(body.length), ...headers,
    } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (let at = 0; at < body.length; at += 300_000) req.write(body.subarray(at, at + 300_000));
    req.end();
  });
}

test('a large upload is read past the parser, hashed, stored content-addressed, recorded; the connection closes after', async () => {
  const id = await newItem();
  const body = crypto.randomBytes(5 * RAW_BODY_MIN_BYTES + 777);
  const sha = crypto.createHash('sha256').update(body).digest('hex');
  const r = await post(id, body, { 'x-content-sha256': sha, 'x-file-name': 'film.mp4' });
  expect(r.status).toBe(201);
  expect(r.headers.connection).toBe('close');
  expect(r.body).toMatchObject({ id, sha256: sha, sizeBytes: body.length, originalFileName: 'film.mp4', mediaType: 'video/mp4' });
  const file = contentPath(path.join(dir, 'evidence'), sha);
  expect(fs.readFileSync(file).equals(body)).toBe(true);
  expect(fs.statSync(file).mode & 0o222).toBe(0);
  expect(tmpFiles()).toEqual([]);
  const q = await t.gql('query($id: ID!) { evidenceItem(id: $id) { sha256 sizeBytes custody { kind sha256 } } }', { id }, token);
  expect(q.data!.evidenceItem).toMatchObject({ sha256: sha, sizeBytes: body.length });
  expect(q.data!.evidenceItem.custody.filter((c: any) => c.kind === 'RECEIVED')).toEqual([{ kind: 'RECEIVED', sha256: sha }]);
  // The hub answers the next request (a new connection) as usual.
  const again = await post(id, body);
  expect(again.status).toBe(409);
});

test('a large upload whose bytes do not match the declared hash is refused (the client reads the 422) and not linked', async () => {
  const id = await newItem();
  const body = crypto.randomBytes(3 * RAW_BODY_MIN_BYTES);
  const r = await post(id, body, { 'x-content-sha256': 'b'.repeat(64) });
  expect(r.status).toBe(422);
  expect(r.body.error.code).toBe('BAD_USER_INPUT');
  const q = await t.gql('query($id: ID!) { evidenceItem(id: $id) { sha256 } }', { id }, token);
  expect(q.data!.evidenceItem.sha256).toBeNull();
  expect(tmpFiles()).toEqual([]);
});

test('a client that goes away mid-body leaves no partial file and no content on the item', async () => {
  const id = await newItem();
  const u = contentUrl(id);
  const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: false, headers: {
    authorization: `Bearer ${token}`, 'content-length': String(8 * RAW_BODY_MIN_BYTES),
  } });
  req.on('error', () => undefined);
  req.write(crypto.randomBytes(3 * RAW_BODY_MIN_BYTES));
  // Until the hub holds a temporary file for it, then cut.
  for (let i = 0; i < 200 && tmpFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(tmpFiles().length).toBe(1);
  req.destroy();
  for (let i = 0; i < 200 && tmpFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(tmpFiles()).toEqual([]);
  const q = await t.gql('query($id: ID!) { evidenceItem(id: $id) { sha256 } }', { id }, token);
  expect(q.data!.evidenceItem.sha256).toBeNull();
});

test('a chunked upload (no Content-Length) and a small one still go through the parser, with keep-alive', async () => {
  const id = await newItem();
  const body = crypto.randomBytes(2 * RAW_BODY_MIN_BYTES);
  const sha = crypto.createHash('sha256').update(body).digest('hex');
  const stream = new ReadableStream({ start(c) { c.enqueue(body.subarray(0, 1000)); c.enqueue(body.subarray(1000)); c.close(); } });
  const res = await fetch(contentUrl(id), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-content-sha256': sha }, body: stream, duplex: 'half' } as RequestInit);
  expect(res.status).toBe(201);
  expect(res.headers.get('connection')).not.toBe('close');
  expect(((await res.json()) as any).sha256).toBe(sha);
  const small = await upload(t, await newItem(), Buffer.from('a small statement'), token);
  expect(small.status).toBe(201);
});
