// The sweeps page (/): every sweep with its state, method, trial counts, best value, start and
// duration, and a form to submit a new one (submit_form.js). Re-polled while open (the list is
// one small request); rows are updated in place, so the user's scroll position and text
// selection stay.

import { listSweeps } from './api.js';
import { el, setText } from './dom.js';
import { elapsed, formatDuration, formatNumber, formatTime } from './format.js';
import { LiveUpdater } from './live_updater.js';
import { SubmitForm } from './submit_form.js';

const POLL_MS = 1000;
const COUNTS = ['pending', 'running', 'completed', 'failed', 'stopped', 'lost'];

const COLUMNS = [
  { label: '#', text: (s) => String(s.id), align: 'right' },
  { label: 'name', link: true },
  { label: 'state', text: (s) => s.state, cellClass: (s) => `state-${s.state}` },
  { label: 'method', text: (s) => s.method },
  ...COUNTS.map((name) => ({ label: name, text: (s) => String(s.counts[name]), align: 'right' })),
  { label: 'trials', text: trialsText, align: 'right' },
  { label: 'metric', text: metricText },
  { label: 'best', text: bestText, align: 'right' },
  { label: 'started', text: (s) => formatTime(s.created_ms) },
  { label: 'duration', text: (s) => formatDuration(elapsed(s.created_ms, s.finished_ms)),
    align: 'right' },
];

function trialsText(sweep) {
  const planned = sweep.planned_trials === null ? '' : ` / ${sweep.planned_trials}`;
  return `${sweep.counts.total}${planned}`;
}

function metricText(sweep) {
  return sweep.metric ? `${sweep.metric.name} (${sweep.metric.goal})` : '';
}

function bestText(sweep) {
  if (!sweep.best) return '';
  return `${formatNumber(sweep.best.value)} (trial ${sweep.best.trial})`;
}

export class SweepsPage {
  constructor(root) {
    this.rows = new Map();  // sweep id -> { tr, cells, link }
    this.tbody = el('tbody');
    this.empty = el('p', { class: 'empty', hidden: true }, 'No sweeps yet: submit one with ',
                    el('code', {}, 'labsweep submit sweep.yaml'), '.');
    const head = el('tr', {}, ...COLUMNS.map((c) => el('th', { class: c.align || '' }, c.label)));
    this.form = new SubmitForm();
    this.form.root.hidden = true;
    this.toggle = el('button', { type: 'button', id: 'new-sweep', 'aria-expanded': 'false',
                                 onclick: () => this.toggleForm() }, 'New sweep');
    root.replaceChildren(
      el('div', { class: 'page-head' }, el('h1', {}, 'Sweeps'), this.toggle), this.form.root,
      this.empty,
      el('div', { class: 'scroll' },
         el('table', { class: 'grid', id: 'sweeps' }, el('thead', {}, head), this.tbody)));
    this.updater = new LiveUpdater(() => this.refresh(), POLL_MS).start();
  }

  toggleForm() {
    const open = this.form.root.hidden;
    this.form.root.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) this.form.editor.text.focus();
  }

  async refresh() {
    const sweeps = await listSweeps();
    this.empty.hidden = sweeps.length > 0;
    // Newest first: the sweep someone just started is the one they look for.
    sweeps.sort((a, b) => b.id - a.id);
    sweeps.forEach((sweep, i) => this.updateRow(sweep, i));
  }

  updateRow(sweep, position) {
    let row = this.rows.get(sweep.id);
    if (!row) {
      row = this.makeRow(sweep);
      this.rows.set(sweep.id, row);
    }
    if (this.tbody.children[position] !== row.tr) {
      this.tbody.insertBefore(row.tr, this.tbody.children[position] || null);
    }
    COLUMNS.forEach((column, c) => {
      if (column.link) setText(row.link, sweep.name);
      else setText(row.cells[c], column.text(sweep));
      if (column.cellClass) row.cells[c].className = column.cellClass(sweep);
    });
  }

  makeRow(sweep) {
    const link = el('a', { href: `/sweeps/${sweep.id}` });
    const cells = COLUMNS.map((c) => el('td', { class: c.align || '' }, c.link ? link : null));
    const tr = el('tr', { 'data-sweep': sweep.id }, ...cells);
    return { tr, cells, link };
  }

  dispose() {
    this.updater.stop();
    this.form.dispose();
  }
}
