import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Organization, User } from '../entities';
import { Role } from '../schema/enums';
import { UserService } from '../services/users/UserService';

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Mutation(() => User, { description: 'Replace a user\'s roles (ORG_ADMIN of the user\'s organization; not your own; only roles your organization\'s kind may grant)' })
  setUserRoles(@Ctx() ctx: Context, @Arg('userId', () => ID) userId: string, @Arg('roles', () => [Role]) roles: Role[]): Promise<User> {
    return UserService.setRoles(ctx, userId, roles);
  }

  @Authorized()
  @Mutation(() => User, { description: 'Deactivate or reactivate a user (ORG_ADMIN of the user\'s organization; not yourself); takes effect on their next request' })
  setUserActive(@Ctx() ctx: Context, @Arg('userId', () => ID) userId: string, @Arg('active') active: boolean): Promise<User> {
    return UserService.setActive(ctx, userId, active);
  }

  @FieldResolver(() => Organization, { nullable: true })
  organization(@Ctx() ctx: Context, @Root() user: User): Promise<Organization | null> {
    // A user always sees its own organization, also in the login response (an anonymous request).
    if (user.organization) return Promise.resolve(user.organization);
    return ctx.loaders.organization.load(user.organizationId);
  }
}
