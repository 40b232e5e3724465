// The learning curves' points, kept in the browser per trial for one metric and one x axis.
// A series is read once, downsampled by the server to the chart's width (`max_points`,
// docs/http-api.md); afterwards only trials whose summary says they have points past the last
// one we hold are asked for their tail (`from_step`). So a live chart of 100 curves costs a few
// small requests a second, not 100 whole series. A tail that has grown the series to twice the
// chart's width makes it read whole (downsampled) again.

import { getMetricSeries } from './api.js';
import { metricNumber } from './format.js';

const MAX_TRIALS_PER_REQUEST = 1000;  // the API's limit

function fetchSeries(ids, key, { maxPoints, fromStep, axis }) {
  return getMetricSeries({ trials: ids.join(','), key, max_points: maxPoints, x: axis,
                           from_step: fromStep, layout: 'columns' });
}

// A series as the server sends it in columns → {steps, values, times}, values as numbers: the
// few that are not finite come as strings ("NaN", "Infinity").
function columns({ steps, values, times }) {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number') values[i] = metricNumber(values[i]);
  }
  return { steps, values, times };
}

export class CurveSeries {
  constructor() {
    this.key = null;
    this.axis = null;
    this.byTrial = new Map();  // id → {steps, values, times, lastStep, maxPoints}
  }

  get(id) {
    return this.byTrial.get(id);
  }

  // Reads what `trials` need for metric `key` along `axis` ('step' | 'time'); resolves true
  // when any series changed.
  async load(trials, key, axis, maxPoints) {
    if (key !== this.key || axis !== this.axis) {
      this.byTrial.clear();
      this.key = key;
      this.axis = axis;
    }
    const whole = [];
    const tails = new Map();  // from_step → ids
    for (const trial of trials) {
      const have = this.byTrial.get(trial.id);
      const summary = trial.metrics && trial.metrics[key];
      if (!have || have.steps.length > 2 * maxPoints || (have.lastStep === null && summary)) {
        whole.push(trial.id);
      } else if (summary && have.lastStep !== null && summary.last_step > have.lastStep) {
        const ids = tails.get(have.lastStep) || [];
        ids.push(trial.id);
        tails.set(have.lastStep, ids);
      }
    }
    const requests = [];
    for (let i = 0; i < whole.length; i += MAX_TRIALS_PER_REQUEST) {
      requests.push(this.read(whole.slice(i, i + MAX_TRIALS_PER_REQUEST), maxPoints, undefined));
    }
    for (const [fromStep, ids] of tails) requests.push(this.read(ids, maxPoints, fromStep));
    await Promise.all(requests);
    return requests.length > 0;
  }

  async read(ids, maxPoints, fromStep) {
    const key = this.key;
    const series = await fetchSeries(ids, key, { maxPoints, fromStep, axis: this.axis });
    if (key !== this.key) return;  // the metric changed while we waited
    for (const s of series) {
      if (fromStep === undefined) this.put(s.trial, columns(s), maxPoints);
      else this.append(s.trial, columns(s));
    }
  }

  put(id, { steps, values, times }, maxPoints) {
    const lastStep = steps.length ? steps[steps.length - 1] : null;
    this.byTrial.set(id, { steps, values, times, lastStep, maxPoints });
  }

  // Points past the last one held (the tail starts at it, inclusive).
  append(id, tail) {
    const have = this.byTrial.get(id);
    if (!have) return;
    tail.steps.forEach((step, i) => {
      if (have.lastStep !== null && step <= have.lastStep) return;
      have.steps.push(step);
      have.values.push(tail.values[i]);
      have.times.push(tail.times[i]);
      have.lastStep = step;
    });
  }
}
