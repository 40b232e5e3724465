// Smoothing of learning curves as TensorBoard does it, so a curve reads the same in both: an
// exponential moving average with weight w in [0, 1) (0 = raw), debiased so that the first
// points are not pulled towards zero. Values that are not finite (a diverged step) are left as
// they are and do not enter the average; a constant series is left alone. Applied in the
// browser to the points the chart has (the server's downsampled series), as TensorBoard applies
// it to its sampled points.

export function emaSmooth(values, weight) {
  if (!(weight > 0)) return values;
  const first = values.find((v) => Number.isFinite(v));
  if (values.every((v) => !Number.isFinite(v) || v === first)) return values;
  const out = new Array(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count++;
    out[i] = last / (1 - Math.pow(weight, count));
  }
  return out;
}
