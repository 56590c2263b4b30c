/*
 * Half-open time intervals [start, end) in epoch milliseconds, the same semantics as the
 * database's tstzrange exclusion constraint: touching intervals do not overlap.
 * Every list-returning function returns a normalised list: sorted, non-empty, non-touching.
 */

/** A half-open interval [start, end) in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

/** Builds an interval from two dates. */
export function interval(start: Date | number, end: Date | number): Interval {
  return { start: typeof start === 'number' ? start : start.getTime(), end: typeof end === 'number' ? end : end.getTime() };
}

/** True when two intervals share at least one instant (touching ends do not overlap). */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end && a.start < a.end && b.start < b.end;
}

/** Sorts and merges a list (overlapping or touching intervals coalesce; empty ones vanish). */
export function normalize(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) {
      if (i.end > last.end) last.end = i.end;
    } else {
      out.push({ start: i.start, end: i.end });
    }
  }
  return out;
}

/** Union of any number of interval lists. */
export function union(...lists: readonly (readonly Interval[])[]): Interval[] {
  return normalize(lists.flat());
}

/** Instants in `a` that are not in `b`. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const left = normalize(a);
  const cut = normalize(b);
  const out: Interval[] = [];
  let j = 0;
  for (const i of left) {
    let start = i.start;
    // Skip cuts that end before this interval; they cannot affect later ones either.
    while (j < cut.length && cut[j].end <= start) j++;
    let k = j;
    while (k < cut.length && cut[k].start < i.end) {
      if (cut[k].start > start) out.push({ start, end: cut[k].start });
      if (cut[k].end > start) start = cut[k].end;
      k++;
    }
    if (start < i.end) out.push({ start, end: i.end });
  }
  return out;
}

/** Instants in both `a` and `b`. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const x = normalize(a);
  const y = normalize(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const start = Math.max(x[i].start, y[j].start);
    const end = Math.min(x[i].end, y[j].end);
    if (start < end) out.push({ start, end });
    if (x[i].end < y[j].end) i++;
    else j++;
  }
  return out;
}

/** True when `inner` lies entirely inside one interval of a normalised list (binary search). */
export function containsInterval(list: readonly Interval[], inner: Interval): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = list[mid];
    if (m.end <= inner.start) lo = mid + 1;
    else if (m.start > inner.start) hi = mid - 1;
    else return inner.end <= m.end;
  }
  return false;
}

/** True when any interval of `a` overlaps any interval of `b`. */
export function anyOverlap(a: readonly Interval[], b: readonly Interval[]): boolean {
  return intersect(a, b).length > 0;
}

/** Total length in milliseconds of a list (overlaps counted once). */
export function totalLength(list: readonly Interval[]): number {
  return normalize(list).reduce((sum, i) => sum + (i.end - i.start), 0);
}

/** Widens every interval by `beforeMs` at its start and `afterMs` at its end (e.g. a break around sessions). */
export function pad(list: readonly Interval[], beforeMs: number, afterMs: number = beforeMs): Interval[] {
  return normalize(list.map((i) => ({ start: i.start - beforeMs, end: i.end + afterMs })));
}
