import type { TestApp } from '../helpers/testApp';

/** Uploads bytes to POST /evidence/{id}/content; returns the status and JSON body. */
export async function upload(t: TestApp, id: string, body: Buffer, token: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(t.url.replace(/\/graphql$/, `/evidence/${id}/content`), {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', 'x-file-name': 'statement.pdf', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function download(t: TestApp, id: string, token: string | undefined) {
  const res = await fetch(t.url.replace(/\/graphql$/, `/evidence/${id}/content`), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, body: buf, headers: res.headers };
}

export const CREATE_EVIDENCE = `mutation($i: CreateEvidenceItemInput!) { createEvidenceItem(input: $i) { id classification sha256 custody { kind } } }`;
export const CREATE_INCIDENT = `mutation($i: CreateIncidentInput!) { createIncident(input: $i) { id cases { id } } }`;
