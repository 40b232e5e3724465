// Every metric a trial reported, one small uPlot chart each (step on x), fetched from the
// trial's metric endpoint: the first time whole, then from the step after the last one held,
// when the trial's summary says there is more. Values that are not finite are gaps.

import { getTrialMetric } from './api.js';
import { el } from './dom.js';
import { formatNumber, metricNumber } from './format.js';
import { loadUplot } from './uplot_loader.js';

const WIDTH = 360;
const HEIGHT = 170;

class MetricChart {
  constructor(key) {
    this.key = key;
    this.steps = [];
    this.values = [];
    this.count = 0;  // the summary's count when last fetched
    this.plot = null;
    this.box = el('div', { class: 'metric-plot' });
    this.root = el('figure', { class: 'metric-chart', 'data-metric': key },
                   el('figcaption', {}, key), this.box);
  }

  lastStep() {
    return this.steps.length ? this.steps[this.steps.length - 1] : null;
  }

  // Fetches what `summary` ({count, last_step}) says is missing; redraws when something came.
  async update(trialId, summary) {
    if (summary.count === this.count) return;
    const last = this.lastStep();
    const grown = last !== null && summary.last_step > last;
    const points = await getTrialMetric(trialId, this.key, grown ? last + 1 : undefined);
    if (!grown) {  // first time, or points came out of order: take the whole series
      this.steps = [];
      this.values = [];
    }
    for (const [step, value] of points) {
      const n = metricNumber(value);
      this.steps.push(step);
      this.values.push(Number.isFinite(n) ? n : null);
    }
    this.count = summary.count;
    await this.draw();
  }

  async draw() {
    const uPlot = await loadUplot();
    if (this.disposed) return;
    const data = [this.steps, this.values];
    this.root.dataset.points = String(this.steps.length);
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const opts = {
      width: WIDTH, height: HEIGHT, legend: { show: false }, cursor: { drag: { x: false } },
      scales: { x: { time: false } },
      axes: [{ size: 28 }, { size: 56, values: (u, ticks) => ticks.map(formatNumber) }],
      series: [{}, { label: this.key, stroke: '#2458c6', width: 1.5, spanGaps: false,
                     points: { show: this.steps.length < 60 } }],
    };
    this.plot = new uPlot(opts, data, this.box);
  }

  dispose() {
    this.disposed = true;
    if (this.plot) this.plot.destroy();
  }
}

export class MetricCharts {
  constructor(trialId) {
    this.trialId = trialId;
    this.charts = new Map();
    this.empty = el('p', { class: 'empty' }, 'no metrics reported yet');
    this.grid = el('div', { class: 'metric-charts' });
    this.root = el('div', {}, this.empty, this.grid);
  }

  // `metrics`: the Trial's summaries by key.
  async update(metrics) {
    const keys = Object.keys(metrics || {}).sort();
    for (const key of keys) {
      let chart = this.charts.get(key);
      if (!chart) {
        chart = new MetricChart(key);
        this.charts.set(key, chart);
        this.grid.append(chart.root);
      }
      await chart.update(this.trialId, metrics[key]);
    }
    this.empty.hidden = keys.length > 0;
  }

  dispose() {
    for (const chart of this.charts.values()) chart.dispose();
  }
}
