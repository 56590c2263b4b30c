import { determinedColumns, determinedUnknowns, protectOneWay, protectTwoWay, type TwoWay } from '../../../src/services/statistics/suppression';

const K = 5;

/** mulberry32: the same random tables every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function table(cells: number[][]): TwoWay {
  const rowTotals = cells.map((r) => r.reduce((s, v) => s + v, 0));
  const colTotals = cells[0].map((_, j) => cells.reduce((s, r) => s + r[j], 0));
  const total = rowTotals.reduce((s, v) => s + v, 0);
  return {
    cells, rowTotals, colTotals, total,
    rowTotalSuppressed: protectOneWay({ counts: rowTotals, total }, K).suppressed,
    colTotalSuppressed: protectOneWay({ counts: colTotals, total }, K).suppressed,
  };
}

describe('one-way tables', () => {
  test('a lone small cell gets a partner, and the suppressed cells hold at least the threshold', () => {
    const r = protectOneWay({ counts: [40, 3, 12, 0, 30], total: 85 }, K);
    expect(r.suppressed).toEqual([false, true, true, false, false]);
  });

  test('zeros are published and never used as partners', () => {
    expect(protectOneWay({ counts: [0, 2, 0, 50], total: 52 }, K).suppressed).toEqual([false, true, false, true]);
  });

  test('a total below the threshold suppresses everything', () => {
    expect(protectOneWay({ counts: [1, 2], total: 3 }, K)).toEqual({ suppressed: [true, true], totalSuppressed: true });
  });

  test('no cell is ever left as the only suppressed one', () => {
    const rnd = prng(7);
    for (let n = 0; n < 500; n++) {
      const counts = Array.from({ length: 2 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * rnd() * 30));
      const total = counts.reduce((s, v) => s + v, 0);
      const { suppressed } = protectOneWay({ counts, total }, K);
      const k = suppressed.filter(Boolean).length;
      if (total >= K) expect(k === 0 || k >= 2).toBe(true);
      counts.forEach((c, i) => { if (c > 0 && c < K) expect(suppressed[i]).toBe(true); });
    }
  });
});

describe('two-way tables', () => {
  test('a small cell is hidden with a rectangle of partners', () => {
    const t = table([[20, 3, 15], [18, 9, 30], [25, 12, 8]]);
    const sup = protectTwoWay(t, K);
    expect(sup[0][1]).toBe(true);
    expect(sup.flat().filter(Boolean).length).toBeGreaterThanOrEqual(4);
    expect(determinedUnknowns(t, sup)).toEqual([]);
  });

  test('on 300 random sparse tables: every small cell is suppressed and no suppressed cell or margin is determined', () => {
    const rnd = prng(42);
    for (let n = 0; n < 300; n++) {
      const R = 2 + Math.floor(rnd() * 6);
      const C = 2 + Math.floor(rnd() * 6);
      const t = table(Array.from({ length: R }, () => Array.from({ length: C }, () => (rnd() < 0.25 ? 0 : Math.floor(rnd() * rnd() * 25)))));
      if (t.total < K) continue;
      const sup = protectTwoWay(t, K);
      t.cells.forEach((row, r) => row.forEach((v, c) => { if (v > 0 && v < K) expect(sup[r][c]).toBe(true); }));
      const det = determinedUnknowns(t, sup);
      // Whatever is still determined is a large cell that the margins give away anyway (never a small one).
      for (const d of det) {
        expect(d).toMatch(/^\d+,\d+$/);
        const [r, c] = d.split(',').map(Number);
        expect(t.cells[r][c]).toBeGreaterThanOrEqual(K);
      }
    }
  });

  test('primary suppression alone leaks: a small cell alone in its row is the margin minus the rest', () => {
    const t = table([[20, 3, 15], [18, 9, 30], [25, 12, 8]]);
    expect(determinedUnknowns(t, protectTwoWay(t, K, { secondary: false }))).toContain('0,1');
  });
});

test('determinedColumns: x+y and y known → x and y determined; x+y alone → neither', () => {
  expect(determinedColumns([[1, 1], [0, 1]], 2).sort()).toEqual([0, 1]);
  expect(determinedColumns([[1, 1]], 2)).toEqual([]);
});
