// The parallel coordinates panel: one vertical axis per parameter that varies (linear or log as
// the sweep file draws it, categories evenly spaced) and the objective (the sweep metric's best
// value) last; one line per trial, coloured by its objective, the trials the view filters out
// in faint grey. Drawn on a canvas (10,000 lines are a few paths, one per colour), with a
// second canvas on top for the axes and brushes, so that dragging redraws only that.
//
// Brushing: a vertical drag on an axis sets that column's range in the view (SweepView.
// setRange), which filters the table; a click on an axis clears it. The brushes drawn are the
// view's ranges, so they come back from the address and stay through live updates. Axes of
// categories that are not numbers cannot be brushed: a range filters numbers.

import { AnalysisChart } from './analysis_chart.js';
import { axisSpec } from './analysis_source.js';
import { pointerAt, sizeCanvas } from './chart_canvas.js';
import { el, setText } from './dom.js';
import { BUCKETS, bucketColor, objectiveBuckets } from './objective_colors.js';
import { panelSection } from './panel.js';
import { categoricalScale, categoriesOf, numericScale } from './plot_scale.js';

const HEIGHT = 320;
const PAD = { top: 34, bottom: 22, left: 56, right: 76 };
const GRAB_PX = 14;  // how far from an axis a drag still takes it

// The scale of one parameter column from the sweep file's axis (`spec`) and the trials' values.
function parameterScale(spec, values, numeric) {
  const kind = spec ? spec.scale : (numeric ? 'linear' : 'categorical');
  if (kind === 'categorical') return categoricalScale(categoriesOf(spec && spec.values, values));
  return numericScale(values, kind === 'log');
}

// A column worth an axis: one whose trials do not all have the same value.
function varies(values) {
  const seen = new Set(values.filter((v) => v !== null && v !== undefined).map(String));
  return seen.size > 1;
}

export class ParallelCoords extends AnalysisChart {
  // Borrows the page's SweepView.
  constructor(view) {
    super(view, ['ranges', 'state']);
    this.lines = el('canvas', { class: 'pc-lines' });
    this.overlay = el('canvas', { class: 'pc-overlay', 'aria-label': 'parallel coordinates' });
    this.message = el('p', { class: 'muted pc-message' });
    this.box = el('div', { class: 'pc-box' }, this.lines, this.overlay);
    this.root = panelSection('parallel', 'Parallel coordinates', this.message, this.box);
    this.axes = [];
    this.drag = null;
    this.overlay.addEventListener('mousedown', (e) => this.startDrag(e));
    this.onMove = (e) => this.moveDrag(e);
    this.onUp = (e) => this.endDrag(e);
  }

  refit() {
    this.layout();
    this.draw();
  }

  // The axes from the columns the table has: each parameter that varies, then the objective.
  layout() {
    const { columns, trials, sweep } = this.data;
    const axes = [];
    for (const column of columns.filter((c) => c.key.startsWith('p:'))) {
      const name = column.key.slice(2);
      const spec = axisSpec(this.answer, name);
      const values = trials.map((t) => column.value(t));
      if (!varies(values)) continue;
      const scale = parameterScale(spec, values, column.numeric);
      const brushable = scale.kind !== 'categorical' ||
          scale.values.every((v) => typeof v === 'number');
      axes.push({ key: column.key, label: name, column, scale, brushable });
    }
    const metric = sweep.metric;
    const objective = metric && columns.find((c) => c.key === `m:${metric.name}:best`);
    if (objective) {
      const scale = numericScale(trials.map((t) => objective.value(t)));
      axes.push({ key: objective.key, label: `${metric.name} (best)`, column: objective, scale,
                  brushable: true, objective: true });
    }
    this.axes = axes;
    this.objective = objective;
  }

  geometry() {
    const width = Math.max(320, Math.floor(this.box.clientWidth || 800));
    const plotWidth = width - PAD.left - PAD.right;
    const n = this.axes.length;
    this.axes.forEach((axis, i) => {
      axis.x = PAD.left + (n > 1 ? (i * plotWidth) / (n - 1) : plotWidth / 2);
    });
    return { width, top: PAD.top, bottom: HEIGHT - PAD.bottom, height: HEIGHT - PAD.top - PAD.bottom };
  }

  draw() {
    if (!this.data) return;
    const started = performance.now();
    if (this.axes.length < 2) {
      setText(this.message, this.data.trials.length
        ? 'No parameter has taken more than one value yet.' : 'No trials yet.');
      this.box.hidden = true;
      return;
    }
    this.box.hidden = false;
    const g = this.geometry();
    this.g = g;
    const inside = this.view.filter(this.data.trials, this.data.columns);
    setText(this.message, inside.length === this.data.trials.length ? '' :
      `${inside.length} of ${this.data.trials.length} trials inside the filters; the rest in grey.`);
    this.drawLines(g, inside);
    this.drawOverlay();
    this.root.dataset.lines = String(inside.length);
    this.root.dataset.drawnMs = (performance.now() - started).toFixed(1);
  }

  // The trials outside the filters in grey, then those inside by colour bucket, worst first,
  // so that the best lines lie on top.
  drawLines(g, inside) {
    const ctx = sizeCanvas(this.lines, g.width, HEIGHT);
    const ids = new Set(inside.map((t) => t.id));
    const outside = this.data.trials.filter((t) => !ids.has(t.id));
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(160, 160, 160, 0.18)';
    this.strokeTrials(ctx, g, outside);
    const bucketOf = this.objective
      ? objectiveBuckets(this.data.trials.map((t) => this.objective.value(t)), this.data.sweep.metric.goal)
      : () => null;
    const buckets = Array.from({ length: BUCKETS + 1 }, () => []);
    for (const t of inside) {
      const b = bucketOf(this.objective ? this.objective.value(t) : null);
      buckets[b === null ? BUCKETS : b].push(t);
    }
    const alpha = inside.length > 2000 ? 0.25 : inside.length > 300 ? 0.5 : 0.85;
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = '#9a9a9a';
    this.strokeTrials(ctx, g, buckets[BUCKETS]);  // no objective value
    for (let b = BUCKETS - 1; b >= 0; b--) {
      ctx.strokeStyle = bucketColor(b);
      this.strokeTrials(ctx, g, buckets[b]);
    }
    ctx.globalAlpha = 1;
  }

  // One path for all of `trials`; a value an axis cannot place breaks the line there.
  strokeTrials(ctx, g, trials) {
    if (trials.length === 0) return;
    ctx.beginPath();
    for (const t of trials) {
      let pen = false;
      for (const axis of this.axes) {
        const p = axis.scale.pos(axis.column.value(t));
        if (p === null) {
          pen = false;
          continue;
        }
        const y = g.bottom - p * g.height;
        if (pen) ctx.lineTo(axis.x, y);
        else ctx.moveTo(axis.x, y);
        pen = true;
      }
    }
    ctx.stroke();
  }

  drawOverlay() {
    const g = this.g;
    const ctx = sizeCanvas(this.overlay, g.width, HEIGHT);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const axis of this.axes) this.drawAxis(ctx, g, axis);
    if (this.drag) {
      const [a, b] = [this.drag.y0, this.drag.y1].sort((p, q) => p - q);
      ctx.fillStyle = 'rgba(30, 90, 200, 0.18)';
      ctx.strokeStyle = 'rgba(30, 90, 200, 0.9)';
      ctx.fillRect(this.drag.axis.x - 9, a, 18, b - a);
      ctx.strokeRect(this.drag.axis.x - 9, a, 18, b - a);
    }
    // Where the axes are, for tests and tools that drive the chart.
    this.overlay.dataset.axes = JSON.stringify(this.axes.map((axis) => ({
      key: axis.key, x: axis.x, top: g.top, bottom: g.bottom, brushable: axis.brushable })));
  }

  drawAxis(ctx, g, axis) {
    ctx.strokeStyle = '#444';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(axis.x + 0.5, g.top);
    ctx.lineTo(axis.x + 0.5, g.bottom);
    ctx.stroke();
    ctx.fillStyle = '#222';
    ctx.textAlign = 'center';
    ctx.font = `${axis.objective ? 'bold ' : ''}12px system-ui, sans-serif`;
    ctx.fillText(axis.label, axis.x, 12);
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#777';
    ctx.fillText(axis.scale.kind === 'linear' ? '' : axis.scale.kind, axis.x, 25);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#555';
    ctx.textAlign = 'left';
    for (const tick of axis.scale.ticks(5)) {
      const y = g.bottom - tick.pos * g.height;
      ctx.fillRect(axis.x - 3, y, 6, 1);
      ctx.fillText(tick.text.length > 12 ? tick.text.slice(0, 11) + '…' : tick.text, axis.x + 5, y);
    }
    const range = this.view.ranges.get(axis.key);
    if (range && !(this.drag && this.drag.axis === axis)) this.drawBrush(ctx, g, axis, range);
  }

  // The view's range on this axis as a band, clipped to the axis.
  drawBrush(ctx, g, axis, range) {
    const at = (v, open) => {
      if (!Number.isFinite(v)) return open;
      const p = axis.scale.kind === 'categorical' ? this.categoryPos(axis, v, open) : axis.scale.pos(v);
      return p === null ? open : Math.min(1, Math.max(0, p));
    };
    const lo = at(range.min, 0);
    const hi = at(range.max, 1);
    const y0 = g.bottom - hi * g.height;
    const y1 = g.bottom - lo * g.height;
    ctx.fillStyle = 'rgba(30, 90, 200, 0.22)';
    ctx.strokeStyle = 'rgba(30, 90, 200, 0.9)';
    ctx.fillRect(axis.x - 9, y0, 18, Math.max(2, y1 - y0));
    ctx.strokeRect(axis.x - 9, y0, 18, Math.max(2, y1 - y0));
  }

  // Where a bound falls among numeric categories: at the nearest category inside the range.
  categoryPos(axis, v, open) {
    const values = axis.scale.values;
    const inside = open === 0 ? values.find((x) => x >= v) : [...values].reverse().find((x) => x <= v);
    return inside === undefined ? open : axis.scale.pos(inside);
  }

  axisAt(point) {
    if (!this.g || point.y < this.g.top - 12 || point.y > this.g.bottom + 6) return null;
    let best = null;
    for (const axis of this.axes) {
      const d = Math.abs(axis.x - point.x);
      if (d <= GRAB_PX && (!best || d < Math.abs(best.x - point.x))) best = axis;
    }
    return best;
  }

  startDrag(event) {
    const point = pointerAt(this.overlay, event);
    const axis = this.axisAt(point);
    if (!axis || !axis.brushable || event.button !== 0) return;
    event.preventDefault();
    const y = Math.min(this.g.bottom, Math.max(this.g.top, point.y));
    this.drag = { axis, y0: y, y1: y };
    window.addEventListener('mousemove', this.onMove);
    window.addEventListener('mouseup', this.onUp);
  }

  moveDrag(event) {
    const point = pointerAt(this.overlay, event);
    this.drag.y1 = Math.min(this.g.bottom, Math.max(this.g.top, point.y));
    this.drawOverlay();
  }

  endDrag(event) {
    window.removeEventListener('mousemove', this.onMove);
    window.removeEventListener('mouseup', this.onUp);
    this.moveDrag(event);
    const { axis, y0, y1 } = this.drag;
    this.drag = null;
    if (Math.abs(y1 - y0) < 3) {
      // A click: clears the axis's range.
      if (this.view.ranges.has(axis.key)) this.view.setRange(axis.key, null);
      else this.drawOverlay();
      return;
    }
    const g = this.g;
    const lo = (g.bottom - Math.max(y0, y1)) / g.height;
    const hi = (g.bottom - Math.min(y0, y1)) / g.height;
    const range = this.rangeOf(axis, lo, hi);
    if (range) this.view.setRange(axis.key, range);
    else this.drawOverlay();
  }

  // The values an axis span [lo, hi] (fractions) covers, or null when it covers none.
  rangeOf(axis, lo, hi) {
    if (axis.scale.kind === 'categorical') {
      const values = axis.scale.within(lo, hi);
      return values.length ? { min: values[0], max: values[values.length - 1] } : null;
    }
    // Four significant digits keep the address short; the band moves by less than a pixel.
    return { min: Number(axis.scale.value(lo).toPrecision(4)),
             max: Number(axis.scale.value(hi).toPrecision(4)) };
  }

  dispose() {
    super.dispose();
    window.removeEventListener('mousemove', this.onMove);
    window.removeEventListener('mouseup', this.onUp);
  }
}
