// The sweep page's learning curves panel: one metric against step (or time since each trial
// started) for the trials the user chose in the table, or, with none chosen, the best N of the
// rows the table shows (by the sweep's metric and goal). Log y axis, TensorBoard's smoothing,
// stop points marked (curve_chart.js). Its settings live in the address through the
// SweepView: curve_metric, curve_x (time), curve_log (1), curve_smooth (0..0.99), curve_n.
// Live: each page refresh reads only the new points of trials that have them (curve_series.js).

import { CurveChart, curveColor } from './curve_chart.js';
import { CurveSeries } from './curve_series.js';
import { emaSmooth } from './curve_smoothing.js';
import { el, setText } from './dom.js';
import { panelSection } from './panel.js';
import { loadUplot } from './uplot_loader.js';

const DEFAULT_N = 10;
const MAX_N = 100;
const MAX_CHOSEN = 1000;  // one request's worth of trials
const NUMBER_OF_TRIALS = /^[1-9][0-9]*$/;

function clampSmoothing(text) {
  const w = Number(text);
  return Number.isFinite(w) ? Math.min(0.99, Math.max(0, w)) : 0;
}

// The `n` trials of `rows` with the best value of `objective` ({name, goal}); NaN never counts;
// ties go to the lower id. `n` is at most MAX_N: the best so far are kept in order and a trial
// is placed among them only when it beats the last, so 10,000 rows are one pass, not a sort.
export function bestTrials(rows, objective, n) {
  if (n <= 0) return [];
  const side = objective.goal === 'maximize' ? 'max' : 'min';
  const sign = side === 'max' ? -1 : 1;
  const before = (a, b) => (sign * (a.value - b.value) || a.trial.id - b.trial.id) < 0;
  const best = [];
  for (const trial of rows) {
    const summary = trial.metrics && trial.metrics[objective.name];
    const extreme = summary && summary[side];
    if (!extreme || !Number.isFinite(extreme.value)) continue;
    const scored = { trial, value: extreme.value };
    if (best.length === n && !before(scored, best[n - 1])) continue;
    let at = best.length;
    while (at > 0 && before(scored, best[at - 1])) at--;
    best.splice(at, 0, scored);
    if (best.length > n) best.pop();
  }
  return best.map((s) => s.trial);
}

export class LearningCurves {
  constructor(view) {
    this.view = view;
    this.ctx = null;
    this.series = new CurveSeries();
    this.chart = new CurveChart();
    this.metrics = [];
    this.drawnSignature = null;
    this.busy = false;
    this.again = false;
    this.buildControls();
    this.message = el('p', { class: 'curve-message muted' });
    this.root = panelSection('curves', 'Learning curves', this.controls, this.chart.root,
                             this.message);
    this.onViewChange = (event) => {
      if (['selected', 'extra', 'ranges', 'state', 'sort'].includes(event.detail.what)) this.sync();
    };
    view.addEventListener('change', this.onViewChange);
    this.resizer = new ResizeObserver(() => this.chart.resize());
    this.resizer.observe(this.chart.root);
  }

  buildControls() {
    const set = (name) => (event) => this.view.setExtra(name, event.target.value);
    this.metricSelect = el('select', { class: 'curve-metric', 'aria-label': 'metric',
                                       onchange: set('curve_metric') });
    this.axisSelect = el('select', { class: 'curve-x', 'aria-label': 'x axis',
                                     onchange: (e) => this.view.setExtra('curve_x', e.target.value === 'time' ? 'time' : null) },
                         el('option', { value: 'step' }, 'step'), el('option', { value: 'time' }, 'time'));
    this.logBox = el('input', { type: 'checkbox', class: 'curve-log',
                                onchange: (e) => this.view.setExtra('curve_log', e.target.checked ? '1' : null) });
    this.smoothRange = el('input', { type: 'range', class: 'curve-smooth', min: '0', max: '0.99',
                                     step: '0.01', 'aria-label': 'smoothing',
                                     oninput: (e) => this.view.setExtra('curve_smooth', Number(e.target.value) > 0 ? e.target.value : null) });
    this.smoothText = el('span', { class: 'curve-smooth-value' });
    this.nInput = el('input', { type: 'number', class: 'curve-n', min: '1', max: String(MAX_N),
                                'aria-label': 'best N',
                                onchange: (e) => this.setN(e.target.value) });
    this.showing = el('span', { class: 'curve-showing muted' });
    this.controls = el('div', { class: 'curve-controls' },
                       el('label', {}, 'metric ', this.metricSelect),
                       el('label', {}, 'x ', this.axisSelect),
                       el('label', {}, this.logBox, ' log y'),
                       el('label', {}, 'smoothing ', this.smoothRange, this.smoothText),
                       el('label', {}, 'best ', this.nInput), this.showing);
  }

  setN(text) {
    const n = NUMBER_OF_TRIALS.test(text) ? Math.min(MAX_N, Number(text)) : DEFAULT_N;
    this.view.setExtra('curve_n', n === DEFAULT_N ? null : n);
  }

  // The settings, from the address.
  settings() {
    const extra = this.view.extra;
    const nText = extra.get('curve_n') || '';
    const sweepMetric = this.ctx && this.ctx.sweep.metric ? this.ctx.sweep.metric.name : null;
    return {
      metric: extra.get('curve_metric') || sweepMetric || this.metrics[0] || null,
      axis: extra.get('curve_x') === 'time' ? 'time' : 'step',
      log: extra.get('curve_log') === '1',
      smooth: clampSmoothing(extra.get('curve_smooth') || '0'),
      n: NUMBER_OF_TRIALS.test(nText) ? Math.min(MAX_N, Number(nText)) : DEFAULT_N,
    };
  }

  update(ctx) {
    this.ctx = ctx;
    loadUplot();  // while the curves are fetched
    if (ctx.changed || this.metrics.length === 0) this.learnMetrics(ctx.trials);
    this.sync();
  }

  // Every metric any trial reported, for the select.
  learnMetrics(trials) {
    const keys = new Set();
    for (const trial of trials) for (const key of Object.keys(trial.metrics || {})) keys.add(key);
    const { metric } = this.settings();
    if (metric) keys.add(metric);
    const sorted = [...keys].sort();
    if (sorted.join('\n') === this.metrics.join('\n')) return;
    this.metrics = sorted;
    this.metricSelect.replaceChildren(...sorted.map((k) => el('option', { value: k }, k)));
  }

  showSettings(s) {
    if (s.metric && this.metricSelect.value !== s.metric) this.metricSelect.value = s.metric;
    this.axisSelect.value = s.axis;
    this.logBox.checked = s.log;
    if (Number(this.smoothRange.value) !== s.smooth) this.smoothRange.value = String(s.smooth);
    setText(this.smoothText, s.smooth.toFixed(2));
    if (document.activeElement !== this.nInput) this.nInput.value = String(s.n);
  }

  // The trials to draw: the chosen ones, or the best N of the table's rows.
  chosen(ctx, s) {
    if (this.view.selected.size > 0) {
      const byId = new Map(ctx.trials.map((t) => [t.id, t]));
      const picked = [...this.view.selected].sort((a, b) => a - b).map((id) => byId.get(id));
      return { trials: picked.filter(Boolean).slice(0, MAX_CHOSEN), why: 'chosen' };
    }
    const objective = ctx.sweep.metric || { name: s.metric, goal: 'minimize' };
    const rows = ctx.rows || ctx.trials;
    return { trials: bestTrials(rows, objective, s.n), why: `best by ${objective.name}` };
  }

  // One sync at a time; a request for another while one runs makes it run again after.
  async sync() {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again);
    } catch (error) {
      setText(this.message, `curves: ${error.message}`);
    } finally {
      this.busy = false;
    }
  }

  async syncOnce() {
    const ctx = this.ctx;
    if (!ctx) return;
    const s = this.settings();
    this.showSettings(s);
    const { trials, why } = this.chosen(ctx, s);
    setText(this.showing, `${trials.length} ${why === 'chosen' ? 'chosen' : why}`);
    if (!s.metric) {
      setText(this.message, 'No trial has reported a metric yet.');
      return;
    }
    const loaded = await this.series.load(trials, s.metric, s.axis, this.chart.width());
    const signature = JSON.stringify([s, trials.map((t) => [t.id, t.status])]);
    if (!loaded && signature === this.drawnSignature) return;
    this.drawnSignature = signature;
    const started = performance.now();
    const curves = this.curves(trials, s);
    setText(this.message, curves.length ? '' : `No chosen trial has reported ${s.metric} yet.`);
    this.chart.draw(curves, { log: s.log, xLabel: s.axis === 'time' ? 'time (s)' : 'step',
                              yLabel: s.metric }, started);
  }

  curves(trials, s) {
    const curves = [];
    for (const trial of trials) {
      const series = this.series.get(trial.id);
      if (!series || series.steps.length === 0) continue;
      const start = trial.started_ms ?? series.times[0];
      const xs = s.axis === 'time' ? series.times.map((t) => (t - start) / 1000) : series.steps;
      curves.push({ id: trial.id, label: `trial ${trial.id}`, color: curveColor(trial.id), xs,
                    ys: emaSmooth(series.values, s.smooth), values: series.values,
                    steps: series.steps, stopped: trial.status === 'stopped' });
    }
    return curves;
  }

  dispose() {
    this.view.removeEventListener('change', this.onViewChange);
    this.resizer.disconnect();
    this.chart.dispose();
  }
}
