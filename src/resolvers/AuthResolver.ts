import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { contextFor, loadStaffScope, type Context } from '../context';
import { User } from '../entities';
import { AuthPayload } from '../schema/payloads';
import { AuthService } from '../services/AuthService';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Exchange email and password for a bearer token' })
  async login(@Ctx() ctx: Context, @Arg('email') email: string, @Arg('password') password: string): Promise<AuthPayload> {
    const payload = await AuthService.login(ctx, email, password);
    // The rest of this response is read as the user who just proved its password (as with its token):
    // its own account is a record like any other, behind the field guard.
    const signedIn = contextFor(ctx.deps, payload.user, Math.floor(payload.expiresAt.getTime() / 1000), await loadStaffScope(ctx.deps, payload.user));
    Object.assign(ctx, { user: signedIn.user, principal: signedIn.principal, ability: signedIn.ability, loaders: signedIn.loaders, tokenExpiresAt: signedIn.tokenExpiresAt });
    return payload;
  }

  @Authorized()
  @Query(() => User, { description: 'The signed-in user' })
  me(@Ctx() ctx: Context): User {
    return ctx.user!;
  }
}
