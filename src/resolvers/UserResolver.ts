import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Organization, User } from '../entities';

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => Organization, { nullable: true })
  organization(@Ctx() ctx: Context, @Root() user: User): Promise<Organization | null> {
    // A user always sees its own organization, also in the login response (an anonymous request).
    if (user.organization) return Promise.resolve(user.organization);
    return ctx.loaders.organization.load(user.organizationId);
  }
}
