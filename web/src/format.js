// How values read in the tables: metric values (numbers, or "NaN"/"Infinity" as the API
// writes non-finite ones), times and durations.

// A metric value as a number: the API's strings for non-finite values become numbers too.
export function metricNumber(value) {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

export function formatNumber(value) {
  const n = metricNumber(value);
  if (n === null) return '';
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 1e9) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return n.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(n.toPrecision(5)));
}

// A parameter's value: numbers as numbers, strings as they are, anything else as JSON.
export function formatValue(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function pad(n) {
  return String(n).padStart(2, '0');
}

// A time as local "YYYY-MM-DD HH:MM:SS".
export function formatTime(ms) {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// A duration as "45s", "12m 05s", "3h 07m".
export function formatDuration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

// From `start` to `end`, or to now while it lasts; null before it started.
export function elapsed(start, end) {
  if (start === null || start === undefined) return null;
  return (end ?? Date.now()) - start;
}
