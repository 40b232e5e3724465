// One sweep (/sweeps/ID): a summary line, the panels (charts and the like) and the trials
// table, virtualised, sortable by any column and filtered. What the user chose lives in a
// SweepView (sweep_view.js), which is in the address, so the view can be shared. Live: the
// sweep and its changed trials are re-read while the page is open and handed to every panel;
// sort, filters, selection and scroll position stay.

import { ApiError, getSweep, listAgents } from './api.js';
import { el, setText } from './dom.js';
import { elapsed, formatDuration, formatNumber, formatTime } from './format.js';
import { ImportancePanel } from './importance_panel.js';
import { LearningCurves } from './learning_curves.js';
import { LiveUpdater } from './live_updater.js';
import { ParallelCoords } from './parallel_coords.js';
import { ScatterPlot } from './scatter_plot.js';
import { SweepTrials } from './sweep_trials.js';
import { SweepView } from './sweep_view.js';
import { TableControls } from './table_controls.js';
import { comparator, columnSignature, STATES, trialColumns } from './trial_columns.js';
import { VirtualTable } from './virtual_table.js';

const POLL_MS = 1000;
const IDLE_POLL_MS = 5000;  // an ended sweep changes only when resumed

function afterNextPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

// Lets the browser handle input and paint before the next piece of work.
function nextTask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class SweepPage {
  constructor(root, id, params) {
    this.id = id;
    this.view = new SweepView(params);
    this.trials = new SweepTrials(id);
    this.agents = new Map();
    this.signature = null;
    this.table = new VirtualTable({ onSort: (key) => this.sortBy(key), view: this.view });
    this.controls = new TableControls(id, this.view, this.table);
    this.title = el('h1', {}, `Sweep ${id}`);
    this.summary = el('div', { class: 'summary' });
    this.shown = el('span', { class: 'shown' });
    // Each panel is {root, update(ctx), dispose()} (see updatePanels for ctx); its root is a
    // panelSection (panel.js). Panels are laid out in this order.
    this.panels = [
      new LearningCurves(this.view),
      new ImportancePanel(this.view),
      new ScatterPlot(this.view),
      new ParallelCoords(this.view),
    ];
    this.onViewChange = (event) => this.viewChanged(event.detail.what);
    this.view.addEventListener('change', this.onViewChange);
    root.replaceChildren(this.title, this.summary, this.toolbar(), this.panelGrid(),
                         this.controls.chips, this.table.root);
    this.updater = new LiveUpdater(() => this.refresh(), POLL_MS).start();
  }

  panelGrid() {
    return el('div', { class: 'panels' }, ...this.panels.map((panel) => panel.root));
  }

  toolbar() {
    const select = el('select', { id: 'state-filter', 'aria-label': 'state',
                                  onchange: (e) => this.filterBy(e.target.value) },
                      el('option', { value: '' }, 'every state'),
                      ...STATES.map((s) => el('option', { value: s }, s)));
    select.value = this.view.state;
    return el('div', { class: 'toolbar' }, el('label', {}, 'Show ', select), this.shown,
              ...this.controls.toolbar);
  }

  async refresh() {
    // The first time, the sweep and its trials are asked for together: the trials are most of
    // the wait.
    const trialsLoaded = this.loaded ? null : this.trials.load();
    let sweep;
    try {
      sweep = await getSweep(this.id);
    } catch (error) {
      trialsLoaded?.catch(() => {});  // the sweep's own error says it
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      this.updater.stop();
      this.table.root.replaceWith(el('p', { class: 'empty' }, error.message));
      return;
    }
    this.sweep = sweep;
    let changed = false;
    let first = false;
    if (!this.loaded) {
      await trialsLoaded;
      this.loaded = true;
      changed = true;
      first = true;
    } else if (sweep.state === 'running' || this.trials.active().length > 0) {
      changed = await this.trials.refresh();
    }
    await this.learnAgents();
    this.drawSummary();
    this.updateTable(changed);
    // The first time, the table is painted before the panels start their work (drawing 10,000
    // lines and points, asking for curves and importance), so that it answers input at once.
    if (first) await afterNextPaint();
    if (this.disposed) return;
    await this.updatePanels(changed);
    if (this.disposed) return;
    this.updater.intervalMs =
        sweep.state === 'running' || this.trials.active().length ? POLL_MS : IDLE_POLL_MS;
  }

  // Agent names, asked for again only when a trial names an agent not seen yet.
  async learnAgents() {
    const unknown = this.trials.all().some((t) => t.agent !== null && !this.agents.has(t.agent));
    if (!unknown) return;
    for (const agent of await listAgents()) this.agents.set(agent.id, agent.name);
    // An agent the server no longer knows is not asked for again; it shows by id.
    for (const trial of this.trials.all()) {
      if (trial.agent !== null && !this.agents.has(trial.agent)) this.agents.set(trial.agent, null);
    }
  }

  drawSummary() {
    const s = this.sweep;
    setText(this.title, `Sweep ${s.id}: ${s.name}`);
    const best = s.best ? `${formatNumber(s.best.value)} (trial ${s.best.trial}, step ${s.best.step})` : '–';
    const parts = [
      ['state', s.state], ['method', s.method],
      ['metric', s.metric ? `${s.metric.name} (${s.metric.goal})` : '–'], ['best', best],
      ['trials', `${s.counts.total}${s.planned_trials === null ? '' : ' / ' + s.planned_trials}`],
      ...STATES.map((state) => [state, String(s.counts[state])]),
      ['started', formatTime(s.created_ms)],
      ['duration', formatDuration(elapsed(s.created_ms, s.finished_ms))],
    ];
    this.summary.replaceChildren(...parts.map(([name, value]) =>
      el('span', { class: `fact fact-${name}` }, el('b', {}, name), ' ', value)));
  }

  // New columns when a parameter or metric appears; re-sorted rows when anything changed
  // (durations of running trials move every second, so the rows are redrawn each time).
  updateTable(changed) {
    const all = this.trials.all();
    const signature = columnSignature(all);
    if (JSON.stringify(signature) !== JSON.stringify(this.signature)) {
      this.signature = signature;
      this.columns = trialColumns(this.sweep, signature, (id) => this.agents.get(id) ?? (id === null ? null : `agent ${id}`));
      this.table.setColumns(this.columns);
      changed = true;
    }
    const { sort } = this.view;
    const sortable = this.columns.some((c) => c.key === sort.key);
    this.table.setSort(sortable ? sort.key : 'id', sortable ? sort.dir : 'asc');
    if (changed || sort.key === 'duration') this.applyView(all);
    else this.table.scheduleDraw();
  }

  // The rows the table shows, in its order; panels are given the same.
  applyView(all = this.trials.all()) {
    const { sort } = this.view;
    const column = this.columns.find((c) => c.key === sort.key) ?? this.columns[0];
    this.rows = this.view.filter(all, this.columns);
    this.rows.sort(comparator(column, column.key === sort.key ? sort.dir : 'asc'));
    this.table.setRows(this.rows);
    setText(this.shown, `${this.rows.length} of ${all.length} trials`);
  }

  // ctx: the sweep, every trial, the rows as the table shows them (filtered and sorted), the
  // columns, whether any trial changed since the last update, the view and the agents' names.
  // Each panel updates in a task of its own, so that input and painting get in between: with
  // 10,000 trials each takes tens of milliseconds.
  async updatePanels(changed) {
    const ctx = { sweep: this.sweep, trials: this.trials.all(), rows: this.rows,
                  columns: this.columns, changed, view: this.view, agents: this.agents };
    for (const panel of this.panels) {
      panel.update(ctx);
      await nextTask();
      if (this.disposed) return;
    }
    this.controls.update(ctx);
  }

  // The table follows the view at once; panels listen to the view themselves.
  viewChanged(what) {
    if (!this.columns) return;
    if (what === 'sort') this.table.setSort(this.view.sort.key, this.view.sort.dir);
    if (what === 'sort' || what === 'state' || what === 'ranges') this.applyView();
  }

  sortBy(key) {
    const { sort } = this.view;
    this.view.setSort(key, sort.key === key && sort.dir === 'asc' ? 'desc' : 'asc');
  }

  filterBy(state) {
    this.view.setState(state);
  }

  dispose() {
    this.disposed = true;
    this.updater.stop();
    this.view.removeEventListener('change', this.onViewChange);
    for (const panel of this.panels) panel.dispose();
    this.controls.dispose();
    this.table.dispose();
  }
}
