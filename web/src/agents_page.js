// The agents page (/agents): every machine with its GPUs (name, utilisation, memory, whether it
// is free, used by labsweep's trials or by someone else), the trials on each, its slots and
// its last heartbeat. Live: GET /api/v1/agents again every two seconds (one small request; the
// agents send their GPU states every second), cards and rows updated in place so that the
// scroll position and a link under the pointer stay; heartbeat ages tick every second.

import { listAgents } from './api.js';
import { AgentCard } from './agent_card.js';
import { el, setText } from './dom.js';
import { gpuStatus } from './gpu_status.js';
import { LiveUpdater } from './live_updater.js';

const POLL_MS = 2000;
const TICK_MS = 1000;

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// "2 agents (2 online) · 4 GPUs: 1 free, 2 labsweep, 1 in use by others · 3 of 6 slots used"
function summaryText(agents) {
  const online = agents.filter((a) => a.state === 'online').length;
  const gpus = agents.flatMap((a) => a.gpus);
  const counts = new Map();
  for (const gpu of gpus) {
    const { text } = gpuStatus(gpu);
    counts.set(text, (counts.get(text) || 0) + 1);
  }
  const byStatus = [...counts].map(([text, n]) => `${n} ${text}`).join(', ');
  const used = agents.reduce((n, a) => n + a.slots_used, 0);
  const total = agents.reduce((n, a) => n + a.slots_total, 0);
  return `${plural(agents.length, 'agent')} (${online} online) · ${plural(gpus.length, 'GPU')}` +
      `${byStatus ? ': ' + byStatus : ''} · ${used} of ${total} slots used`;
}

export class AgentsPage {
  constructor(root) {
    this.cards = new Map();  // agent name -> AgentCard
    this.summary = el('p', { class: 'summary', id: 'agents-summary' });
    this.empty = el('p', { class: 'empty', hidden: true }, 'No agent has connected yet: start one with ',
                    el('code', {}, 'labsweep agent --server ENDPOINT'), '.');
    this.list = el('div', { class: 'agents', id: 'agents' });
    root.replaceChildren(el('h1', {}, 'Agents'), this.summary, this.empty, this.list);
    this.updater = new LiveUpdater(() => this.refresh(), POLL_MS).start();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  async refresh() {
    const agents = await listAgents();
    this.empty.hidden = agents.length > 0;
    setText(this.summary, summaryText(agents));
    const seen = new Set();
    agents.forEach((agent, position) => {
      seen.add(agent.name);
      let card = this.cards.get(agent.name);
      if (!card) {
        card = new AgentCard(agent.name);
        this.cards.set(agent.name, card);
      }
      if (this.list.children[position] !== card.root) {
        this.list.insertBefore(card.root, this.list.children[position] || null);
      }
      card.update(agent);
    });
    for (const [name, card] of this.cards) {
      if (seen.has(name)) continue;
      card.root.remove();
      this.cards.delete(name);
    }
  }

  tick() {
    const now = Date.now();
    for (const card of this.cards.values()) card.tick(now);
  }

  dispose() {
    this.updater.stop();
    clearInterval(this.ticker);
  }
}
