// The trials table's columns, from the sweep and the trials it has: the trial's state, every
// parameter, the last and best of the sweep's metric, last, min and max of every other metric,
// step, duration, agent, GPUs and stop reason. Each column gives its text and the value it
// sorts by; `numeric` columns (numbers that stay put: ids, numeric parameters, metrics, steps)
// can be filtered by a range.

import { elapsed, formatDuration, formatNumber, formatValue, metricNumber } from './format.js';

const STATES = ['pending', 'running', 'completed', 'failed', 'stopped', 'lost'];
export { STATES };

// Each parameter path of a run config (nested objects as dotted paths) into `kinds`, path →
// whether every value seen there is a number; paths that hold an object go into `objects`.
function learnParams(params, prefix, kinds, objects) {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return;
  for (const name of Object.keys(params)) {
    const value = params[name];
    const path = prefix + name;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      objects.add(path);
      learnParams(value, path + '.', kinds, objects);
    } else if (typeof value !== 'number') {
      kinds.set(path, false);
    } else if (!kinds.has(path)) {
      kinds.set(path, true);
    }
  }
}

function paramValue(trial, parts) {
  let value = trial.params;
  for (const part of parts) {
    if (value === null || typeof value !== 'object') return undefined;
    value = value[part];
  }
  return value;
}

// What the columns depend on: the parameter and metric names the trials have.
// Parameters whose values are all numbers are `numeric` (aligned right). One pass over the
// trials: a sweep page computes this for 10,000 of them before it can show its table.
export function columnSignature(trials) {
  const kinds = new Map();
  const objects = new Set();
  const metrics = new Set();
  for (const trial of trials) {
    learnParams(trial.params, '', kinds, objects);
    if (trial.metrics) for (const key of Object.keys(trial.metrics)) metrics.add(key);
  }
  return { params: [...kinds.keys()].sort().map((path) => ({
             path, numeric: kinds.get(path) && !objects.has(path) })),
           metrics: [...metrics].sort() };
}

// Wide enough for its header.
function widthFor(label, least) {
  return Math.max(least, Math.ceil(label.length * 7.5) + 30);
}

function summary(trial, key) {
  return (trial.metrics && trial.metrics[key]) || null;
}

// A column of one summary figure (`pick`) of metric `metric`.
function metricColumn(metric, suffix, pick) {
  const key = `m:${metric}:${suffix}`;
  const label = `${metric} ${suffix}`;
  const value = (t) => {
    const s = summary(t, metric);
    return s ? metricNumber(pick(s)) : null;
  };
  return { key, label, width: widthFor(label, 90), align: 'right', numeric: true, value,
           text: (t) => formatNumber(value(t)) };
}

function extreme(s, side) {
  return s[side] ? s[side].value : null;
}

function lastStep(trial, objective) {
  const metrics = trial.metrics || {};
  if (objective && metrics[objective]) return metrics[objective].last_step;
  let step = null;
  for (const s of Object.values(metrics)) step = step === null ? s.last_step : Math.max(step, s.last_step);
  return step;
}

function metricColumns(sweep, metrics) {
  const objective = sweep.metric;
  const columns = [];
  if (objective) {
    const best = objective.goal === 'maximize' ? 'max' : 'min';
    columns.push(metricColumn(objective.name, 'last', (s) => s.last_value));
    columns.push(metricColumn(objective.name, 'best', (s) => extreme(s, best)));
  }
  for (const key of metrics) {
    if (objective && key === objective.name) continue;
    columns.push(metricColumn(key, 'last', (s) => s.last_value));
    columns.push(metricColumn(key, 'min', (s) => extreme(s, 'min')));
    columns.push(metricColumn(key, 'max', (s) => extreme(s, 'max')));
  }
  return columns;
}

function paramColumn({ path, numeric }) {
  const parts = path.split('.');
  const value = (t) => {
    const v = paramValue(t, parts);
    return typeof v === 'number' || typeof v === 'string' ? v : (v === undefined ? null : JSON.stringify(v));
  };
  return { key: `p:${path}`, label: path, width: widthFor(path, numeric ? 70 : 120),
           align: numeric ? 'right' : 'left', numeric, value,
           text: (t) => formatValue(paramValue(t, parts)) };
}

// The GPUs a trial runs (or last ran) on, "cpu" for a CPU slot, "" before it was placed.
function gpuText(t) {
  if (t.agent === null || t.agent === undefined) return '';
  return t.gpus && t.gpus.length ? t.gpus.join(',') : 'cpu';
}

// `agentName(id)` names an agent.
export function trialColumns(sweep, signature, agentName) {
  const duration = (t) => elapsed(t.started_ms, t.finished_ms);
  return [
    { key: 'id', label: '#', width: 70, align: 'right', numeric: true, value: (t) => t.id,
      text: (t) => String(t.id), href: (t) => `/trials/${t.id}` },
    { key: 'state', label: 'state', width: 100, value: (t) => STATES.indexOf(t.status),
      text: (t) => t.status, cellClass: (t) => `state-${t.status}` },
    ...signature.params.map(paramColumn),
    ...metricColumns(sweep, signature.metrics),
    { key: 'step', label: 'step', width: 70, align: 'right', numeric: true,
      value: (t) => lastStep(t, sweep.metric && sweep.metric.name),
      text: (t) => formatValue(lastStep(t, sweep.metric && sweep.metric.name)) },
    { key: 'duration', label: 'duration', width: 90, align: 'right', value: duration,
      text: (t) => formatDuration(duration(t)) },
    { key: 'agent', label: 'agent', width: 120, value: (t) => agentName(t.agent),
      text: (t) => agentName(t.agent) || '' },
    { key: 'gpus', label: 'GPU', width: 70, value: (t) => gpuText(t) || null, text: gpuText },
    { key: 'stop', label: 'stop reason', width: 260, value: (t) => t.stop_reason || null,
      text: (t) => t.stop_reason || '' },
  ];
}

// A comparator for `column` in `dir`: missing values last either way, then by id.
export function comparator(column, dir) {
  const sign = dir === 'desc' ? -1 : 1;
  return (a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    const xMissing = x === null || x === undefined || Number.isNaN(x);
    const yMissing = y === null || y === undefined || Number.isNaN(y);
    if (xMissing || yMissing) return xMissing === yMissing ? a.id - b.id : (xMissing ? 1 : -1);
    if (x < y) return -sign;
    if (x > y) return sign;
    return a.id - b.id;
  };
}
