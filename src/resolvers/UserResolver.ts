import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Organization, User } from '../entities';

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => Organization, { nullable: true })
  organization(@Ctx() ctx: Context, @Root() user: User): Promise<Organization | null> {
    return ctx.loaders.organization.load(user.organizationId);
  }
}
