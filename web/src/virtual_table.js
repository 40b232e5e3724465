// A table that keeps only the rows in view in the DOM, so that 10,000 rows scroll as smoothly
// as 10: rows have one fixed height, a spacer gives the scroll area its full height, and a
// small pool of row elements is moved and refilled as the user scrolls.
//
// Given a SweepView (sweep_view.js), the table shows a checkbox column for the view's chosen
// trials (a click toggles one, shift-click chooses the range from the last one clicked, the
// header's box chooses every row shown) and leaves out the columns the view hides. Both are
// read from the view at each draw, so they survive live updates, sorting and filtering.
//
// Columns: { key, label, width (px), align ('left'|'right'), text(row) -> string,
//            cellClass(row) -> string (optional), numeric (optional: offers a range filter),
//            href(row) -> string (optional: the cell is a link there) }.

import { el, setText } from './dom.js';

const OVERSCAN = 8;  // rows drawn beyond each edge, so a fast scroll shows no gap
const CHECK_WIDTH = 34;

export class VirtualTable {
  // `onSort(key)` is called when a header is clicked; `onSelect(row)` when a row is;
  // `onFilter(column, anchor)` when a numeric column's filter button is (may be set later).
  constructor({ rowHeight = 28, onSort, onSelect, onFilter, view = null,
                rowKey = (row) => row.id }) {
    this.rowHeight = rowHeight;
    this.onSort = onSort;
    this.onSelect = onSelect;
    this.onFilter = onFilter;
    this.view = view;
    this.rowKey = rowKey;
    this.allColumns = [];
    this.columns = [];
    this.rows = [];
    this.sort = { key: null, dir: 'asc' };
    this.current = null;  // the row last clicked outside its checkbox
    this.anchor = null;   // the row whose checkbox was clicked last, for shift-click ranges
    this.pool = [];
    this.listeners = new Set();
    this.head = el('div', { class: 'vt-head', role: 'row' });
    this.body = el('div', { class: 'vt-body', role: 'rowgroup' });
    this.root = el('div', { class: 'vt', role: 'table' }, this.head, this.body);
    this.root.addEventListener('scroll', () => this.scheduleDraw());
    this.onResize = () => this.scheduleDraw();
    window.addEventListener('resize', this.onResize);
    this.body.addEventListener('click', (event) => this.clicked(event));
    if (view) {
      this.onViewChange = (event) => this.viewChanged(event.detail.what);
      view.addEventListener('change', this.onViewChange);
    }
  }

  // `listener(columns)` is told of every new set of columns (all of them, hidden ones too).
  onColumns(listener) {
    this.listeners.add(listener);
    if (this.allColumns.length) listener(this.allColumns);
  }

  setColumns(columns) {
    this.allColumns = columns;
    for (const listener of this.listeners) listener(columns);
    this.layout();
  }

  // The columns the view does not hide, and the row pool rebuilt for them.
  layout() {
    const hidden = this.view ? this.view.hidden : new Set();
    this.columns = this.allColumns.filter((c) => !hidden.has(c.key));
    this.width = this.columns.reduce((sum, c) => sum + c.width, this.view ? CHECK_WIDTH : 0);
    this.head.style.width = `${this.width}px`;
    this.body.style.width = `${this.width}px`;
    this.drawHead();
    for (const row of this.pool) row.node.remove();
    this.pool = [];
    this.scheduleDraw();
  }

  // Rows in display order; the scroll position stays where it is.
  setRows(rows) {
    this.rows = rows;
    this.body.style.height = `${rows.length * this.rowHeight}px`;
    this.drawHeadCheck();
    this.scheduleDraw();
  }

  setSort(key, dir) {
    this.sort = { key, dir };
    this.drawHead();
  }

  viewChanged(what) {
    if (what === 'hidden') this.layout();
    if (what === 'ranges') this.drawHead();  // the filter buttons show which columns have one
    if (what === 'selected') {
      this.drawHeadCheck();
      this.scheduleDraw();
    }
  }

  drawHead() {
    const cells = this.columns.map((column) => this.headCell(column));
    if (this.view) {
      this.headCheck = el('input', { type: 'checkbox', 'aria-label': 'choose every row shown',
                                     title: 'Choose every row shown',
                                     onclick: (event) => this.chooseAll(event) });
      const cell = el('div', { class: 'vt-cell vt-th vt-check', 'data-key': 'select' },
                      this.headCheck);
      cell.style.width = `${CHECK_WIDTH}px`;
      cells.unshift(cell);
      this.drawHeadCheck();
    }
    this.head.replaceChildren(...cells);
  }

  headCell(column) {
    const sorted = this.sort.key === column.key;
    const mark = sorted ? (this.sort.dir === 'asc' ? ' ▲' : ' ▼') : '';
    const ranged = this.view && this.view.ranges.has(column.key);
    const sort = el('button', { class: 'vt-sort', type: 'button', title: `Sort by ${column.label}`,
                                onclick: () => this.onSort && this.onSort(column.key) },
                    column.label + mark);
    const filter = column.numeric && this.view ? el('button', {
      class: `vt-filter${ranged ? ' active' : ''}`, type: 'button', 'data-key': column.key,
      title: `Filter ${column.label} by a range`, 'aria-label': `filter ${column.label}`,
      onclick: (event) => this.onFilter && this.onFilter(column, event.currentTarget),
    }, '▾') : null;
    const cell = el('div', {
      class: `vt-cell vt-th ${column.align === 'right' ? 'right' : ''}`, 'data-key': column.key,
      role: 'columnheader',
      'aria-sort': sorted ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : null,
    }, sort, filter);
    cell.style.width = `${column.width}px`;
    return cell;
  }

  // The header's box: ticked when every row shown is chosen, half when some are.
  drawHeadCheck() {
    if (!this.headCheck) return;
    const selected = this.view.selected;
    let chosen = 0;
    for (const row of this.rows) if (selected.has(this.rowKey(row))) chosen++;
    this.headCheck.checked = chosen > 0 && chosen === this.rows.length;
    this.headCheck.indeterminate = chosen > 0 && chosen < this.rows.length;
  }

  // Chooses every row shown, or, when all are chosen already, unchooses them; the chosen rows
  // that the filters hide stay chosen.
  chooseAll(event) {
    event.preventDefault();
    const ids = new Set(this.view.selected);
    const keys = this.rows.map(this.rowKey);
    const all = keys.length > 0 && keys.every((k) => ids.has(k));
    for (const k of keys) {
      if (all) ids.delete(k);
      else ids.add(k);
    }
    this.view.setSelected(ids);
  }

  scheduleDraw() {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  // The rows in view (and a few more): reuses the pool's elements, fills their cells.
  draw() {
    const top = Math.max(0, this.root.scrollTop - this.head.offsetHeight);
    const height = this.root.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + height) / this.rowHeight) + OVERSCAN);
    const count = Math.max(0, last - first);
    while (this.pool.length < count) this.pool.push(this.makeRow());
    for (let i = 0; i < this.pool.length; i++) {
      const slot = this.pool[i];
      if (i >= count) {
        slot.node.hidden = true;
        continue;
      }
      this.fillRow(slot, first + i);
    }
  }

  makeRow() {
    const cells = this.columns.map((column) => {
      const cell = el('div', { class: `vt-cell ${column.align === 'right' ? 'right' : ''}`,
                               role: 'cell' });
      cell.style.width = `${column.width}px`;
      if (column.href) cell.append(el('a', {}));
      return cell;
    });
    let check = null;
    if (this.view) {
      check = el('input', { type: 'checkbox', 'aria-label': 'choose this trial' });
      const cell = el('div', { class: 'vt-cell vt-check', role: 'cell' }, check);
      cell.style.width = `${CHECK_WIDTH}px`;
      cells.unshift(cell);
    }
    const node = el('div', { class: 'vt-row', role: 'row' }, ...cells);
    node.style.height = `${this.rowHeight}px`;
    this.body.append(node);
    return { node, cells: this.view ? cells.slice(1) : cells, check, index: -1 };
  }

  fillRow(slot, index) {
    const row = this.rows[index];
    slot.node.hidden = false;
    if (slot.index !== index) {
      slot.node.style.transform = `translateY(${index * this.rowHeight}px)`;
      slot.index = index;
    }
    const key = this.rowKey(row);
    slot.node.dataset.key = key;
    slot.node.dataset.index = index;
    const chosen = this.view ? this.view.selected.has(key) : false;
    if (slot.check && slot.check.checked !== chosen) slot.check.checked = chosen;
    slot.node.classList.toggle('selected', chosen);
    slot.node.classList.toggle('current', key === this.current);
    this.columns.forEach((column, c) => {
      const cell = slot.cells[c];
      const text = column.text(row);
      if (column.href) {
        const link = cell.firstChild;
        setText(link, text);
        const href = column.href(row);
        if (link.getAttribute('href') !== href) link.setAttribute('href', href);
      } else {
        setText(cell, text);
      }
      if (cell.title !== text) cell.title = text;  // the whole text of a cut-off cell
      const extra = column.cellClass ? column.cellClass(row) : '';
      const className = `vt-cell ${column.align === 'right' ? 'right' : ''} ${extra}`;
      if (cell.className !== className) cell.className = className;
    });
  }

  dispose() {
    window.removeEventListener('resize', this.onResize);
    if (this.view) this.view.removeEventListener('change', this.onViewChange);
  }

  clicked(event) {
    const node = event.target.closest('.vt-row');
    if (!node) return;
    const slot = this.pool.find((s) => s.node === node);
    if (!slot) return;
    const row = this.rows[slot.index];
    if (this.view && event.target.closest('.vt-check')) {
      this.choose(slot.index, event.shiftKey);
      return;
    }
    this.current = this.rowKey(row);
    this.scheduleDraw();
    if (this.onSelect) this.onSelect(row);
  }

  // A checkbox click: toggles the row, or with shift gives every row from the last one clicked
  // to this one the state this one gets.
  choose(index, range) {
    const key = this.rowKey(this.rows[index]);
    const from = range && this.anchor !== null ? this.rows.findIndex((r) => this.rowKey(r) === this.anchor) : -1;
    this.anchor = key;
    if (from === -1) {
      this.view.toggleSelected(key);
      return;
    }
    const on = !this.view.selected.has(key);
    const ids = new Set(this.view.selected);
    for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
      if (on) ids.add(this.rowKey(this.rows[i]));
      else ids.delete(this.rowKey(this.rows[i]));
    }
    this.view.setSelected(ids);
  }
}
