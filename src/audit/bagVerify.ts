import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { entryHash, keyIdOf, verifyCheckpointSignature, verifyInclusion, type AuditEntryRecord, type SignedCheckpoint } from './chain';

/*
 * Offline validation of a dossier bag: BagIt (RFC 8493) structure, completeness and fixity, then the audit
 * evidence inside it (each entry's hash, its RFC 6962 inclusion proof against the signed checkpoint, the
 * Ed25519 signature) and each original against its item's recorded SHA-256.
 */

export interface BagReport {
  ok: boolean;
  problems: string[];
  payloadFiles: number;
  auditEntries: number;
  originals: number;
  checkpoint?: SignedCheckpoint;
}

async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? walk(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

function readManifest(file: string, problems: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, line] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.trim()) continue;
    const m = /^([0-9a-f]{64})\s+(.+)$/.exec(line);
    if (!m) { problems.push(`${path.basename(file)} line ${i + 1} is malformed`); continue; }
    out.set(decodeURIComponent(m[2].replace(/%(?!0A|0D|25)/gi, '%25')), m[1]);
  }
  return out;
}

export async function verifyBag(bag: string, opts: { trustedPublicKey?: crypto.KeyObject } = {}): Promise<BagReport> {
  const problems: string[] = [];
  const report: BagReport = { ok: false, problems, payloadFiles: 0, auditEntries: 0, originals: 0 };
  const bagit = path.join(bag, 'bagit.txt');
  if (!fs.existsSync(bagit)) { problems.push('bagit.txt is missing'); return report; }
  const decl = fs.readFileSync(bagit, 'utf8');
  if (!/^BagIt-Version: \d+\.\d+\r?\n/.test(decl) || !/Tag-File-Character-Encoding: UTF-8/.test(decl)) problems.push('bagit.txt does not declare BagIt-Version and Tag-File-Character-Encoding');
  const manifestFile = path.join(bag, 'manifest-sha256.txt');
  if (!fs.existsSync(manifestFile)) { problems.push('manifest-sha256.txt is missing'); return report; }
  const manifest = readManifest(manifestFile, problems);
  const payload = fs.existsSync(path.join(bag, 'data')) ? walk(path.join(bag, 'data')).map((p) => `data/${p}`) : [];
  for (const p of payload) if (!manifest.has(p)) problems.push(`${p} is in the payload but not in the manifest`);
  let bytes = 0;
  for (const [p, hash] of manifest) {
    const file = path.join(bag, ...p.split('/'));
    if (!p.startsWith('data/') || p.includes('..')) { problems.push(`manifest names ${p} outside data/`); continue; }
    if (!fs.existsSync(file)) { problems.push(`${p} is in the manifest but missing`); continue; }
    bytes += fs.statSync(file).size;
    if ((await sha256File(file)) !== hash) problems.push(`${p} does not match its SHA-256 in the manifest`);
  }
  report.payloadFiles = manifest.size;
  const info = fs.existsSync(path.join(bag, 'bag-info.txt')) ? fs.readFileSync(path.join(bag, 'bag-info.txt'), 'utf8') : '';
  const oxum = /^Payload-Oxum: (\d+)\.(\d+)$/m.exec(info);
  if (oxum && (Number(oxum[1]) !== bytes || Number(oxum[2]) !== manifest.size)) problems.push(`Payload-Oxum ${oxum[1]}.${oxum[2]} does not match ${bytes}.${manifest.size}`);
  const tagFile = path.join(bag, 'tagmanifest-sha256.txt');
  if (fs.existsSync(tagFile)) {
    for (const [p, hash] of readManifest(tagFile, problems)) {
      const file = path.join(bag, p);
      if (!fs.existsSync(file)) problems.push(`tag file ${p} is missing`);
      else if ((await sha256File(file)) !== hash) problems.push(`tag file ${p} does not match tagmanifest-sha256.txt`);
    }
  }

  // The audit evidence.
  const cpFile = path.join(bag, 'data', 'audit', 'checkpoint.json');
  const keyFile = path.join(bag, 'data', 'audit', 'public-key.pem');
  if (!fs.existsSync(cpFile) || !fs.existsSync(keyFile)) {
    problems.push('data/audit/checkpoint.json or public-key.pem is missing');
  } else {
    const cp = JSON.parse(fs.readFileSync(cpFile, 'utf8')) as SignedCheckpoint;
    report.checkpoint = cp;
    const bagKey = crypto.createPublicKey(fs.readFileSync(keyFile));
    const key = opts.trustedPublicKey ?? bagKey;
    if (opts.trustedPublicKey && keyIdOf(opts.trustedPublicKey) !== keyIdOf(bagKey)) problems.push('the bag\'s public key is not the trusted key given with --public-key');
    if (cp.keyId !== keyIdOf(key) || !verifyCheckpointSignature(cp, key)) problems.push(`checkpoint ${cp.size}: the signature does not verify`);
    const entriesFile = path.join(bag, 'data', 'audit', 'entries.jsonl');
    const lines = fs.existsSync(entriesFile) ? fs.readFileSync(entriesFile, 'utf8').split('\n').filter(Boolean) : [];
    for (const line of lines) {
      const e = JSON.parse(line) as AuditEntryRecord & { proof: { leafIndex: number; treeSize: number; path: string[] } };
      const { proof, ...entry } = e;
      if (entryHash(entry) !== entry.hash) { problems.push(`audit entry ${entry.seq}: its content does not give its hash`); continue; }
      if (String(proof.treeSize) !== cp.size || proof.leafIndex !== Number(entry.seq) - 1 || !verifyInclusion(entry.hash, proof.leafIndex, proof.treeSize, proof.path, cp.root)) {
        problems.push(`audit entry ${entry.seq}: the inclusion proof does not verify against checkpoint ${cp.size}`);
      }
      report.auditEntries++;
    }
  }
  // Each original against the hash the hub recorded when it streamed in.
  const evDir = path.join(bag, 'data', 'evidence');
  if (fs.existsSync(evDir)) {
    for (const id of fs.readdirSync(evDir)) {
      const item = JSON.parse(fs.readFileSync(path.join(evDir, id, 'item.json'), 'utf8')) as { sha256: string | null };
      const origDir = path.join(evDir, id, 'original');
      if (!fs.existsSync(origDir)) continue;
      for (const f of fs.readdirSync(origDir)) {
        report.originals++;
        if ((await sha256File(path.join(origDir, f))) !== item.sha256) problems.push(`evidence ${id}: the original does not have the SHA-256 recorded for the item`);
      }
    }
  }
  report.ok = problems.length === 0;
  return report;
}
