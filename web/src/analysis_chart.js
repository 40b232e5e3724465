// What the sweep page's charts of trials against the server's importance answer share (the
// scatter and the parallel coordinates): they keep the page's context, draw again when it
// changed or when a new importance answer arrives (it names the parameters' scales and order),
// and when the view changes in one of the ways that concern them.

import { importanceOf } from './analysis_source.js';

export class AnalysisChart {
  // Borrows the page's SweepView; `redrawOn`: the view's changes (its event's `what`) that
  // call for a new drawing.
  constructor(view, redrawOn) {
    this.view = view;
    this.data = null;
    this.answer = null;
    this.onViewChange = (event) => {
      if (redrawOn.includes(event.detail.what)) this.draw();
    };
    view.addEventListener('change', this.onViewChange);
  }

  update(ctx) {
    const first = this.data === null;
    this.data = ctx;
    importanceOf(ctx.sweep).then((answer) => {
      if (answer.error || answer === this.answer) return;
      this.answer = answer;
      this.refit();
    });
    if (first || ctx.changed) this.refit();
  }

  // What new trials or a new answer change; a chart whose layout depends on them does more.
  refit() {
    this.draw();
  }

  dispose() {
    this.view.removeEventListener('change', this.onViewChange);
  }
}
