// Where a value lies along a chart's axis, as a fraction from 0 (bottom or left) to 1, and
// back: linear, log (base 10) or categorical (values evenly spaced in their order). Shared by
// the parallel coordinates and the scatter plot.

import { formatNumber, formatValue } from './format.js';

function extent(numbers) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of numbers) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

// Ticks at round numbers: 1, 2 or 5 times a power of ten, about `count` of them.
function roundTicks(lo, hi, count) {
  if (lo === hi) return [lo];
  const rough = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

// `numbers`: the data (finite ones count); log: only positive ones.
export function numericScale(numbers, log = false) {
  const usable = numbers.filter((x) => Number.isFinite(x) && (!log || x > 0));
  const [lo, hi] = extent(log ? usable.map(Math.log10) : usable);
  const span = hi - lo;
  return {
    kind: log ? 'log' : 'linear',
    pos(v) {
      if (typeof v !== 'number' || !Number.isFinite(v) || (log && v <= 0)) return null;
      const x = log ? Math.log10(v) : v;
      return span > 0 ? (x - lo) / span : 0.5;
    },
    value(p) {
      const x = lo + p * span;
      return log ? 10 ** x : x;
    },
    ticks(count = 5) {
      if (log) {
        const powers = [];
        for (let e = Math.ceil(lo - 1e-9); e <= hi + 1e-9; e++) powers.push(e);
        const at = powers.length >= 2 ? powers : [lo, hi];
        return [...new Set(at)].map((x) => ({ pos: span > 0 ? (x - lo) / span : 0.5,
                                              text: formatNumber(Number((10 ** x).toPrecision(3))) }));
      }
      return roundTicks(lo, hi, count).map((x) => ({ pos: span > 0 ? (x - lo) / span : 0.5,
                                                     text: formatNumber(x) }));
    },
  };
}

// `values`: the categories in axis order (numbers sorted, others as the sweep file lists them).
export function categoricalScale(values) {
  const index = new Map(values.map((v, i) => [formatValue(v), i]));
  const at = (i) => (values.length > 1 ? i / (values.length - 1) : 0.5);
  return {
    kind: 'categorical',
    values,
    pos(v) {
      const i = index.get(formatValue(v));
      return i === undefined ? null : at(i);
    },
    // The categories whose positions lie within [lo, hi].
    within(lo, hi) {
      return values.filter((_, i) => at(i) >= lo - 1e-9 && at(i) <= hi + 1e-9);
    },
    ticks() {
      return values.map((v, i) => ({ pos: at(i), text: formatValue(v) }));
    },
  };
}

// The categories of a parameter: the sweep file's list when known, else those the trials
// have; numbers in ascending order, so that a brushed span is a range of values.
export function categoriesOf(listed, seen) {
  const values = listed ?? [...new Set(seen.filter((v) => v !== null && v !== undefined))];
  if (values.every((v) => typeof v === 'number')) return [...values].sort((a, b) => a - b);
  return listed ? values : values.map(String).sort();
}
