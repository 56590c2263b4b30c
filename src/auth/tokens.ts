import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { unauthenticated } from '../errors';
import { EventIdCodec } from './eventIds';

export interface TokenClaims {
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** Issues and verifies the hub's bearer tokens (JWT, HS256). */
export class TokenService {
  private readonly key: Uint8Array;
  /** Opaque case event ids, keyed from the same secret (shared by every instance). */
  readonly eventIds: EventIdCodec;

  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = new TextEncoder().encode(secret);
    this.eventIds = new EventIdCodec(secret);
  }

  async issue(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer('bkb-hub')
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** Verifies a token; throws UNAUTHENTICATED with a reason a client can act on. */
  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'bkb-hub', algorithms: ['HS256'] });
      if (!payload.sub || !payload.exp) throw unauthenticated('Token has no subject or expiry');
      return { userId: payload.sub, expiresAt: payload.exp };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw unauthenticated('Token expired: log in again');
      if (e instanceof joseErrors.JOSEError) throw unauthenticated('Invalid token');
      throw e;
    }
  }
}

/**
 * The signing secret: JWT_SECRET when set; in development a random one generated once and kept
 * under the data directory so tokens survive a restart. Production refuses to start without one.
 */
export function resolveJwtSecret(opts: { jwtSecret?: string; dataDir: string; production: boolean }): string {
  if (opts.jwtSecret) return opts.jwtSecret;
  if (opts.production) throw new Error('JWT_SECRET must be set in production');
  const file = path.join(opts.dataDir, 'jwt-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1].trim() : null;
}
