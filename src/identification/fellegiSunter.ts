import { BIRTH_SAME_MONTH, BIRTH_SWAPPED, BIRTH_YEAR_SHIFTED, FIELDS, FAMILY_DIFFERENT, FAMILY_OCR, FAMILY_PARTIAL, F_BIRTH, F_FAMILY, F_GIVEN, F_PATRONYMIC, F_PLACE, FAMILY_SIMILAR, GIVEN_PARTIAL, PATRONYMIC_DIFFERENT, compare, surnameInitialAgrees, type Comparison, type Person } from './compare';
import { sexlessParts } from './names';

/** Fellegi–Sunter parameters: per field and level, m = P(level | match) and u = P(level | non-match); λ = P(match) among blocked pairs. */
export interface ModelParams {
  lambda: number;
  m: number[][];
  u: number[][];
  /**
   * Weight (bits) of a birth date missing on either side. λ is the prior of a pair born within a year of each other
   * (blocking asks for that, and u comes from such pairs); a pair without a date was never held to it, so it is drawn
   * from a population larger by 1 / (the share of pairs that pass the year condition), and its prior is that much
   * lower. Absent (0) in models stored before it, and in the starting parameters, whose λ is not a random pair's.
   */
  birthMissing?: number;
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
 * Where EM starts (and what a sample too small to estimate from keeps): agreement levels likely among matches and
 * rare among random pairs. Not a model to score with: see STARTING_MODEL.
 */
export const DEFAULT_PARAMS: ModelParams = {
  lambda: 0.05,
  m: [
    [0.54, 0.25, 0.1, 0.01, 0.07, 0.03],
    [0.49, 0.1, 0.15, 0.01, 0.08, 0.17],
    [0.85, 0.1, 0.05],
    [0.45, 0.08, 0.04, 0.06, 0.2, 0.08, 0.02, 0.02, 0.01, 0.04],
    [0.98, 0.02],
    [0.75, 0.15, 0.1],
  ],
  u: [
    [0.02, 0.005, 0.01, 0.0005, 0.05, 0.9145],
    [0.001, 0.002, 0.004, 0.0002, 0.03, 0.9628],
    [0.02, 0.03, 0.95],
    [0.0003, 0.0003, 0.002, 0.0005, 0.07, 0.0004, 0.01, 0.13, 0.0035, 0.7803],
    [0.5, 0.5],
    [0.05, 0.05, 0.9],
  ],
};

/**
 * The model that scores before `npm run match` has estimated one from the hub's own data (version 0). m, u and the
 * weight of a missing birth date are the average of the models estimated on the three benchmark worlds (`npm run
 * bench:linkage`, seed 42: the default world at 20,000 / 200,000, `--world alt` and `--world blind` at 5,000 / 50,000).
 * The prior is that of a random pair, so it depends on how many children there are to match: λ × children came out
 * at 0.31–0.34 in all three (the share of traces that are of a reported child, over the pairs a trace can form), so
 * λ is 0.33 / children (`startingParams`). The hand-set parameters used before (λ 0.05, a prior among blocked pairs)
 * made 30 % of LIKELY candidates false at 5,000 / 50,000 until a first full run. The OCR levels (a name misread by a
 * scanner, added after those models) are set by hand: m 0.003 / 0.004, u 0.0002 / 0.0001 (given name / surname), taken
 * from the EXACT level's m and the DIFFERENT level's u.
 */
export const STARTING_MODEL = {
  share: 0.33,
  m: [
    [0.8518, 0.1172, 0.02608, 0.003, 0.0009981, 0.0009981],
    [0.8333, 0.01635, 0.04589, 0.004, 0.004528, 0.09592],
    [0.9833, 0.008982, 0.007708],
    [0.5984, 0.02249, 0.0379, 0.0708, 0.2066, 0.04327, 0.004662, 0.008574, 0.001404, 0.005967],
    [0.999, 0.0009992],
    [0.9791, 0.01561, 0.005324],
  ],
  u: [
    [0.01955, 0.001722, 0.001911, 0.0002, 0.04358, 0.933],
    [0.003483, 0.0003717, 0.0008633, 0.0001, 0.009935, 0.9852],
    [0.04865, 0.00983, 0.9415],
    [0.0007781, 0.0002642, 0.003883, 0.002221, 0.08092, 0.001389, 0.004338, 0.1559, 0.01495, 0.7354],
    [0.5025, 0.4975],
    [0.04839, 0.007508, 0.9441],
  ],
  birthMissing: -2.1,
};

/** The starting model's parameters for a hub with `children` children (see STARTING_MODEL). */
export function startingParams(children: number): ModelParams {
  const { share, m, u, birthMissing } = STARTING_MODEL;
  return { lambda: Math.min(0.5, share / Math.max(1, children)), m, u, birthMissing };
}

const log2 = Math.log2;

/** Match weight of one field at one level: log2(m/u); 0 when the value is missing on either side (the birth date: `birthMissing`). */
export function fieldWeight(p: ModelParams, field: number, level: number): number {
  if (level < 0) return field === F_BIRTH ? p.birthMissing ?? 0 : 0;
  return log2(p.m[field][level] / p.u[field][level]);
}

/** The total match weight of a comparison, prior included. */
export function matchWeight(p: ModelParams, levels: Int8Array): number {
  let w = log2(p.lambda / (1 - p.lambda));
  for (let f = 0; f < FIELDS.length; f++) w += fieldWeight(p, f, levels[f]);
  return w;
}

/** Whether stored parameters fit today's fields and levels (a model estimated before a level was added does not). */
export function fitsFields(p: ModelParams): boolean {
  return [p.m, p.u].every((rows) => Array.isArray(rows) && rows.length === FIELDS.length && rows.every((r, f) => Array.isArray(r) && r.length === FIELDS[f].levels.length));
}

/** How often a surname (by skeleton and by spelling key) and a given-name key occur among the traces (term frequencies). */
export interface TermFrequencies {
  family: Map<string, number>;
  familyKey: Map<string, number>;
  given: Map<string, number>;
  /** Traces by their surname skeleton's first letter (counted when a trace in scope writes its surname as an initial). */
  initial?: Map<string, number>;
  total: number;
}

/**
 * m of a surname initial that agrees: how often a trace that writes a child's surname as its initial writes its
 * first letter (a typo or another transliteration of the letter now and then). Its u is counted, the share of traces
 * whose surname begins so: agreeing on К (a tenth of surnames) says 3 bits, on Ю 7.
 */
export const SURNAME_INITIAL_M = 0.95;

/** The weight of a surname initial that agrees (bits), or null when the pair has none. */
export function surnameInitialWeight(c: Comparison, tf: TermFrequencies | null): number | null {
  if (c.levels[F_FAMILY] !== -1 || !surnameInitialAgrees(c.variant, c.traceVariant)) return null;
  const n = tf?.initial?.get(c.traceVariant.familySkel[0]);
  if (!tf || !n) return 0;
  return Math.max(0, Math.min(TF_MAX_BONUS, log2(SURNAME_INITIAL_M / (n / tf.total))));
}

/**
 * Term-frequency adjustment of an agreeing name (as Splink does it): agreeing on "Мельник" or "Олександр"
 * says less than agreeing on a rare name, so the weight uses that name's own frequency in place of the
 * level's average u. Bounded, so one rare spelling cannot carry a pair alone.
 */
/** Upper bound of the term-frequency bonus (bits): the prior is that of a random pair, so a rare name needs room to show. */
export const TF_MAX_BONUS = 8;

/**
 * Bonus (bits) of a mistyped surname that no other trace spells so. Measured at 20,000 / 200,000: among POSSIBLE
 * pairs with a mistyped surname, 0.86 were true when the trace's spelling was its own, 0.1 when other traces shared it.
 */
export const TYPO_UNIQUE_BONUS = 3;

export function tfAdjustment(p: ModelParams, c: Comparison, tf: TermFrequencies | null): number[] {
  const adj = FIELDS.map(() => 0);
  if (!tf || tf.total === 0) return adj;
  const t = c.traceVariant;
  const one = (field: number, level: number, count: number | undefined) => {
    const freq = Math.max(count ?? 1, 1) / tf.total;
    adj[field] = Math.max(-4, Math.min(TF_MAX_BONUS, log2(p.u[field][level] / freq)));
  };
  if (c.levels[F_FAMILY] === 0) one(F_FAMILY, 0, tf.familyKey.get(t.familyKey));
  if (c.levels[F_FAMILY] === 1) one(F_FAMILY, 1, tf.family.get(t.familySkel));
  // A surname one typo from the child's (SIMILAR on the spelling key, PARTIAL on the skeleton) that no other trace
  // carries is a misspelling; one that other traces carry too is the name of another family. The level's weight is
  // the average of both.
  // A surname misread by a scanner (OCR) is as much the trace's own as a typo.
  if ((c.levels[F_FAMILY] === FAMILY_SIMILAR || c.levels[F_FAMILY] === FAMILY_OCR) && (tf.familyKey.get(t.familyKey) ?? 1) <= 1) adj[F_FAMILY] = TYPO_UNIQUE_BONUS;
  if (c.levels[F_FAMILY] === FAMILY_PARTIAL && (tf.family.get(t.familySkel) ?? 1) <= 1) adj[F_FAMILY] = TYPO_UNIQUE_BONUS;
  adj[F_FAMILY] += surnameInitialWeight(c, tf) ?? 0;
  const g = c.levels[F_GIVEN];
  if (g === 0 || g === 1) {
    // A Саша of unknown sex is as common as the boys' and the girls' name together.
    const parts = sexlessParts(t.givenKey);
    one(F_GIVEN, g, parts ? parts.reduce((n, k) => n + (tf.given.get(k) ?? 0), 0) : tf.given.get(t.givenKey));
    // The frequency is that of the name's key, which both levels share (Павло and Павел, Олександр and Александр): the
    // m that goes with it is that of agreeing on the key, EXACT or EQUIVALENT. Whether a name's Russian form has
    // another skeleton is the name's own (Павел does, Александр does not), not evidence: with the level's own m, every
    // Павло found as Павел weighed 2 bits less than an Олександр found as Александр.
    adj[F_GIVEN] += log2((p.m[F_GIVEN][0] + p.m[F_GIVEN][1]) / p.m[F_GIVEN][g]);
  }
  return adj;
}

/**
 * Least weight (bits) of a differing patronymic when the surname differs too. The model takes the fields as
 * independent, and m of a differing patronymic is learnt from pairs that share the surname, where it is a slip
 * (−6 to −10 bits). An adoption that gives the child a new surname may give it the adoptive father's patronymic with
 * it (the Russian Family Code allows both): among pairs whose surname differs the two disagreements can be one event,
 * and the second then costs far less than the model says. Measured on the three bench worlds (5,000 / 50,000 and
 * 20,000 / 200,000): blind LIKELY F1 +0.003 (renamed children whose given name, birth day and place agree), alt and
 * default unchanged. It never makes such a pair LIKELY without the birth day and the place (`isRenamedPattern`).
 */
export const RENAMED_PATRONYMIC_FLOOR = -4;

/** What the independence of the fields gets wrong for a pair, as adjustments per field (see RENAMED_PATRONYMIC_FLOOR). */
export function dependenceAdjustment(p: ModelParams, levels: Int8Array): number[] {
  const adj = FIELDS.map(() => 0);
  if (levels[F_FAMILY] >= FAMILY_PARTIAL && levels[F_PATRONYMIC] === PATRONYMIC_DIFFERENT) {
    adj[F_PATRONYMIC] = Math.max(0, RENAMED_PATRONYMIC_FLOOR - fieldWeight(p, F_PATRONYMIC, PATRONYMIC_DIFFERENT));
  }
  return adj;
}

/** A pair's comparison, its term-frequency and dependence adjustments and its total weight (prior included). */
export function weighPair(p: ModelParams, tf: TermFrequencies | null, child: Person, trace: Person): { c: Comparison; adj: number[]; w: number } {
  const c = compare(child, trace);
  return { c, ...weighComparison(p, tf, c) };
}

/** The adjustments and the total weight (prior included) of a comparison made already. */
export function weighComparison(p: ModelParams, tf: TermFrequencies | null, c: Comparison): { adj: number[]; w: number } {
  // A trace read with its names swapped pays no penalty: that reading wins only when the given field agrees with the
  // child's surname and the family field with its given name, which is itself the evidence of a swap (1 bit off cost
  // nothing and gained nothing in the blind world; 0.93 of the traces that get the reading there are swapped).
  const dep = dependenceAdjustment(p, c.levels);
  const adj = tfAdjustment(p, c, tf).map((x, f) => x + dep[f]);
  return { adj, w: matchWeight(p, c.levels) + adj.reduce((a, b) => a + b, 0) };
}

export function probability(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/**
 * A sibling or twin shares the surname, patronymic, place and perhaps birth date, and differs in the given
 * name. The fields are not independent there (the model's assumption), so a pair whose given names differ
 * (or are merely alike: Віра / Кіра) while the surnames agree is a hard negative: never proposed.
 */
export function isSiblingPattern(levels: Int8Array): boolean {
  return levels[F_GIVEN] >= GIVEN_PARTIAL && levels[F_FAMILY] >= 0 && levels[F_FAMILY] < FAMILY_PARTIAL;
}

/**
 * A child renamed on adoption (or a surname mangled past one typo): the surname differs, but the given name, the
 * birth day (exact, day and month swapped, or the same day and month a year off) and the patronymic or the place of
 * birth agree; or, when one side knows the birth date to the month only (a family that does not remember the day
 * against the registry's full date), the month and both the patronymic and the place. A namesake from another
 * family agrees on all of that only by a rare coincidence, which the model's weights price; a sibling differs in the
 * given name. A month with the patronymic alone is left to a person: a common given name and patronymic meet in every
 * month, and asking for a rarer given name instead of the place won 4 true pairs for 1 false in the blind world and
 * nothing in the other two.
 */
export function isRenamedPattern(levels: Int8Array): boolean {
  if (!(levels[F_GIVEN] >= 0 && levels[F_GIVEN] < GIVEN_PARTIAL && levels[F_FAMILY] >= FAMILY_PARTIAL)) return false;
  const patronymic = levels[F_PATRONYMIC] === 0;
  const place = levels[F_PLACE] >= 0 && levels[F_PLACE] <= 1;
  const b = levels[F_BIRTH];
  if (b === BIRTH_SAME_MONTH) return patronymic && place;
  return b >= 0 && (b <= BIRTH_SWAPPED || b === BIRTH_YEAR_SHIFTED) && (patronymic || place);
}

/**
 * Whether the names agree well enough for LIKELY: given names at least SIMILAR and surnames at least alike
 * (PARTIAL: a typo the one-edit level misses, Моорз / Мороз; or missing), or a renamed child. The probability decides the rest.
 */
export function mayBeLikely(levels: Int8Array): boolean {
  if (isSiblingPattern(levels) || levels[F_GIVEN] >= GIVEN_PARTIAL) return false;
  return levels[F_FAMILY] < FAMILY_DIFFERENT || isRenamedPattern(levels);
}

/**
 * The band of a scored pair, or null (not stored). A pair whose given names differ is never LIKELY, nor one whose
 * surnames differ without the birth day and the patronymic or place to show a renamed child: a namesake born the
 * same day looks just like a child renamed on adoption, and only a person can tell them apart.
 */
export function bandOf(levels: Int8Array, prob: number, thresholds: { likely: number; possible: number }, shared = prob): Band | null {
  if (isSiblingPattern(levels)) return null;
  // LIKELY on the probability shared with the trace's rivals (the trace is one child's), POSSIBLE on the pair's own.
  // Names without a birth day, patronymic or place need no stronger odds: the prior is that of a random pair and
  // the names are term-frequency weighted, so how many namesakes a name has is in the probability already (a
  // tenfold bar for them cost 3 points of recall for 0.6 of precision).
  if (shared >= thresholds.likely && mayBeLikely(levels)) return 'LIKELY';
  if (prob >= thresholds.possible) return 'POSSIBLE';
  return null;
}

/** Per-field explanation of a score: level, weight and the two values compared. */
export function explain(p: ModelParams, c: Comparison, child: Person, trace: Person, adj: number[] = []): FieldExplanation[] {
  // The trace's reading compared: a swapped one shows its family field as the given name and the reverse.
  const t = c.traceVariant;
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
    level: c.levels[i] >= 0 ? f.levels[c.levels[i]] : i === F_FAMILY && surnameInitialAgrees(c.variant, t) ? 'INITIAL' : 'MISSING',
    weight: Math.round((fieldWeight(p, i, c.levels[i]) + (adj[i] ?? 0)) * 100) / 100,
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
 * Expectation–maximisation of m and λ over pairs with u held fixed (u comes from random pairs, as Splink
 * recommends: among random pairs almost none match). Fields in `fixed` are left out and keep their starting m:
 * the pairs were blocked on them, so they agree by construction and say nothing here (Splink's training
 * sessions do the same).
 */
export function estimateM(pairs: Int8Array[], u: number[][], start: ModelParams = DEFAULT_PARAMS, fixed: number[] = [], iterations = 25): ModelParams {
  let m = start.m.map((r) => [...r]);
  let lambda = start.lambda;
  const post = new Float64Array(pairs.length);
  for (let it = 0; it < iterations; it++) {
    const params = { lambda, m, u, birthMissing: start.birthMissing };
    let sum = 0;
    for (let k = 0; k < pairs.length; k++) {
      // Blocked fields are left out of the E-step: they agree by construction and would make every pair a match.
      let w = log2(lambda / (1 - lambda));
      for (let f = 0; f < FIELDS.length; f++) if (!fixed.includes(f)) w += fieldWeight(params, f, pairs[k][f]);
      post[k] = probability(w);
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
    m = next.map((r, f) => (fixed.includes(f) ? m[f] : r.map((x) => x / totals[f])));
    lambda = Math.min(0.99, Math.max(1e-6, sum / Math.max(1, pairs.length)));
  }
  return { lambda, m, u, birthMissing: start.birthMissing };
}

/** λ for a set of pairs under fixed m and u: the mean posterior, iterated. */
export function estimateLambda(pairs: Int8Array[], params: ModelParams, iterations = 20): number {
  let lambda = params.lambda;
  for (let it = 0; it < iterations; it++) {
    let sum = 0;
    for (const lv of pairs) sum += probability(matchWeight({ ...params, lambda }, lv));
    lambda = Math.min(0.99, Math.max(1e-6, sum / Math.max(1, pairs.length)));
  }
  return lambda;
}
