import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { AvailabilityRule, CarePlan, Centre, Child, Organization, Placement, Room, Specialist } from '../entities';
import { Discipline } from '../schema/enums';
import {
  AddAvailabilityInput, CreatePlacementInput, EndPlacementInput, CreateRoomInput, CreateSpecialistInput, SetCarePlanInput, UpdateCentreInput,
} from '../schema/schedulingInputs';
import { FreeSlot } from '../schema/schedulingPayloads';
import { SchedulingService } from '../services/SchedulingService';

@ArgsType()
class FreeSlotsArgs {
  @Field(() => ID) centreId: string;
  @Field(() => Discipline) discipline: Discipline;
  @Field(() => ID, { nullable: true, description: 'Only specialists suited to this child, inside its placement, clear of its sessions' }) childId?: string | null;
  @Field() from: Date;
  @Field() to: Date;
  @Field(() => Int) durationMinutes: number;
}

@Resolver(() => Centre)
export class CentreResolver {
  @Authorized()
  @Query(() => [Centre], { description: 'The centres you may see' })
  centres(@Ctx() ctx: Context): Promise<Centre[]> {
    return SchedulingService.listCentres(ctx);
  }

  @Authorized()
  @Query(() => Centre, { nullable: true })
  centre(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Centre | null> {
    return SchedulingService.getCentre(ctx, id);
  }

  @Authorized()
  @Query(() => [FreeSlot], { description: 'Starts at which specialists of a discipline are free for the whole duration' })
  freeSlots(@Ctx() ctx: Context, @Args(() => FreeSlotsArgs) args: FreeSlotsArgs): Promise<FreeSlot[]> {
    return SchedulingService.freeSlots(ctx, args);
  }

  @Authorized()
  @Mutation(() => Centre)
  updateCentre(@Ctx() ctx: Context, @Arg('input', () => UpdateCentreInput) input: UpdateCentreInput): Promise<Centre> {
    return SchedulingService.updateCentre(ctx, input);
  }

  @Authorized()
  @Mutation(() => Room)
  createRoom(@Ctx() ctx: Context, @Arg('input', () => CreateRoomInput) input: CreateRoomInput): Promise<Room> {
    return SchedulingService.createRoom(ctx, input);
  }

  @Authorized()
  @Mutation(() => Specialist)
  createSpecialist(@Ctx() ctx: Context, @Arg('input', () => CreateSpecialistInput) input: CreateSpecialistInput): Promise<Specialist> {
    return SchedulingService.createSpecialist(ctx, input);
  }

  @Authorized()
  @Mutation(() => AvailabilityRule)
  addAvailability(@Ctx() ctx: Context, @Arg('input', () => AddAvailabilityInput) input: AddAvailabilityInput): Promise<AvailabilityRule> {
    return SchedulingService.addAvailability(ctx, input);
  }

  @Authorized()
  @Mutation(() => Placement)
  createPlacement(@Ctx() ctx: Context, @Arg('input', () => CreatePlacementInput) input: CreatePlacementInput): Promise<Placement> {
    return SchedulingService.createPlacement(ctx, input);
  }

  @Authorized()
  @Mutation(() => Placement, { description: "Ends a placement (its last day); only the placement's centre may" })
  endPlacement(@Ctx() ctx: Context, @Arg('input', () => EndPlacementInput) input: EndPlacementInput): Promise<Placement> {
    return SchedulingService.endPlacement(ctx, input);
  }

  @Authorized()
  @Mutation(() => CarePlan)
  setCarePlan(@Ctx() ctx: Context, @Arg('input', () => SetCarePlanInput) input: SetCarePlanInput): Promise<CarePlan> {
    return SchedulingService.setCarePlan(ctx, input);
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'The organization operating the centre' })
  organization(@Ctx() ctx: Context, @Root() c: Centre): Promise<Organization | null> {
    return ctx.loaders.organization.load(c.organizationId);
  }

  @FieldResolver(() => [Room])
  rooms(@Ctx() ctx: Context, @Root() c: Centre): Promise<Room[]> {
    return ctx.loaders.scheduling.roomsByCentre.load(c.id);
  }

  @FieldResolver(() => [Specialist])
  specialists(@Ctx() ctx: Context, @Root() c: Centre): Promise<Specialist[]> {
    return ctx.loaders.scheduling.specialistsByCentre.load(c.id);
  }

  @FieldResolver(() => [Placement])
  placements(@Ctx() ctx: Context, @Root() c: Centre): Promise<Placement[]> {
    return ctx.loaders.scheduling.placementsByCentre.load(c.id);
  }

  @FieldResolver(() => [CarePlan])
  carePlans(@Ctx() ctx: Context, @Root() c: Centre): Promise<CarePlan[]> {
    return ctx.loaders.scheduling.carePlansByCentre.load(c.id);
  }
}

@Resolver(() => Placement)
export class PlacementResolver {
  @FieldResolver(() => Child, { nullable: true })
  child(@Ctx() ctx: Context, @Root() p: Placement): Promise<Child | null> {
    return ctx.loaders.child.load(p.childId);
  }

  @FieldResolver(() => Centre, { nullable: true })
  centre(@Ctx() ctx: Context, @Root() p: Placement): Promise<Centre | null> {
    return ctx.loaders.scheduling.centre.load(p.centreId);
  }
}

@Resolver(() => CarePlan)
export class CarePlanResolver {
  @FieldResolver(() => Child, { nullable: true })
  child(@Ctx() ctx: Context, @Root() p: CarePlan): Promise<Child | null> {
    return ctx.loaders.child.load(p.childId);
  }

  @FieldResolver(() => Centre, { nullable: true })
  centre(@Ctx() ctx: Context, @Root() p: CarePlan): Promise<Centre | null> {
    return ctx.loaders.scheduling.centre.load(p.centreId);
  }
}

@Resolver(() => Room)
export class RoomResolver {
  @FieldResolver(() => Centre, { nullable: true })
  centre(@Ctx() ctx: Context, @Root() r: Room): Promise<Centre | null> {
    return ctx.loaders.scheduling.centre.load(r.centreId);
  }
}

@Resolver(() => Specialist)
export class SpecialistResolver {
  @Authorized()
  @Query(() => [Specialist], { description: 'Specialists working at a centre (those you may see)' })
  specialists(@Ctx() ctx: Context, @Arg('centreId', () => ID) centreId: string): Promise<Specialist[]> {
    return SchedulingService.listSpecialists(ctx, centreId);
  }

  @FieldResolver(() => [Centre], { description: 'Centres the specialist works at (those you may see)' })
  async centres(@Ctx() ctx: Context, @Root() s: Specialist): Promise<Centre[]> {
    const ids = await ctx.loaders.scheduling.centreIdsBySpecialist.load(s.id);
    return (await ctx.loaders.scheduling.centre.loadMany(ids)).filter((c): c is Centre => c instanceof Centre);
  }

  @FieldResolver(() => [AvailabilityRule], { description: 'Availability at the centres you may see' })
  async availability(@Ctx() ctx: Context, @Root() s: Specialist): Promise<AvailabilityRule[]> {
    return ctx.loaders.scheduling.availabilityBySpecialist.load(s.id);
  }
}

@Resolver(() => Child)
export class ChildCareResolver {
  @FieldResolver(() => [CarePlan], { description: 'Care plans at the centres (those you may see)' })
  carePlans(@Ctx() ctx: Context, @Root() c: Child): Promise<CarePlan[]> {
    return ctx.loaders.scheduling.carePlansByChild.load(c.id);
  }
}
