// Links to trials and their sweeps, "trial 12 (sweep 3)", for places that list the trials
// running somewhere (the agents page).

import { el } from './dom.js';

// `entries`: [{trial, sweep}], sweep null when unknown. The nodes to put in a container.
export function trialLinks(entries) {
  const nodes = [];
  entries.forEach(({ trial, sweep }, i) => {
    if (i > 0) nodes.push(', ');
    const item = el('span', { class: 'trial-link' },
                    el('a', { href: `/trials/${trial}`, 'data-trial': trial }, `trial ${trial}`));
    if (sweep !== null && sweep !== undefined) {
      item.append(' (', el('a', { href: `/sweeps/${sweep}` }, `sweep ${sweep}`), ')');
    }
    nodes.push(item);
  });
  return nodes;
}

// A key that changes when the entries do, so that links are rebuilt only then (a click on a
// link that is replaced under the pointer is lost).
export function linksKey(entries) {
  return entries.map(({ trial, sweep }) => `${trial}:${sweep}`).join(',');
}
