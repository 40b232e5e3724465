// The trials table's "Columns" menu: a checkbox per column, ticked when it shows. Unticking
// hides the column (SweepView.setHidden, so the choice is in the address); the list is built
// from the table's current columns each time the menu opens.

import { el } from './dom.js';

export class ColumnMenu {
  // Borrows the page's SweepView and VirtualTable.
  constructor(view, table) {
    this.view = view;
    this.table = table;
    this.button = el('button', { type: 'button', id: 'columns-button', 'aria-haspopup': 'true',
                                 'aria-expanded': 'false', onclick: () => this.toggle() },
                     'Columns ▾');
    this.list = el('div', { class: 'menu-list' });
    this.menu = el('div', { class: 'menu', id: 'columns-menu', hidden: true },
                   el('div', { class: 'menu-actions' },
                      el('button', { type: 'button', onclick: () => this.view.setHidden([]) },
                         'Show all')),
                   this.list);
    this.root = el('span', { class: 'menu-wrap' }, this.button, this.menu);
    this.onOutside = (event) => {
      if (!this.root.contains(event.target)) this.close();
    };
    this.onViewChange = (event) => {
      if (event.detail.what === 'hidden' && !this.menu.hidden) this.drawList();
    };
    view.addEventListener('change', this.onViewChange);
  }

  toggle() {
    if (this.menu.hidden) this.open();
    else this.close();
  }

  open() {
    this.drawList();
    this.menu.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    document.addEventListener('mousedown', this.onOutside);
  }

  close() {
    this.menu.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('mousedown', this.onOutside);
  }

  drawList() {
    const hidden = this.view.hidden;
    this.list.replaceChildren(...this.table.allColumns.map((column) => {
      const box = el('input', { type: 'checkbox', 'data-key': column.key,
                                checked: !hidden.has(column.key),
                                onchange: () => this.set(column.key, box.checked) });
      return el('label', { class: 'menu-item' }, box, ' ', column.label);
    }));
  }

  set(key, shown) {
    const hidden = new Set(this.view.hidden);
    if (shown) hidden.delete(key);
    else hidden.add(key);
    this.view.setHidden(hidden);
  }

  dispose() {
    this.close();
    this.view.removeEventListener('change', this.onViewChange);
  }
}
