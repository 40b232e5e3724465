// The parameter importance panel: for each parameter that varies, a bar of its share of the
// importance the server's random forest finds (GET /sweeps/ID/importance) and its rank
// correlation with the objective, most important first, with how many finished trials it
// comes from and how much of the objective's variance the forest explains at all (a small
// figure says the bars mean little). Asked for again only when the number of finished trials
// changes. A click on a parameter shows it in the scatter plot.

import { importanceOf } from './analysis_source.js';
import { el, setText } from './dom.js';
import { formatNumber } from './format.js';
import { panelSection } from './panel.js';

function percent(x) {
  return `${(100 * x).toFixed(x >= 0.1 ? 0 : 1)}%`;
}

function correlationText(rho) {
  if (rho === null || rho === undefined) return 'ρ –';
  return `ρ ${rho < 0 ? '−' : '+'}${Math.abs(rho).toFixed(2)}`;
}

export class ImportancePanel {
  // Borrows the page's SweepView.
  constructor(view) {
    this.view = view;
    this.note = el('p', { class: 'muted imp-note' }, 'Waiting for finished trials…');
    this.list = el('ol', { class: 'imp-list' });
    this.root = panelSection('importance', 'Parameter importance', this.note, this.list);
    this.asked = null;
  }

  // importanceOf gives the same promise until there is something new to ask for.
  update(ctx) {
    const asked = importanceOf(ctx.sweep);
    if (asked === this.asked) return;
    this.asked = asked;
    asked.then((answer) => {
      if (asked === this.asked) this.render(answer);
    });
  }

  render(answer) {
    if (answer.error) {
      setText(this.note, `Importance unavailable: ${answer.error}`);
      return;
    }
    this.root.dataset.trialsUsed = String(answer.trials_used);
    if (answer.reason) {
      setText(this.note, answer.reason);
      this.list.replaceChildren();
      return;
    }
    const explained = answer.explained === null ? '' :
      `; the parameters explain ${percent(Math.max(0, answer.explained))} of its variance`;
    setText(this.note, `${answer.metric} (${answer.goal}), from ${answer.trials_used} finished ` +
      `trials${explained}. ρ: rank correlation with ${answer.metric}.`);
    this.list.replaceChildren(...answer.parameters.map((p) => this.row(p)));
  }

  row(p) {
    const bar = el('span', { class: 'imp-bar' });
    bar.style.width = `${(100 * p.importance).toFixed(1)}%`;
    const sign = p.correlation === null ? '' : (p.correlation < 0 ? ' imp-neg' : ' imp-pos');
    return el('li', { class: 'imp-row', 'data-name': p.name,
                      title: `importance ${formatNumber(p.importance)}; show in the scatter plot`,
                      onclick: () => this.view.setExtra('scatter', p.name) },
              el('span', { class: 'imp-name' }, p.name),
              el('span', { class: 'imp-track' }, bar),
              el('span', { class: 'imp-value' }, percent(p.importance)),
              el('span', { class: `imp-corr${sign}` }, correlationText(p.correlation)));
  }

  dispose() {}
}
