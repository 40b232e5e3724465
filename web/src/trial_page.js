// One trial (/trials/ID): what it ran (parameters, the command), how it went (its state
// history from the event log, exit code, signal, stop reason, the end of its stderr), every
// metric it reported as a small chart, and its stdout and stderr following live while it runs.
// Polls once a second while the trial is pending or running, and slowly once it has ended (a
// failed trial may be retried).

import { ApiError, getTrial, listAgents, listTrialEvents } from './api.js';
import { el, setText } from './dom.js';
import { elapsed, formatDuration, formatTime, formatValue } from './format.js';
import { LiveUpdater } from './live_updater.js';
import { MetricCharts } from './metric_charts.js';
import { OutputTail } from './output_tail.js';

const POLL_MS = 1000;
const ENDED_POLL_MS = 5000;
const LIVE = new Set(['pending', 'running']);

// An argv as one line a shell would read back: words with anything but safe characters quoted.
export function shellLine(argv) {
  return argv.map((word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)
    ? word : `'${word.replaceAll("'", "'\\''")}'`)).join(' ');
}

function section(name, title, ...body) {
  return el('section', { class: 'panel', id: `trial-${name}` }, el('h2', {}, title), ...body);
}

export class TrialPage {
  // `onSweep(sweepId)` is told the trial's sweep once it is known (for the crumbs).
  constructor(root, id, onSweep = () => {}) {
    this.id = id;
    this.onSweep = onSweep;
    this.trial = null;
    this.agents = null;
    this.eventsAfter = 0;
    this.title = el('h1', {}, `Trial ${id}`);
    this.summary = el('div', { class: 'summary' });
    this.params = el('tbody');
    this.command = el('pre', { class: 'command' });
    this.history = el('tbody');
    this.stderrTail = el('pre', { class: 'output' });
    this.ending = section('ending', 'stderr at the end', this.stderrTail);
    this.ending.hidden = true;
    this.metrics = new MetricCharts(id);
    this.stdout = new OutputTail(id, 'stdout');
    this.stderr = new OutputTail(id, 'stderr');
    root.replaceChildren(
      this.title, this.summary,
      el('div', { class: 'trial-grid' },
         section('params', 'Parameters', el('table', { class: 'grid' }, this.params)),
         section('command', 'Command', this.command),
         section('history', 'State history',
                 el('table', { class: 'grid' },
                    el('thead', {}, el('tr', {}, el('th', {}, 'time'), el('th', {}, 'event'),
                                       el('th', {}, 'message'))),
                    this.history)),
         this.ending),
      section('metrics', 'Metrics', this.metrics.root),
      el('div', { class: 'trial-output' },
         section('stdout', 'stdout', this.stdout.root),
         section('stderr', 'stderr', this.stderr.root)));
    this.updater = new LiveUpdater(() => this.refresh(), POLL_MS).start();
  }

  async refresh() {
    let trial;
    try {
      trial = await getTrial(this.id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.updater.stop();
        setText(this.title, `Trial ${this.id} does not exist`);
        return;
      }
      throw error;
    }
    if (!this.trial) this.first(trial);
    if (this.trial && trial.attempts !== this.trial.attempts) {
      this.stdout.reset();
      this.stderr.reset();
    }
    const wasLive = !this.trial || LIVE.has(this.trial.status);
    this.trial = trial;
    this.showSummary(trial);
    // Output and events after the trial's state, so that an ended trial's last lines and its
    // end event are there by the time the page shows it ended.
    await Promise.all([this.stdout.poll(), this.stderr.poll(), this.readEvents(),
                       this.metrics.update(trial.metrics)]);
    this.showEnding(trial);
    this.updater.intervalMs = LIVE.has(trial.status) || wasLive ? POLL_MS : ENDED_POLL_MS;
  }

  // What never changes: the parameters, the command, the sweep.
  first(trial) {
    this.onSweep(trial.sweep);
    const params = trial.params ?? {};
    const rows = Object.entries(params).map(([name, value]) => el('tr', {},
      el('th', {}, name), el('td', { class: 'param-value' }, formatValue(value))));
    if (trial.params === null) rows.push(el('tr', {}, el('td', {}, trial.params_text ?? '')));
    this.params.replaceChildren(...rows);
    setText(this.command, trial.command ? shellLine(trial.command) : '(the sweep file no longer reads)');
  }

  agentName(id) {
    if (id === null || id === undefined) return null;
    return (this.agents && this.agents.get(id)) || `agent ${id}`;
  }

  showSummary(t) {
    if (t.agent !== null && !(this.agents && this.agents.has(t.agent))) this.loadAgents();
    const item = (label, value) => (value === null || value === undefined || value === ''
      ? null : el('span', {}, `${label} `, el('b', {}, String(value))));
    const state = el('span', {}, 'state ', el('b', { class: `state-${t.status}`, id: 'trial-status' },
                                              t.status));
    this.summary.replaceChildren(...[
      el('span', {}, el('a', { href: `/sweeps/${t.sweep}` }, `sweep ${t.sweep}`)),
      state,
      item('agent', this.agentName(t.agent)),
      item('GPUs', t.gpus && t.gpus.length ? t.gpus.join(', ') : null),
      item('attempts', t.attempts),
      item('started', formatTime(t.started_ms)),
      item('finished', formatTime(t.finished_ms)),
      item('duration', formatDuration(elapsed(t.started_ms, t.finished_ms))),
      item('exit code', t.exit_code),
      item('signal', t.signal),
      item('stop reason', t.stop_reason),
    ].filter(Boolean));
  }

  async loadAgents() {
    if (this.loadingAgents) return;
    this.loadingAgents = true;
    try {
      this.agents = new Map((await listAgents()).map((a) => [a.id, a.name]));
    } finally {
      this.loadingAgents = false;
    }
  }

  async readEvents() {
    for (;;) {
      const page = await listTrialEvents(this.id, this.eventsAfter);
      for (const e of page.events) {
        this.history.append(el('tr', { 'data-kind': e.kind },
                               el('td', {}, formatTime(e.time_ms)), el('td', {}, e.kind),
                               el('td', {}, e.message)));
      }
      if (page.next_after === this.eventsAfter || page.events.length === 0) return;
      this.eventsAfter = page.next_after;
    }
  }

  // Why a trial that did not complete ended: the last of its stderr, as the agent kept it,
  // scrolled to its end (the full stderr is in its box below).
  showEnding(t) {
    const failed = !LIVE.has(t.status) && t.status !== 'completed';
    this.ending.hidden = !failed || !t.stderr_tail;
    setText(this.stderrTail, failed ? t.stderr_tail : '');
    this.stderrTail.scrollTop = this.stderrTail.scrollHeight;
  }

  dispose() {
    this.updater.stop();
    this.metrics.dispose();
  }
}
