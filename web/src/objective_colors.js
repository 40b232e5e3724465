// Colours for a trial's objective value, from the best value (dark) to the worst (light
// orange), in a few buckets so that a chart can draw each bucket's trials as one path.

export const BUCKETS = 12;

// A dark-to-light ramp (close to matplotlib's "inferno", cut before its pale yellow end so
// that it stays visible on white).
const STOPS = [[27, 12, 65], [120, 28, 109], [187, 55, 84], [237, 105, 37], [251, 166, 40]];

function mix(a, b, t) {
  return Math.round(a + (b - a) * t);
}

export function bucketColor(bucket) {
  const x = (bucket / (BUCKETS - 1)) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const t = x - i;
  const [r, g, b] = STOPS[i].map((c, k) => mix(c, STOPS[i + 1][k], t));
  return `rgb(${r}, ${g}, ${b})`;
}

// (value) → bucket: 0 for the best of `values`, BUCKETS - 1 for the worst; null for a value
// that is not a finite number.
export function objectiveBuckets(values, goal) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const span = hi - lo;
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    let t = span > 0 ? (v - lo) / span : 0;
    if (goal === 'maximize') t = 1 - t;
    return Math.min(BUCKETS - 1, Math.max(0, Math.round(t * (BUCKETS - 1))));
  };
}
