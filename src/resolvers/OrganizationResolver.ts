import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { Organization } from '../entities';
import { OrganizationService } from '../services/OrganizationService';

@Resolver(() => Organization)
export class OrganizationResolver {
  @Authorized()
  @Query(() => [Organization])
  organizations(@Ctx() ctx: Context): Promise<Organization[]> {
    return OrganizationService.list(ctx);
  }
}
