import argon2 from 'argon2';
import type { Context } from '../context';
import { User } from '../entities';
import { badInput, unauthenticated } from '../errors';
import type { AuthPayload } from '../schema/payloads';

// Verifying against a fixed hash when the email is unknown keeps the response time the same,
// so the endpoint does not reveal which emails have accounts.
let dummyHash: Promise<string> | undefined;

/** Logging in: argon2 password check, then a signed bearer token. */
export class AuthService {
  static async login(ctx: Context, email: string, password: string): Promise<AuthPayload> {
    const normalized = email.trim().toLowerCase();
    if (normalized.length === 0 || normalized.length > 320) throw badInput('email', 'must be an email address');
    if (password.length === 0 || password.length > 1024) throw badInput('password', 'must not be empty');
    // Limits first: a refused attempt costs neither a query nor a password check.
    const attempt = await ctx.deps.loginGuard.begin(normalized, ctx.clientAddress);
    const user = await ctx.em.findOne(User, { where: { email: normalized }, relations: { organization: true } });
    dummyHash ??= argon2.hash('not-a-password');
    const hash = user?.passwordHash ?? (await dummyHash);
    const ok = await ctx.deps.loginGuard.verify(() => argon2.verify(hash, password).catch(() => false));
    if (!user || !ok || !user.active) throw unauthenticated('Wrong email or password');
    await attempt.succeeded();
    const token = await ctx.deps.tokens.issue(user.id);
    const { expiresAt } = await ctx.deps.tokens.verify(token);
    ctx.deps.logger.info({ userId: user.id }, 'login');
    return { token, user, expiresAt: new Date(expiresAt * 1000) };
  }

  static hashPassword(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }
}
