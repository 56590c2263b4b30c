import crypto from 'node:crypto';

/**
 * Opaque event ids. Case events are numbered by one sequence across all cases, so the numbers a reader
 * receives would show, by their gaps, how much happens on cases it may not see. Clients get instead one
 * AES-256 block holding the number and a MAC of it, under a key derived from the hub's secret (the same on
 * every instance): the ids carry no order and no gap, cannot be forged or altered, and every instance can
 * turn one back into the position to resume from. See docs/subscriptions.md.
 */
export class EventIdCodec {
  private readonly cipherKey: Buffer;
  private readonly macKey: Buffer;

  constructor(secret: string) {
    const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', secret, 'bkb-hub', info, 32));
    this.cipherKey = derive('case event ids: cipher');
    this.macKey = derive('case event ids: mac');
  }

  private tag(n: Buffer): Buffer {
    return crypto.createHmac('sha256', this.macKey).update(n).digest().subarray(0, 8);
  }

  encode(id: bigint | string): string {
    const n = Buffer.alloc(8);
    n.writeBigUInt64BE(BigInt(id));
    const c = crypto.createCipheriv('aes-256-ecb', this.cipherKey, null).setAutoPadding(false);
    return Buffer.concat([c.update(Buffer.concat([n, this.tag(n)])), c.final()]).toString('base64url');
  }

  /** The event number inside an id this hub gave out; null for anything else. */
  decode(opaque: string): bigint | null {
    if (!/^[A-Za-z0-9_-]{22}$/.test(opaque)) return null;
    const block = Buffer.from(opaque, 'base64url');
    if (block.length !== 16) return null;
    const d = crypto.createDecipheriv('aes-256-ecb', this.cipherKey, null).setAutoPadding(false);
    const plain = Buffer.concat([d.update(block), d.final()]);
    const n = plain.subarray(0, 8);
    if (!crypto.timingSafeEqual(plain.subarray(8), this.tag(n))) return null;
    return n.readBigUInt64BE();
  }
}
