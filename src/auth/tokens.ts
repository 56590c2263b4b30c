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
  /**
   * Tokens already verified, by their text (issue 11: jose's verification was ~2.5 % of a request's CPU, every
   * request, for the same few tokens). A token's text fixes its claims, and this instance's key verified them, so
   * only the expiry is left to check on each use. Bounded; the oldest go first.
   */
  private readonly verified = new Map<string, TokenClaims>();
  private static readonly MAX_VERIFIED = 10_000;

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
    const known = this.verified.get(token);
    if (known) {
      // As jose decides expiry (`exp <= now`, no tolerance).
      if (known.expiresAt > Math.floor(Date.now() / 1000)) return known;
      this.verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'bkb-hub', algorithms: ['HS256'] });
      if (!payload.sub || !payload.exp) throw unauthenticated('Token has no subject or expiry');
      const claims: TokenClaims = Object.freeze({ userId: payload.sub, expiresAt: payload.exp });
      if (this.verified.size >= TokenService.MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
      return claims;
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
