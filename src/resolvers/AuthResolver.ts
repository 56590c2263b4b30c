import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { User } from '../entities';
import { AuthPayload } from '../schema/payloads';
import { AuthService } from '../services/AuthService';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Exchange email and password for a bearer token' })
  login(@Ctx() ctx: Context, @Arg('email') email: string, @Arg('password') password: string): Promise<AuthPayload> {
    return AuthService.login(ctx, email, password);
  }

  @Authorized()
  @Query(() => User, { description: 'The signed-in user' })
  me(@Ctx() ctx: Context): User {
    return ctx.user!;
  }
}
