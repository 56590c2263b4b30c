import crypto from 'node:crypto';
import fs from 'node:fs';
import { verifyBag } from '../src/audit/bagVerify';

/*
 * npm run bag:verify -- DIR [--public-key FILE]
 *
 * Validates a dossier bag offline: BagIt structure, manifests and Payload-Oxum, every audit entry's hash and
 * inclusion proof, the checkpoint's Ed25519 signature (against --public-key when given, the key the verifier
 * trusts, else the key in the bag), and every original against its recorded SHA-256. Exit 0 when valid.
 */
async function main(argv: string[]): Promise<number> {
  const dir = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--public-key');
  if (!dir) {
    process.stderr.write('usage: npm run bag:verify -- DIR [--public-key FILE]\n');
    return 2;
  }
  const k = argv.indexOf('--public-key');
  const trustedPublicKey = k >= 0 ? crypto.createPublicKey(fs.readFileSync(argv[k + 1])) : undefined;
  const r = await verifyBag(dir, { trustedPublicKey });
  if (r.ok) {
    process.stdout.write(`VALID: ${dir}: ${r.payloadFiles} payload files, ${r.originals} originals, ${r.auditEntries} audit entries proven against checkpoint ${r.checkpoint?.size} (${r.checkpoint?.root})\n`);
    if (!trustedPublicKey) process.stdout.write('note: the signature was checked with the key inside the bag; pass --public-key with the key you obtained independently\n');
    return 0;
  }
  process.stdout.write(`INVALID: ${dir}\n${r.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }).catch((e) => { process.stderr.write(`bag:verify: ${(e as Error).message}\n`); process.exitCode = 2; });
}
