// What the sweep page gives the user to act with, in one place so that the page mounts it
// with a line or two: the sweep's action buttons (sweep_actions.js) and the trials table's
// "Columns" menu (column_menu.js) for the toolbar, and the range filters' chips
// (range_filters.js) for above the table.

import { ColumnMenu } from './column_menu.js';
import { RangeFilters } from './range_filters.js';
import { SweepActions } from './sweep_actions.js';

export class TableControls {
  // Borrows the page's SweepView and VirtualTable (built with that view).
  constructor(sweepId, view, table) {
    this.actions = new SweepActions(sweepId, view);
    this.columns = new ColumnMenu(view, table);
    this.ranges = new RangeFilters(view, table);
    this.toolbar = [this.columns.root, this.actions.root];  // toolbar items, in order
    this.chips = this.ranges.root;
  }

  // ctx as the page gives its panels.
  update(ctx) {
    this.actions.update(ctx);
  }

  dispose() {
    this.actions.dispose();
    this.columns.dispose();
    this.ranges.dispose();
  }
}
