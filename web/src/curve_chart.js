// The learning curves' chart: uPlot (canvas, fast at 100 curves of 1,000 points) with one line
// per trial, a legend naming the trials, a stopped trial's last point marked with a cross, a
// diverged point (NaN, ±Infinity) as a gap in its line with a tick at the plot's top edge, and
// a note under the pointer naming the nearest curve's trial, step and value. The user's zoom (a
// drag; a double click undoes it) is kept when the data changes. After each draw the time it
// took is in `document.body.dataset.curvesDrawnMs` and a `curves-drawn` event goes to window,
// for the benchmark.
//
// uPlot wants one x array for all lines, so the curves' x values are merged; a line has
// `undefined` where another curve has a point (uPlot joins across those) and `null` where its
// value is not finite or not drawable on a log axis (a gap).

import { el } from './dom.js';
import { formatNumber } from './format.js';
import { loadUplot } from './uplot_loader.js';

const HEIGHT = 300;

// Well-separated hues for many lines: the golden angle around the colour wheel.
export function curveColor(i) {
  return `hsl(${Math.round((i * 137.508) % 360)}, 70%, 42%)`;
}

// {xs, ys} per curve → uPlot's aligned [x, y1, y2, ...].
function align(curves, log) {
  const all = [];
  for (const c of curves) for (const x of c.xs) all.push(x);
  all.sort((a, b) => a - b);
  const xs = [];
  for (const x of all) if (xs.length === 0 || xs[xs.length - 1] !== x) xs.push(x);
  const at = new Map(xs.map((x, i) => [x, i]));
  const data = [xs];
  for (const c of curves) {
    const ys = new Array(xs.length).fill(undefined);
    c.xs.forEach((x, i) => {
      const y = c.ys[i];
      ys[at.get(x)] = Number.isFinite(y) && (!log || y > 0) ? y : null;
    });
    data.push(ys);
  }
  return data;
}

// The index of the x in sorted `xs` nearest to `x`.
function nearest(xs, x) {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

export class CurveChart {
  constructor() {
    this.root = el('div', { class: 'curve-chart' });
    this.note = el('div', { class: 'curve-note', hidden: true });
    this.plot = null;
    this.curves = [];
    this.shape = '';
    this.zoom = null;  // {min, max} of x while the user has zoomed
    this.extent = null;
    this.focused = null;
    this.started = null;
  }

  width() {
    return Math.max(200, Math.floor(this.root.clientWidth || 600));
  }

  // curves: [{id, label, color, xs, ys, values, steps, stopped}] (ys drawn, values and steps
  // named under the pointer); axes: {log, xLabel, yLabel}. `started` (performance.now()) is
  // when the caller began to build the curves: the reported draw time counts from there.
  async draw(curves, axes, started = performance.now()) {
    const uPlot = await loadUplot();  // the first chart waits for it; the others find it loaded
    if (this.disposed) return;
    this.started = started;
    this.curves = curves;
    const data = align(curves, axes.log);
    const xs = data[0];
    this.extent = xs.length ? { min: xs[0], max: xs[xs.length - 1] } : null;
    const shape = JSON.stringify([curves.map((c) => [c.id, c.color]), axes]);
    if (!this.plot || shape !== this.shape) {
      this.shape = shape;
      this.rebuild(uPlot, data, axes);
    } else if (this.zoom) {
      const zoom = this.zoom;
      this.plot.batch(() => {
        this.plot.setData(data);
        this.plot.setScale('x', zoom);
      });
    } else {
      this.plot.setData(data);
    }
  }

  rebuild(uPlot, data, axes) {
    const zoom = this.zoom;
    if (this.plot) this.plot.destroy();
    this.focused = null;
    this.plot = new uPlot(this.options(axes), data, this.root);
    this.plot.over.append(this.note);
    if (zoom) this.plot.setScale('x', zoom);
  }

  options(axes) {
    return {
      width: this.width(),
      height: HEIGHT,
      legend: { live: false },
      cursor: { focus: { prox: 24 }, points: { show: false } },
      focus: { alpha: 0.25 },
      scales: { x: { time: false }, y: axes.log ? { distr: 3 } : {} },
      axes: [{ label: axes.xLabel, size: 40 }, { label: axes.yLabel, size: 60 }],
      series: [{ label: axes.xLabel }, ...this.curves.map((c) => ({
        label: c.label, stroke: c.color, width: 1.25, points: { show: false },
      }))],
      hooks: {
        draw: [(u) => this.drawn(u)],
        setScale: [(u, key) => this.scaled(u, key)],
        setSeries: [(u, i, opts) => this.focus(i, opts)],
        setCursor: [(u) => this.pointed(u)],
      },
    };
  }

  // Zoomed when x does not span the data (a double click or new data brings it back).
  scaled(u, key) {
    if (key !== 'x' || !this.extent) return;
    const { min, max } = u.scales.x;
    const span = Math.max(1e-9, this.extent.max - this.extent.min);
    const whole = Math.abs(min - this.extent.min) <= span * 1e-9 &&
        Math.abs(max - this.extent.max) <= span * 1e-9;
    this.zoom = whole ? null : { min, max };
  }

  drawn(u) {
    this.drawMarks(u);
    if (this.started === null) return;
    const ms = performance.now() - this.started;
    this.started = null;
    document.body.dataset.curvesDrawnMs = ms.toFixed(1);
    window.dispatchEvent(new CustomEvent('curves-drawn', { detail: { ms } }));
  }

  // Stop points as crosses, non-finite values as ticks at the top edge.
  drawMarks(u) {
    const { ctx, bbox } = u;
    const r = 4 * devicePixelRatio;
    ctx.save();
    ctx.lineWidth = 2 * devicePixelRatio;
    this.curves.forEach((c, i) => {
      if (!u.series[i + 1].show) return;
      ctx.strokeStyle = c.color;
      ctx.beginPath();
      c.ys.forEach((y, j) => {
        if (Number.isFinite(y)) return;
        const x = u.valToPos(c.xs[j], 'x', true);
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + 2 * r);
      });
      const last = c.ys.length - 1;
      if (c.stopped && last >= 0 && Number.isFinite(c.ys[last]) && (u.scales.y.distr !== 3 || c.ys[last] > 0)) {
        const x = u.valToPos(c.xs[last], 'x', true);
        const y = u.valToPos(c.ys[last], 'y', true);
        ctx.moveTo(x - r, y - r);
        ctx.lineTo(x + r, y + r);
        ctx.moveTo(x - r, y + r);
        ctx.lineTo(x + r, y - r);
      }
      ctx.stroke();
    });
    ctx.restore();
  }

  focus(i, opts) {
    if (opts.focus === undefined) return;
    this.focused = i !== null && i > 0 ? i : null;
  }

  // The note: the focused curve's point nearest the pointer.
  pointed(u) {
    const curve = this.focused !== null ? this.curves[this.focused - 1] : null;
    const { left, top } = u.cursor;
    if (!curve || curve.xs.length === 0 || left === undefined || left < 0) {
      this.note.hidden = true;
      return;
    }
    const j = nearest(curve.xs, u.posToVal(left, 'x'));
    this.note.textContent =
        `${curve.label} · step ${curve.steps[j]} · ${formatNumber(curve.values[j])}`;
    this.note.style.left = `${Math.min(left + 12, u.over.clientWidth - 180)}px`;
    this.note.style.top = `${Math.max(0, top - 28)}px`;
    this.note.hidden = false;
  }

  resize() {
    if (this.plot) this.plot.setSize({ width: this.width(), height: HEIGHT });
  }

  dispose() {
    this.disposed = true;
    if (this.plot) this.plot.destroy();
    this.plot = null;
  }
}
