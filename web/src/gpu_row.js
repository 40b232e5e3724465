// One GPU's row on the agents page: index and name, a utilisation bar, a memory bar (the part
// labsweep's trials use and the part others use), a badge saying whose it is, and the trials
// on it with links to them and their sweeps. Updated in place on each refresh, so that a link
// under the pointer stays.

import { el, setText } from './dom.js';
import { gib, gpuStatus, memoryUse } from './gpu_status.js';
import { linksKey, trialLinks } from './trial_links.js';

function percentOf(part, total) {
  return total > 0 ? `${Math.min(100, (100 * part) / total)}%` : '0%';
}

export class GpuRow {
  constructor() {
    this.index = el('td', { class: 'right' });
    this.name = el('td', { class: 'gpu-name' });
    this.utilFill = el('span', { class: 'bar-fill bar-util' });
    this.utilText = el('span', { class: 'bar-text gpu-util' });
    this.memOurs = el('span', { class: 'bar-fill bar-ours' });
    this.memOthers = el('span', { class: 'bar-fill bar-others' });
    this.memBar = el('span', { class: 'bar' }, this.memOurs, this.memOthers);
    this.memText = el('span', { class: 'bar-text gpu-memory' });
    this.badge = el('span', { class: 'badge' });
    this.trials = el('td', { class: 'gpu-trials' });
    this.trialsKey = null;
    this.tr = el('tr', { class: 'gpu' }, this.index, this.name,
                 el('td', {}, el('span', { class: 'bar' }, this.utilFill), this.utilText),
                 el('td', {}, this.memBar, this.memText), el('td', {}, this.badge), this.trials);
  }

  // `sweepOf`: trial id -> sweep id, for the links.
  update(gpu, sweepOf) {
    this.tr.dataset.gpu = String(gpu.index);
    setText(this.index, String(gpu.index));
    setText(this.name, gpu.name);
    this.drawUtilisation(gpu.utilization_percent);
    this.drawMemory(memoryUse(gpu));
    const status = gpuStatus(gpu);
    const badgeClass = `badge ${status.key.split(' ').map((k) => `badge-${k}`).join(' ')}`;
    if (this.badge.className !== badgeClass) this.badge.className = badgeClass;
    this.tr.dataset.status = status.key;
    setText(this.badge, status.text);
    const entries = gpu.trials.map((trial) => ({ trial, sweep: sweepOf.get(trial) ?? null }));
    const key = linksKey(entries);
    if (key !== this.trialsKey) {
      this.trialsKey = key;
      this.trials.replaceChildren(...trialLinks(entries));
    }
  }

  drawUtilisation(percent) {
    const known = percent !== null && percent !== undefined;
    this.utilFill.style.width = known ? `${Math.min(100, Math.max(0, percent))}%` : '0%';
    setText(this.utilText, known ? `${percent} %` : 'n/a');
    this.utilText.title = known ? '' : 'the agent does not report utilisation for this GPU';
  }

  drawMemory(mem) {
    this.memOurs.style.width = percentOf(mem.ours, mem.total);
    this.memOthers.style.width = percentOf(mem.others, mem.total);
    setText(this.memText, `${gib(mem.used)} / ${gib(mem.total)}`);
    this.memBar.title = `labsweep ${gib(mem.ours)}, others ${gib(mem.others)}`;
  }
}
