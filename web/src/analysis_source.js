// The sweep's parameter importance (GET /sweeps/ID/importance), shared by the analysis panels:
// asked for again only when the number of finished trials changes (the server computes it from
// those), and then once for all the panels, whichever asks first. An answer that left out a
// finished trial (its last points may commit after its end) is asked for again after a while.

import { getImportance } from './api.js';

const answers = new Map();  // sweep id → {finished, promise, expires}
const RETRY_MS = 3000;

// Completed and stopped trials: the ones the server's importance is computed from.
export function finishedTrials(sweep) {
  return sweep.counts.completed + sweep.counts.stopped;
}

// A promise of the answer, or of {error} when the request failed (asked again next time).
export function importanceOf(sweep) {
  const finished = finishedTrials(sweep);
  const kept = answers.get(sweep.id);
  if (kept && kept.finished === finished && !(kept.expires < Date.now())) return kept.promise;
  const entry = { finished, promise: null, expires: Infinity };
  entry.promise = getImportance(sweep.id).then((answer) => {
    if (answer.trials_used < finished) entry.expires = Date.now() + RETRY_MS;
    return answer;
  }, (error) => {
    if (answers.get(sweep.id) === entry) answers.delete(sweep.id);
    return { error: error.message };
  });
  answers.set(sweep.id, entry);
  return entry.promise;
}

// The parameter's axis as the server reads the sweep file: {name, scale: 'linear' | 'log' |
// 'categorical', values?}; undefined before the answer or for a parameter it does not list.
export function axisSpec(answer, name) {
  return answer && answer.space ? answer.space.find((a) => a.name === name) : undefined;
}
