// A sweep's trials, kept current in the browser. The first load pages through them all; each
// refresh asks only for what can have changed: trials newer than the newest known, the
// running and pending ones, and those that were running or pending last time and are neither
// now (they ended). A finished sweep of 10,000 trials costs one small request per refresh.

import { getTrial, listTrials } from './api.js';

const ACTIVE = new Set(['pending', 'running']);

// What the sweep page uses of a trial (its table, panels and links): the rest, a failed trial's
// stderr tail above all, would only make the first load of 10,000 trials larger.
const FIELDS = ['id', 'params', 'status', 'agent', 'gpus', 'stop_reason', 'started_ms',
                'finished_ms', 'metrics'];

// A whole trial (GET /trials/ID) cut to FIELDS, as the lists send it.
function cut(trial) {
  const out = {};
  for (const field of [...FIELDS, 'params_text']) if (field in trial) out[field] = trial[field];
  return out;
}

export class SweepTrials {
  constructor(sweepId) {
    this.sweepId = sweepId;
    this.byId = new Map();
    this.maxId = 0;
  }

  all() {
    return [...this.byId.values()];
  }

  put(trial) {
    this.byId.set(trial.id, trial);
    if (trial.id > this.maxId) this.maxId = trial.id;
  }

  async load() {
    for (const trial of await listTrials(this.sweepId, { fields: FIELDS })) this.put(trial);
  }

  active() {
    return this.all().filter((t) => ACTIVE.has(t.status)).map((t) => t.id);
  }

  // Fetches what may have changed; true when anything did.
  async refresh() {
    const before = this.active();
    const fresh = [
      ...await listTrials(this.sweepId, { after: this.maxId, fields: FIELDS }),
      ...await listTrials(this.sweepId, { status: 'running', fields: FIELDS }),
      ...await listTrials(this.sweepId, { status: 'pending', fields: FIELDS }),
    ];
    const seen = new Set(fresh.map((t) => t.id));
    // Ended since the last refresh: asked for one by one, a few at a time.
    const ended = before.filter((id) => !seen.has(id));
    for (let i = 0; i < ended.length; i += 8) {
      fresh.push(...(await Promise.all(ended.slice(i, i + 8).map(getTrial))).map(cut));
    }
    let changed = false;
    for (const trial of fresh) {
      const old = this.byId.get(trial.id);
      if (!old || JSON.stringify(old) !== JSON.stringify(trial)) changed = true;
      this.put(trial);
    }
    return changed;
  }
}
