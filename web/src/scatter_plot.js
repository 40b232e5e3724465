// The scatter panel: the objective (the sweep metric's best value) against one parameter,
// chosen in a select (by default the most important one; kept in the address as `scatter`),
// log x where the sweep file draws the parameter on a log scale, categories evenly spaced and
// spread a little so that their points do not hide each other. One point per trial the view
// lets through, coloured by its objective; the trials chosen in the view are ringed. Under the
// pointer a note names the nearest trial; a click chooses or unchooses it (SweepView.
// toggleSelected). Drawn on a canvas: 10,000 points are 10,000 small squares.

import { AnalysisChart } from './analysis_chart.js';
import { axisSpec } from './analysis_source.js';
import { pointerAt, sizeCanvas } from './chart_canvas.js';
import { el, setText } from './dom.js';
import { formatNumber, formatValue } from './format.js';
import { bucketColor, objectiveBuckets } from './objective_colors.js';
import { panelSection } from './panel.js';
import { categoricalScale, categoriesOf, numericScale } from './plot_scale.js';

const HEIGHT = 300;
const PAD = { top: 12, bottom: 34, left: 64, right: 16 };
const HOVER_PX = 8;

// A fixed spread in [-0.5, 0.5) per trial, so that points keep their place across redraws.
function jitter(id) {
  const x = Math.sin(id * 12.9898) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

export class ScatterPlot extends AnalysisChart {
  // Borrows the page's SweepView.
  constructor(view) {
    super(view, ['ranges', 'state', 'selected', 'extra']);
    this.select = el('select', { class: 'scatter-param', 'aria-label': 'parameter',
                                 onchange: (e) => this.view.setExtra('scatter', e.target.value) });
    this.canvas = el('canvas', { class: 'scatter-canvas', 'aria-label': 'scatter plot' });
    this.note = el('div', { class: 'scatter-note', hidden: true });
    this.message = el('p', { class: 'muted scatter-message' });
    this.box = el('div', { class: 'scatter-box' }, this.canvas, this.note);
    this.root = panelSection('scatter', 'Objective against a parameter',
                             el('label', { class: 'scatter-controls' }, 'x: ', this.select),
                             this.message, this.box);
    this.points = [];
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => { this.note.hidden = true; });
    this.canvas.addEventListener('click', (e) => this.click(e));
  }

  parameterColumns() {
    return this.data.columns.filter((c) => c.key.startsWith('p:'));
  }

  // The address's choice, else the most important parameter, else the first.
  chosen(params) {
    const names = params.map((c) => c.key.slice(2));
    const asked = this.view.extra.get('scatter');
    if (asked && names.includes(asked)) return asked;
    const top = this.answer && this.answer.parameters && this.answer.parameters[0];
    if (top && names.includes(top.name)) return top.name;
    return names[0];
  }

  fillSelect(params, name) {
    const names = params.map((c) => c.key.slice(2));
    if (this.select.dataset.names !== names.join('\n')) {
      this.select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
      this.select.dataset.names = names.join('\n');
    }
    this.select.value = name;
  }

  draw() {
    if (!this.data) return;
    const metric = this.data.sweep.metric;
    const params = this.parameterColumns();
    const objective = metric && this.data.columns.find((c) => c.key === `m:${metric.name}:best`);
    if (!objective || params.length === 0) {
      setText(this.message, metric ? 'No trials yet.' : 'The sweep has no metric to plot.');
      this.box.hidden = true;
      return;
    }
    const name = this.chosen(params);
    this.fillSelect(params, name);
    const column = params.find((c) => c.key === `p:${name}`);
    const rows = this.view.filter(this.data.trials, this.data.columns);
    const x = this.xScale(name, column);
    const y = numericScale(rows.map((t) => objective.value(t)));
    this.box.hidden = false;
    this.plot(rows, column, objective, x, y, metric);
    setText(this.message, this.points.length ? '' : `No trial has a value of ${metric.name} yet.`);
  }

  xScale(name, column) {
    const spec = axisSpec(this.answer, name);
    const values = this.data.trials.map((t) => column.value(t));
    const kind = spec ? spec.scale : (column.numeric ? 'linear' : 'categorical');
    if (kind === 'categorical') return categoricalScale(categoriesOf(spec && spec.values, values));
    return numericScale(values, kind === 'log');
  }

  plot(rows, column, objective, x, y, metric) {
    const started = performance.now();
    const width = Math.max(300, Math.floor(this.box.clientWidth || 600));
    const ctx = sizeCanvas(this.canvas, width, HEIGHT);
    const w = width - PAD.left - PAD.right;
    const h = HEIGHT - PAD.top - PAD.bottom;
    const categories = x.kind === 'categorical' ? x.values.length : 0;
    const spread = categories > 1 ? 0.5 / (categories - 1) : 0.25;
    this.axes(ctx, x, y, w, h, column.key.slice(2), metric.name);
    const bucketOf = objectiveBuckets(rows.map((t) => objective.value(t)), metric.goal);
    // One path per colour, the best drawn last, on top: 10,000 changes of fillStyle cost more
    // than the squares themselves.
    const paths = new Map();
    this.points = [];
    for (const t of rows) {
      let px = x.pos(column.value(t));
      const py = y.pos(objective.value(t));
      if (px === null || py === null) continue;
      if (categories) px += jitter(t.id) * spread;
      const point = { id: t.id, x: PAD.left + px * w, y: PAD.top + (1 - py) * h, trial: t };
      const bucket = bucketOf(objective.value(t));
      if (!paths.has(bucket)) paths.set(bucket, new Path2D());
      paths.get(bucket).rect(point.x - 2, point.y - 2, 4, 4);
      this.points.push(point);
    }
    for (const [bucket, path] of [...paths].sort((a, b) => b[0] - a[0])) {
      ctx.fillStyle = bucketColor(bucket);
      ctx.fill(path);
    }
    this.ringSelected(ctx);
    this.column = column;
    this.objective = objective;
    this.root.dataset.points = String(this.points.length);
    this.root.dataset.x = column.key.slice(2);
    this.root.dataset.xScale = x.kind;
    this.root.dataset.drawnMs = (performance.now() - started).toFixed(1);
  }

  axes(ctx, x, y, w, h, xLabel, yLabel) {
    ctx.strokeStyle = '#888';
    ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, w, h);
    ctx.fillStyle = '#555';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const tick of x.ticks(6)) {
      const px = PAD.left + tick.pos * w;
      ctx.fillRect(px, PAD.top + h, 1, 4);
      ctx.fillText(tick.text, px, PAD.top + h + 6);
    }
    ctx.fillText(`${xLabel}${x.kind === 'log' ? ' (log)' : ''}`, PAD.left + w / 2, PAD.top + h + 20);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const tick of y.ticks(5)) {
      const py = PAD.top + (1 - tick.pos) * h;
      ctx.fillRect(PAD.left - 4, py, 4, 1);
      ctx.fillText(tick.text, PAD.left - 6, py);
    }
    ctx.save();
    ctx.translate(12, PAD.top + h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(`${yLabel} (best)`, 0, 0);
    ctx.restore();
  }

  ringSelected(ctx) {
    if (this.view.selected.size === 0) return;
    ctx.strokeStyle = '#1565c0';
    ctx.lineWidth = 2;
    for (const p of this.points) {
      if (!this.view.selected.has(p.id)) continue;
      ctx.beginPath();
      ctx.arc(p.x, p.y, 6, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  // The point nearest the pointer within HOVER_PX, or null.
  nearest(event) {
    const at = pointerAt(this.canvas, event);
    let best = null;
    let bestD = HOVER_PX * HOVER_PX;
    for (const p of this.points) {
      const d = (p.x - at.x) ** 2 + (p.y - at.y) ** 2;
      if (d <= bestD) {
        best = p;
        bestD = d;
      }
    }
    return best;
  }

  hover(event) {
    const p = this.nearest(event);
    this.canvas.classList.toggle('pointing', p !== null);
    if (!p) {
      this.note.hidden = true;
      return;
    }
    const name = this.column.key.slice(2);
    setText(this.note, `trial ${p.id}: ${name} ${formatValue(this.column.value(p.trial))}, ` +
      `${this.data.sweep.metric.name} ${formatNumber(this.objective.value(p.trial))}`);
    this.note.hidden = false;
    this.note.style.left = `${Math.min(p.x + 10, this.canvas.clientWidth - 220)}px`;
    this.note.style.top = `${Math.max(0, p.y - 28)}px`;
  }

  click(event) {
    const p = this.nearest(event);
    if (p) this.view.toggleSelected(p.id);
  }
}
