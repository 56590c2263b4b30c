import {
  type Interval,
  anyOverlap,
  containsInterval,
  intersect,
  normalize,
  overlaps,
  pad,
  subtract,
  totalLength,
  union,
} from '../../../src/scheduling/intervals';
import { createRandom } from '../../../src/scheduling/random';

const iv = (start: number, end: number): Interval => ({ start, end });

describe('overlaps (half-open)', () => {
  it.each([
    [iv(0, 10), iv(5, 15), true],
    [iv(0, 10), iv(10, 20), false],
    [iv(10, 20), iv(0, 10), false],
    [iv(0, 10), iv(2, 3), true],
    [iv(0, 10), iv(0, 10), true],
    [iv(0, 0), iv(0, 10), false],
    [iv(5, 5), iv(0, 10), false],
  ])('%p vs %p → %p', (a, b, expected) => {
    expect(overlaps(a, b)).toBe(expected);
    expect(overlaps(b, a)).toBe(expected);
  });
});

describe('normalize / union', () => {
  it('sorts, merges overlapping and touching intervals, drops empty ones', () => {
    expect(normalize([iv(20, 30), iv(0, 10), iv(10, 15), iv(12, 14), iv(40, 40)])).toEqual([iv(0, 15), iv(20, 30)]);
  });
  it('unions several lists', () => {
    expect(union([iv(0, 5)], [iv(3, 8), iv(10, 12)], [])).toEqual([iv(0, 8), iv(10, 12)]);
    expect(union()).toEqual([]);
  });
  it('does not mutate its input', () => {
    const input = [iv(0, 10), iv(5, 20)];
    normalize(input);
    expect(input).toEqual([iv(0, 10), iv(5, 20)]);
  });
});

describe('subtract', () => {
  it.each([
    [[iv(0, 10)], [iv(3, 5)], [iv(0, 3), iv(5, 10)]],
    [[iv(0, 10)], [iv(0, 10)], []],
    [[iv(0, 10)], [iv(-5, 3), iv(8, 20)], [iv(3, 8)]],
    [[iv(0, 10)], [iv(10, 20)], [iv(0, 10)]],
    [[iv(0, 10), iv(20, 30)], [iv(5, 25)], [iv(0, 5), iv(25, 30)]],
    [[iv(0, 10)], [], [iv(0, 10)]],
    [[], [iv(0, 10)], []],
    [[iv(0, 100)], [iv(10, 20), iv(30, 40), iv(50, 60)], [iv(0, 10), iv(20, 30), iv(40, 50), iv(60, 100)]],
  ])('%j − %j = %j', (a, b, expected) => {
    expect(subtract(a, b)).toEqual(expected);
  });
});

describe('intersect', () => {
  it.each([
    [[iv(0, 10)], [iv(5, 15)], [iv(5, 10)]],
    [[iv(0, 10)], [iv(10, 15)], []],
    [[iv(0, 10), iv(20, 30)], [iv(5, 25)], [iv(5, 10), iv(20, 25)]],
    [[iv(0, 100)], [iv(10, 20), iv(30, 40)], [iv(10, 20), iv(30, 40)]],
    [[], [iv(0, 1)], []],
  ])('%j ∩ %j = %j', (a, b, expected) => {
    expect(intersect(a, b)).toEqual(expected);
    expect(intersect(b, a)).toEqual(expected);
  });
});

describe('containsInterval, anyOverlap, totalLength, pad', () => {
  const list = normalize([iv(0, 10), iv(20, 30), iv(40, 50)]);
  it('finds the enclosing interval by binary search', () => {
    expect(containsInterval(list, iv(20, 30))).toBe(true);
    expect(containsInterval(list, iv(41, 49))).toBe(true);
    expect(containsInterval(list, iv(5, 25))).toBe(false);
    expect(containsInterval(list, iv(10, 12))).toBe(false);
    expect(containsInterval([], iv(0, 1))).toBe(false);
  });
  it('detects any overlap between lists', () => {
    expect(anyOverlap(list, [iv(10, 20)])).toBe(false);
    expect(anyOverlap(list, [iv(29, 31)])).toBe(true);
  });
  it('measures and pads', () => {
    expect(totalLength([iv(0, 10), iv(5, 15)])).toBe(15);
    expect(pad([iv(10, 20), iv(25, 30)], 3)).toEqual([iv(7, 33)]);
    expect(pad([iv(10, 20)], 0, 5)).toEqual([iv(10, 25)]);
  });
});

describe('algebra laws on random lists (checked point by point)', () => {
  const random = createRandom(42);
  const randomList = (): Interval[] =>
    Array.from({ length: Math.floor(random() * 6) }, () => {
      const a = Math.floor(random() * 50);
      return iv(a, a + Math.floor(random() * 15));
    });
  const has = (list: Interval[], t: number): boolean => list.some((i) => i.start <= t && t < i.end);

  it('union, subtract and intersect agree with set semantics on every integer point', () => {
    for (let round = 0; round < 300; round++) {
      const a = randomList();
      const b = randomList();
      const u = union(a, b);
      const d = subtract(a, b);
      const x = intersect(a, b);
      for (const out of [u, d, x]) {
        for (let i = 1; i < out.length; i++) expect(out[i].start).toBeGreaterThan(out[i - 1].end);
      }
      for (let t = -1; t < 70; t++) {
        expect(has(u, t)).toBe(has(a, t) || has(b, t));
        expect(has(d, t)).toBe(has(a, t) && !has(b, t));
        expect(has(x, t)).toBe(has(a, t) && has(b, t));
      }
      expect(totalLength(u)).toBe(totalLength(d) + totalLength(b));
    }
  });
});
