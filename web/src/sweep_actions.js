// The sweep page's buttons that change things: stop the sweep (after a confirmation), resume a
// stopped one, and stop the chosen trials that are still pending or running (one request per
// trial). What the server refuses is said beside the buttons; the new states show with the
// page's next refresh.

import { resumeSweep, stopSweep, stopTrial } from './api.js';
import { el, setText } from './dom.js';

const STOPPABLE = new Set(['pending', 'running']);
const PARALLEL = 8;  // trial stops in flight at once

export class SweepActions {
  // `view` is the page's SweepView: its chosen trials are the ones "Stop selected" stops.
  constructor(sweepId, view) {
    this.sweepId = sweepId;
    this.view = view;
    this.sweep = null;
    this.trials = new Map();
    this.busy = false;
    this.stopSweepButton = el('button', { type: 'button', id: 'stop-sweep', hidden: true,
                                          onclick: () => this.stopSweep() }, 'Stop sweep');
    this.resumeButton = el('button', { type: 'button', id: 'resume-sweep', hidden: true,
                                       onclick: () => this.resume() }, 'Resume sweep');
    this.stopTrialsButton = el('button', { type: 'button', id: 'stop-trials', disabled: true,
                                           onclick: () => this.stopTrials() },
                               'Stop selected trials');
    this.message = el('span', { class: 'action-message', id: 'action-message', role: 'status' });
    this.root = el('span', { class: 'actions' }, this.stopSweepButton, this.resumeButton,
                   this.stopTrialsButton, this.message);
    this.onViewChange = (event) => {
      if (event.detail.what === 'selected') this.draw();
    };
    view.addEventListener('change', this.onViewChange);
  }

  update(ctx) {
    this.sweep = ctx.sweep;
    if (ctx.changed || this.trials.size !== ctx.trials.length) {
      this.trials = new Map(ctx.trials.map((t) => [t.id, t]));
    }
    this.draw();
  }

  // The chosen trials that can still be stopped.
  stoppable() {
    return [...this.view.selected].filter((id) => {
      const trial = this.trials.get(id);
      return trial && STOPPABLE.has(trial.status);
    });
  }

  draw() {
    const state = this.sweep ? this.sweep.state : null;
    this.stopSweepButton.hidden = state !== 'running';
    this.resumeButton.hidden = state !== 'stopped';
    this.stopSweepButton.disabled = this.resumeButton.disabled = this.busy;
    const n = this.stoppable().length;
    this.stopTrialsButton.disabled = this.busy || n === 0;
    setText(this.stopTrialsButton, n > 1 ? `Stop selected trials (${n})` : 'Stop selected trials');
  }

  async run(what, action) {
    this.busy = true;
    this.draw();
    this.say('', false);
    try {
      this.say(await action(), false);
    } catch (error) {
      this.say(`${what}: ${error.message}`, true);
    } finally {
      this.busy = false;
      this.draw();
    }
  }

  stopSweep() {
    const question = `Stop sweep ${this.sweepId}? No new trials start and its running trials ` +
        'are stopped. A stopped sweep can be resumed.';
    if (!window.confirm(question)) return;
    this.run('Could not stop the sweep', async () => {
      await stopSweep(this.sweepId);
      return 'Sweep stopping…';
    });
  }

  resume() {
    this.run('Could not resume the sweep', async () => {
      await resumeSweep(this.sweepId);
      return 'Sweep resuming…';
    });
  }

  stopTrials() {
    const ids = this.stoppable().sort((a, b) => a - b);
    this.run('Could not stop every trial', async () => {
      const failed = [];
      for (let i = 0; i < ids.length; i += PARALLEL) {
        const batch = ids.slice(i, i + PARALLEL);
        const outcomes = await Promise.allSettled(batch.map(stopTrial));
        outcomes.forEach((o, k) => {
          if (o.status === 'rejected') failed.push(`trial ${batch[k]}: ${o.reason.message}`);
        });
      }
      if (failed.length) throw new Error(failed.join('; '));
      return `Stopping ${ids.length} trial${ids.length === 1 ? '' : 's'}…`;
    });
  }

  say(text, bad) {
    setText(this.message, text);
    this.message.classList.toggle('bad', bad);
  }

  dispose() {
    this.view.removeEventListener('change', this.onViewChange);
  }
}
