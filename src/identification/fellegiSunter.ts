import { FIELDS, FAMILY_PARTIAL, F_FAMILY, F_GIVEN, GIVEN_DIFFERENT, type Comparison, type Person } from './compare';

/** Fellegi–Sunter parameters: per field and level, m = P(level | match) and u = P(level | non-match); λ = P(match) among blocked pairs. */
export interface ModelParams {
  lambda: number;
  m: number[][];
  u: number[][];
}

/** A stored model: its parameters and the version candidates scored with it carry. */
export interface MatchModel extends ModelParams {
  version: number;
}

/** One field's part of a score, as kept with a candidate. */
export interface FieldExplanation {
  field: string;
  level: string;
  weight: number;
  childValue: string | null;
  recordValue: string | null;
}

export type Band = 'LIKELY' | 'POSSIBLE';

/**
 * Starting parameters, used until `npm run match` has estimated a model from the data: agreement levels
 * are likely among matches and rare among random pairs.
 */
export const DEFAULT_PARAMS: ModelParams = {
  lambda: 0.05,
  m: [
    [0.55, 0.25, 0.1, 0.07, 0.03],
    [0.6, 0.15, 0.08, 0.17],
    [0.85, 0.1, 0.05],
    [0.45, 0.08, 0.1, 0.2, 0.12, 0.05],
    [0.98, 0.02],
    [0.75, 0.15, 0.1],
  ],
  u: [
    [0.02, 0.005, 0.01, 0.05, 0.915],
    [0.003, 0.004, 0.03, 0.963],
    [0.02, 0.03, 0.95],
    [0.0003, 0.0003, 0.006, 0.07, 0.14, 0.7834],
    [0.5, 0.5],
    [0.05, 0.05, 0.9],
  ],
};

const log2 = Math.log2;

/** Match weight of one field at one level: log2(m/u); 0 when the value is missing on either side. */
export function fieldWeight(p: ModelParams, field: number, level: number): number {
  if (level < 0) return 0;
  return log2(p.m[field][level] / p.u[field][level]);
}

/** The total match weight of a comparison, prior included. */
export function matchWeight(p: ModelParams, levels: Int8Array): number {
  let w = log2(p.lambda / (1 - p.lambda));
  for (let f = 0; f < FIELDS.length; f++) w += fieldWeight(p, f, levels[f]);
  return w;
}

export function probability(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/**
 * A sibling or twin shares the surname, patronymic, place and perhaps birth date, and differs in the given
 * name. The fields are not independent there (the model's assumption), so a pair whose given names differ
 * while the surnames agree is a hard negative: never proposed.
 */
export function isSiblingPattern(levels: Int8Array): boolean {
  return levels[F_GIVEN] === GIVEN_DIFFERENT && levels[F_FAMILY] >= 0 && levels[F_FAMILY] < FAMILY_PARTIAL;
}

/**
 * The band of a scored pair, or null (not stored). A pair whose given names differ, or whose surnames are
 * neither the same nor a typo apart, is never LIKELY: a namesake born the same day looks just like a child renamed on adoption, and only a person can
 * tell them apart.
 */
export function bandOf(levels: Int8Array, prob: number, thresholds: { likely: number; possible: number }): Band | null {
  if (isSiblingPattern(levels)) return null;
  if (prob >= thresholds.likely && levels[F_GIVEN] !== GIVEN_DIFFERENT && levels[F_FAMILY] < FAMILY_PARTIAL) return 'LIKELY';
  if (prob >= thresholds.possible) return 'POSSIBLE';
  return null;
}

/** Per-field explanation of a score: level, weight and the two values compared. */
export function explain(p: ModelParams, c: Comparison, child: Person, trace: Person): FieldExplanation[] {
  const t = trace.variants[0];
  const values: [string | null, string | null][] = [
    [c.variant.givenName, t.givenName],
    [c.variant.familyName, t.familyName],
    [c.variant.patronymic, t.patronymic],
    [child.birthText, trace.birthText],
    [child.sex, trace.sex],
    [child.placeOfBirth, trace.placeOfBirth],
  ];
  return FIELDS.map((f, i) => ({
    field: f.field,
    level: c.levels[i] < 0 ? 'MISSING' : f.levels[c.levels[i]],
    weight: Math.round(fieldWeight(p, i, c.levels[i]) * 100) / 100,
    childValue: values[i][0],
    recordValue: values[i][1],
  }));
}

/** Level frequencies over a sample of random pairs: u, smoothed so no level has probability 0. */
export function estimateU(samples: Int8Array[]): number[][] {
  return FIELDS.map((f, i) => {
    const counts = f.levels.map(() => 1);
    for (const s of samples) if (s[i] >= 0) counts[s[i]]++;
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => c / total);
  });
}

/**
 * Expectation–maximisation of m and λ over the blocked pairs with u held fixed (u comes from random pairs,
 * as Splink recommends: among random pairs almost none match). Returns the estimated parameters.
 */
export function estimateM(pairs: Int8Array[], u: number[][], start: ModelParams = DEFAULT_PARAMS, iterations = 25): ModelParams {
  let m = start.m.map((r) => [...r]);
  let lambda = start.lambda;
  const post = new Float64Array(pairs.length);
  for (let it = 0; it < iterations; it++) {
    const params = { lambda, m, u };
    let sum = 0;
    for (let k = 0; k < pairs.length; k++) {
      post[k] = probability(matchWeight(params, pairs[k]));
      sum += post[k];
    }
    const next = FIELDS.map((f) => f.levels.map(() => 0.5)); // smoothing
    const totals = FIELDS.map((f) => 0.5 * f.levels.length);
    for (let k = 0; k < pairs.length; k++) {
      const p = post[k];
      const lv = pairs[k];
      for (let f = 0; f < FIELDS.length; f++) {
        if (lv[f] < 0) continue;
        next[f][lv[f]] += p;
        totals[f] += p;
      }
    }
    m = next.map((r, f) => r.map((x) => x / totals[f]));
    lambda = Math.min(0.99, Math.max(1e-6, sum / Math.max(1, pairs.length)));
  }
  return { lambda, m, u };
}
