import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Case, Child, Guardian } from '../entities';
import { UpdateChildInput } from '../schema/inputs';
import { CaseService } from '../services/CaseService';
import { readerStamps } from '../services/changeStamps';
import { visibleAliases } from '../auth/identification/traceAccess';
import { identificationLoaders } from '../services/identification/identificationLoaders';

@Resolver(() => Child)
export class ChildResolver {
  @Authorized()
  @Query(() => Child, { nullable: true, description: 'A child, or null when absent or not readable' })
  child(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Child | null> {
    return CaseService.getChild(ctx, id);
  }

  @Authorized()
  @Mutation(() => Child)
  updateChild(@Ctx() ctx: Context, @Arg('input', () => UpdateChildInput) input: UpdateChildInput): Promise<Child> {
    return CaseService.updateChild(ctx, input);
  }

  @FieldResolver(() => [String], { nullable: true, description: 'Other known spellings, e.g. russified names (those from confirmed traces only for readers of its match candidates)' })
  aliases(@Ctx() ctx: Context, @Root() child: Child): Promise<string[] | null> {
    return visibleAliases(ctx, child, (id) => identificationLoaders(ctx).traceAliases.load(id));
  }

  @FieldResolver(() => [Guardian], { nullable: true })
  guardians(@Ctx() ctx: Context, @Root() child: Child): Promise<Guardian[]> {
    return ctx.loaders.guardiansByChild.load(child.id);
  }

  @FieldResolver(() => Int)
  async version(@Ctx() ctx: Context, @Root() child: Child): Promise<number> {
    return (await readerStamps(ctx, 'Child', child)).version;
  }

  @FieldResolver(() => Date, { nullable: true })
  async updatedAt(@Ctx() ctx: Context, @Root() child: Child): Promise<Date> {
    return (await readerStamps(ctx, 'Child', child)).updatedAt;
  }

  @FieldResolver(() => Case, { nullable: true, name: 'case', description: "The child's case, when you may read it" })
  caseOf(@Ctx() ctx: Context, @Root() child: Child): Promise<Case | null> {
    return ctx.loaders.caseByChild.load(child.id);
  }
}
