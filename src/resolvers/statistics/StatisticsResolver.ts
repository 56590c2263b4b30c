import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { Statistics, StatisticsDimension, StatisticsFilter } from '../../schema/statistics/types';
import { StatisticsService } from '../../services/statistics/StatisticsService';

@Resolver(() => Statistics)
export class StatisticsResolver {
  @Authorized()
  @Query(() => Statistics, { description: 'Aggregate case figures with small-cell suppression (ANALYST, COORDINATOR); unsuppressed: COORDINATOR only, audited' })
  statistics(
    @Ctx() ctx: Context,
    @Arg('filter', () => StatisticsFilter, { nullable: true }) filter: StatisticsFilter | undefined,
    @Arg('unsuppressed', () => Boolean, { nullable: true, defaultValue: false }) unsuppressed: boolean,
  ): Promise<Statistics> {
    return StatisticsService.statistics(ctx, filter, unsuppressed);
  }

  @Authorized()
  @Query(() => String, { description: 'One table of `statistics` as CSV text: key,count,suppressed (suppressed counts empty), then TOTAL' })
  statisticsCsv(
    @Ctx() ctx: Context,
    @Arg('dimension', () => StatisticsDimension) dimension: StatisticsDimension,
    @Arg('filter', () => StatisticsFilter, { nullable: true }) filter: StatisticsFilter | undefined,
    @Arg('unsuppressed', () => Boolean, { nullable: true, defaultValue: false }) unsuppressed: boolean,
  ): Promise<string> {
    return StatisticsService.csv(ctx, filter, dimension, unsuppressed);
  }
}
