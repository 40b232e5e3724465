// One agent on the agents page: its name, host, state and last heartbeat (ticking, "3 s ago"),
// its slots, a row per GPU (gpu_row.js) and the trials on its CPU slots. An agent only the
// store remembers (not connected since the server started) shows its state and last heartbeat.

import { el, setText } from './dom.js';
import { GpuRow } from './gpu_row.js';
import { timeAgo } from './time_ago.js';
import { linksKey, trialLinks } from './trial_links.js';

const GPU_COLUMNS = ['#', 'GPU', 'utilisation', 'memory', 'status', 'trials'];

function fact(key, label, value) {
  const node = el('span', { class: `fact fact-${key}` }, el('b', {}, label), ' ');
  const text = document.createTextNode(value);
  node.append(text);
  return { node, text };
}

export class AgentCard {
  constructor(name) {
    this.host = el('span', { class: 'agent-host' });
    this.state = el('span', { class: 'agent-state' });
    this.beat = el('span', { class: 'agent-beat' });
    this.facts = { slots: fact('slots', 'slots', ''), perGpu: fact('per-gpu', 'slots per GPU', ''),
                   cpu: fact('cpu', 'CPU slots', '') };
    this.factLine = el('div', { class: 'summary' }, ...Object.values(this.facts).map((f) => f.node));
    this.tbody = el('tbody');
    this.gpuTable = el('table', { class: 'grid gpus' },
                       el('thead', {}, el('tr', {}, ...GPU_COLUMNS.map((c) => el('th', {}, c)))),
                       this.tbody);
    this.cpuTrials = el('span', { class: 'cpu-trials' });
    this.cpuLine = el('p', { class: 'agent-cpu' }, el('b', {}, 'on CPU slots: '), this.cpuTrials);
    this.cpuKey = null;
    this.note = el('p', { class: 'empty' });
    this.rows = [];
    this.root = el('section', { class: 'agent-card', 'data-agent': name },
                   el('header', {}, el('h2', {}, name), this.host, this.state, this.beat),
                   this.factLine,
                   this.gpuTable, this.cpuLine, this.note);
    this.lastHeartbeat = null;
  }

  update(agent) {
    setText(this.host, agent.host);
    setText(this.state, agent.state);
    this.state.className = `agent-state agent-${agent.state}`;
    this.lastHeartbeat = agent.last_heartbeat_ms;
    this.tick(Date.now());
    this.factLine.hidden = !agent.live;  // a remembered agent's slots are not known
    this.facts.slots.text.data = `${agent.slots_used} of ${agent.slots_total} used`;
    this.facts.perGpu.text.data = String(agent.slots_per_gpu);
    this.facts.cpu.text.data = String(agent.cpu_slots);
    const sweepOf = new Map((agent.running || []).map((r) => [r.trial, r.sweep]));
    this.updateGpus(agent.gpus, sweepOf);
    this.updateCpu(agent);
    this.note.hidden = agent.live && agent.gpus.length > 0;
    setText(this.note, agent.live ? 'no GPUs offered' : 'not connected since the server started');
  }

  updateGpus(gpus, sweepOf) {
    while (this.rows.length < gpus.length) {
      const row = new GpuRow();
      this.rows.push(row);
      this.tbody.append(row.tr);
    }
    while (this.rows.length > gpus.length) this.rows.pop().tr.remove();
    gpus.forEach((gpu, i) => this.rows[i].update(gpu, sweepOf));
    this.gpuTable.hidden = gpus.length === 0;
  }

  updateCpu(agent) {
    const onCpu = (agent.running || []).filter((r) => r.gpus.length === 0);
    this.cpuLine.hidden = onCpu.length === 0;
    const key = linksKey(onCpu);
    if (key === this.cpuKey) return;
    this.cpuKey = key;
    this.cpuTrials.replaceChildren(...trialLinks(onCpu));
  }

  // The heartbeat's age moves every second, between refreshes too.
  tick(now) {
    setText(this.beat, `last heartbeat ${timeAgo(this.lastHeartbeat, now)}`);
  }
}
