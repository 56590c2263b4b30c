import { stringify } from 'csv-stringify/sync';
import type { Context } from '../../context';
import { badInput, forbidden, unauthenticated } from '../../errors';
import { CaseStatus, Sex } from '../../schema/enums';
import { OBLASTS } from '../../schema/oblasts';
import {
  AGE_BANDS, DurationStatistic, Statistics, StatisticsCell, StatisticsDimension, type StatisticsFilter, StatisticsTable,
} from '../../schema/statistics/types';
import { auditUnsuppressedStatistics } from './audit';
import { protectOneWay, protectTwoWay } from './suppression';

const D = StatisticsDimension;
const DAY_MS = 86_400_000;

/** One case as statistics see it: its value on every dimension, and the dates of its steps. */
export interface StatRecord {
  values: Record<StatisticsDimension, string>;
  reportedAt: Date;
  identifiedAt: Date | null;
  locatedAt: Date | null;
  returnedAt: Date | null;
}

/** Filter field → dimension; every filter names a published dimension. */
const FILTER_FIELDS: [keyof StatisticsFilter, StatisticsDimension][] = [
  ['status', D.STATUS], ['homeOblast', D.HOME_OBLAST], ['ageBand', D.AGE_BAND], ['sex', D.SEX], ['deportationYear', D.DEPORTATION_YEAR], ['lastKnownCountry', D.LAST_KNOWN_COUNTRY],
];

export function ageBand(birthDate: string, today = new Date().toISOString().slice(0, 10)): string {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = today.split('-').map(Number);
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  return age <= 5 ? '0-5' : age <= 11 ? '6-11' : age <= 17 ? '12-17' : '18+';
}

/** The values a dimension takes: fixed lists where there is one, else the values present (sorted). */
export function domainOf(dim: StatisticsDimension, records: StatRecord[]): string[] {
  const seen = [...new Set(records.map((r) => r.values[dim]))];
  const fixed: Partial<Record<StatisticsDimension, readonly string[]>> = {
    [D.STATUS]: Object.values(CaseStatus), [D.SEX]: Object.values(Sex), [D.AGE_BAND]: AGE_BANDS, [D.HOME_OBLAST]: [...OBLASTS, 'UNKNOWN'],
  };
  const base = fixed[dim];
  if (base) return [...base, ...seen.filter((v) => !base.includes(v)).sort()];
  return seen.sort();
}

function transpose<T>(m: T[][]): T[][] {
  return m.length === 0 ? [] : m[0].map((_, j) => m.map((row) => row[j]));
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return Math.round(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
}

/** The only filter dimension and value, or none; more than one is refused (differencing). */
export function filterOf(filter: StatisticsFilter | undefined): { dim: StatisticsDimension; value: string } | null {
  const set = FILTER_FIELDS.filter(([f]) => filter?.[f] !== undefined && filter?.[f] !== null);
  if (set.length > 1) {
    throw badInput(`filter.${set[1][0]}`, 'statistics take at most one filter field: combining filters would let suppressed cells be recovered by differencing');
  }
  if (set.length === 0) return null;
  const [field, dim] = set[0];
  return { dim, value: String(filter![field]) };
}

/**
 * Computes the published figures from the records: one-way tables without a filter; with a filter on
 * dimension A = v, row v of each two-way table A × B, protected as a whole (see suppression.ts).
 */
export function computeStatistics(records: StatRecord[], filter: StatisticsFilter | undefined, k: number, suppress: boolean): Statistics {
  const f = filterOf(filter);
  const dims = Object.values(StatisticsDimension);
  const domains = new Map(dims.map((d) => [d, domainOf(d, records)]));
  const oneWay = new Map(dims.map((d) => {
    const dom = domains.get(d)!;
    const idx = new Map(dom.map((v, i) => [v, i]));
    const counts = dom.map(() => 0);
    for (const r of records) counts[idx.get(r.values[d])!]++;
    const prot = suppress ? protectOneWay({ counts, total: records.length }, k) : { suppressed: counts.map(() => false), totalSuppressed: false };
    return [d, { counts, ...prot }];
  }));
  /**
   * The two-way table A × B with its suppression pattern, always protected in one orientation (dimension
   * order) and transposed for the other, so that the slices A = a and B = b show one and the same pattern.
   */
  const twoWay = (a: StatisticsDimension, b: StatisticsDimension): { cells: number[][]; sup: boolean[][] } => {
    if (dims.indexOf(a) > dims.indexOf(b)) {
      const t = twoWay(b, a);
      return { cells: transpose(t.cells), sup: transpose(t.sup) };
    }
    const rowsDom = domains.get(a)!;
    const colsDom = domains.get(b)!;
    const rowIdx = new Map(rowsDom.map((v, i) => [v, i]));
    const colIdx = new Map(colsDom.map((v, i) => [v, i]));
    const cells = rowsDom.map(() => colsDom.map(() => 0));
    for (const r of records) cells[rowIdx.get(r.values[a])!][colIdx.get(r.values[b])!]++;
    const oa = oneWay.get(a)!;
    const ob = oneWay.get(b)!;
    const sup = suppress
      ? protectTwoWay({ cells, rowTotals: oa.counts, colTotals: ob.counts, total: records.length, rowTotalSuppressed: oa.suppressed, colTotalSuppressed: ob.suppressed }, k)
      : cells.map((x) => x.map(() => false));
    return { cells, sup };
  };
  const cell = (key: string, count: number, suppressed: boolean): StatisticsCell => Object.assign(new StatisticsCell(), { key, count: suppressed ? null : count, suppressed });
  const grand = records.length;
  const grandSuppressed = suppress && grand > 0 && grand < k;
  const tables: StatisticsTable[] = [];
  let total = grand;
  let totalSuppressed = grandSuppressed;
  let population = records;
  if (!f) {
    for (const d of dims) {
      const o = oneWay.get(d)!;
      tables.push(Object.assign(new StatisticsTable(), {
        dimension: d, total: grandSuppressed ? null : grand, totalSuppressed: grandSuppressed,
        cells: domains.get(d)!.map((v, i) => cell(v, o.counts[i], o.suppressed[i])),
      }));
    }
  } else {
    const row = domains.get(f.dim)!.indexOf(f.value) >= 0 ? domains.get(f.dim)!.indexOf(f.value) : undefined;
    const a = oneWay.get(f.dim)!;
    population = records.filter((r) => r.values[f.dim] === f.value);
    total = population.length;
    totalSuppressed = row === undefined ? false : a.suppressed[row];
    for (const d of dims) {
      if (d === f.dim) continue;
      const colsDom = domains.get(d)!;
      const t = twoWay(f.dim, d);
      tables.push(Object.assign(new StatisticsTable(), {
        dimension: d, total: totalSuppressed ? null : total, totalSuppressed,
        cells: colsDom.map((v, j) => cell(v, row === undefined ? 0 : t.cells[row][j], row === undefined ? false : t.sup[row][j])),
      }));
    }
  }
  const durations = [
    duration('REPORT_TO_IDENTIFICATION', population.map((r) => (r.identifiedAt ? r.identifiedAt.getTime() - r.reportedAt.getTime() : null)), k, suppress),
    duration('LOCATION_TO_RETURN', population.map((r) => (r.locatedAt && r.returnedAt ? r.returnedAt.getTime() - r.locatedAt.getTime() : null)), k, suppress),
  ];
  return Object.assign(new Statistics(), {
    threshold: k, suppressionApplied: suppress, total: totalSuppressed ? null : total, totalSuppressed, tables, durations,
  });
}

/** Quartiles in whole days, published only over at least 2k cases (a quantile of a few cases describes those few). */
function duration(measure: string, ms: (number | null)[], k: number, suppress: boolean): DurationStatistic {
  const days = ms.filter((v): v is number => v !== null && v >= 0).map((v) => v / DAY_MS).sort((x, y) => x - y);
  const suppressed = days.length === 0 || (suppress && days.length < 2 * k);
  return Object.assign(new DurationStatistic(), {
    measure, suppressed,
    medianDays: suppressed ? null : quantile(days, 0.5), q1Days: suppressed ? null : quantile(days, 0.25), q3Days: suppressed ? null : quantile(days, 0.75),
  });
}

/** Figures for advocacy: ANALYST and COORDINATOR read suppressed figures; only COORDINATOR, audited, unsuppressed ones. */
export class StatisticsService {
  static async statistics(ctx: Context, filter: StatisticsFilter | undefined, unsuppressed = false): Promise<Statistics> {
    if (!ctx.user) throw unauthenticated();
    if (!ctx.ability.can('read', 'Statistics')) throw forbidden('Statistics are for analysts and the coordination council');
    if (unsuppressed) {
      if (!ctx.ability.can('read', 'UnsuppressedStatistics')) throw forbidden('Only the coordination council may read unsuppressed statistics');
      await auditUnsuppressedStatistics(ctx, filter);
    }
    filterOf(filter);
    return computeStatistics(await StatisticsService.records(ctx), filter, ctx.deps.config.statisticsThreshold, !unsuppressed);
  }

  /** One table of `statistics` as CSV (key,count,suppressed); suppressed counts are empty. */
  static async csv(ctx: Context, filter: StatisticsFilter | undefined, dimension: StatisticsDimension, unsuppressed = false): Promise<string> {
    const stats = await StatisticsService.statistics(ctx, filter, unsuppressed);
    const table = stats.tables.find((t) => t.dimension === dimension);
    if (!table) throw badInput('dimension', 'is the filtered dimension: its table is the filter itself');
    return stringify([
      [dimension.toLowerCase(), 'count', 'suppressed'],
      ...table.cells.map((c) => [c.key, c.count === null ? '' : String(c.count), c.suppressed ? 'true' : 'false']),
      ['TOTAL', table.total === null ? '' : String(table.total), table.totalSuppressed ? 'true' : 'false'],
    ]);
  }

  /**
   * Every case, reduced to its statistical values (not filtered by CASL: aggregates are the product). The
   * return date is the reintegration plan's (the day the child came back), else the first RETURNED event.
   */
  static async records(ctx: Context): Promise<StatRecord[]> {
    const rows: {
      status: string; home_oblast: string | null; birth_date: string; sex: string; dep_year: number | null; country: string | null;
      created_at: Date; identified_at: Date | null; located_at: Date | null; returned_at: Date | null;
    }[] = await ctx.em.query(
      `SELECT c.status, ch.home_oblast, to_char(ch.birth_date, 'YYYY-MM-DD') AS birth_date, ch.sex,
              extract(year FROM c.deportation_date)::int AS dep_year, c.last_known_country AS country, c.created_at,
              ev.identified_at, ev.located_at, COALESCE(p.returned_on::timestamptz, ev.returned_at) AS returned_at
         FROM case_file c JOIN child ch ON ch.id = c.child_id
         LEFT JOIN reintegration_plan p ON p.case_id = c.id
         LEFT JOIN LATERAL (
           SELECT min(e.at) FILTER (WHERE e.to_status = 'IDENTIFIED') AS identified_at,
                  min(e.at) FILTER (WHERE e.to_status = 'LOCATED') AS located_at,
                  min(e.at) FILTER (WHERE e.to_status = 'RETURNED') AS returned_at
             FROM case_event e WHERE e.case_id = c.id) ev ON TRUE`,
    );
    const today = new Date().toISOString().slice(0, 10);
    return rows.map((r) => ({
      values: {
        [D.STATUS]: r.status,
        [D.HOME_OBLAST]: r.home_oblast ?? 'UNKNOWN',
        [D.AGE_BAND]: ageBand(r.birth_date, today),
        [D.SEX]: r.sex,
        [D.DEPORTATION_YEAR]: r.dep_year === null ? 'UNKNOWN' : String(r.dep_year),
        [D.LAST_KNOWN_COUNTRY]: r.country ?? 'UNKNOWN',
        [D.RETURN_MONTH]: r.returned_at ? new Date(r.returned_at).toISOString().slice(0, 7) : 'NOT_RETURNED',
      },
      reportedAt: new Date(r.created_at),
      identifiedAt: r.identified_at ? new Date(r.identified_at) : null,
      locatedAt: r.located_at ? new Date(r.located_at) : null,
      returnedAt: r.returned_at ? new Date(r.returned_at) : null,
    }));
  }
}
