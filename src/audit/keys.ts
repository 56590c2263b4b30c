import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { keyIdOf } from './chain';

/** The audit's Ed25519 key pair (kept in a file, never in the database) and the key that hashes audited values. */
export interface AuditKeys {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  keyId: string;
  publicKeyPem: string;
  /** HMAC key for value hashes, derived from the signing key: a database reader cannot dictionary-attack them. */
  valuesKey: Buffer;
}

/**
 * Loads the signing key from `file` (PKCS#8 PEM), generating it once (mode 0600) when absent and allowed.
 * Production deployments provision the file themselves (e.g. from a secrets manager or an HSM export).
 */
export function loadAuditKeys(file: string, opts: { generate: boolean }): AuditKeys {
  if (!fs.existsSync(file)) {
    if (!opts.generate) throw new Error(`AUDIT_SIGNING_KEY_FILE ${file} does not exist; provision an Ed25519 PKCS#8 PEM key there`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    try {
      fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Another process generated it first: use theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const privateKey = crypto.createPrivateKey(fs.readFileSync(file));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  const publicKey = crypto.createPublicKey(privateKey);
  const raw = privateKey.export({ type: 'pkcs8', format: 'der' });
  const valuesKey = Buffer.from(crypto.hkdfSync('sha256', raw, Buffer.alloc(0), 'bkb-audit-values/1', 32));
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), valuesKey };
}

/** Canonical JSON (object keys sorted) so that equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function valuesHash(keys: Pick<AuditKeys, 'valuesKey'>, values: unknown): string | null {
  if (values === undefined) return null;
  return crypto.createHmac('sha256', keys.valuesKey).update(canonicalJson(values)).digest('hex');
}
