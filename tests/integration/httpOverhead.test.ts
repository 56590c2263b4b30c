import { startTestApp, type TestApp } from '../helpers/testApp';

/*
 * The per-request work cut around execution (issue 11, src/http/apolloExpress.ts): a POST's answer is written
 * without express's ETag hashing, with the same status, content type and length as before; a GET keeps its ETag.
 */

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(async () => { await t.stop(); });

test('a POST answer: JSON with its exact length, charset and request id, and no ETag', async () => {
  const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
  const body = await res.text();
  expect(res.status).toBe(200);
  expect(JSON.parse(body)).toEqual({ data: { __typename: 'Query' } });
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
  expect(res.headers.get('etag')).toBeNull();
  expect(res.headers.get('x-request-id')).toBeTruthy();
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
});

test('a POST refused before execution keeps its status and error shape', async () => {
  const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ nope }' }) });
  const body = await res.json() as { errors: { extensions: { code: string } }[] };
  expect(res.status).toBe(400);
  expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
});

test('a GET query keeps express\'s ETag and its query string reaches Apollo', async () => {
  const res = await fetch(`${t.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': '1' } });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  expect(res.headers.get('etag')).toMatch(/^W\//);
});
