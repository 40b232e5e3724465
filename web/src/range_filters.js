// The trials table's range filters: a small popover, opened from a numeric column's filter
// button, to set that column's min and max (SweepView.setRange), and the active ranges listed
// above the table as chips ("lr in [0.001, 0.01] ×") whose × removes one. The chips show every
// range of the view, those brushed in the parallel-coordinates chart too.

import { el } from './dom.js';
import { formatNumber } from './format.js';

function boundText(n) {
  if (n === -Infinity) return '−∞';
  if (n === Infinity) return '∞';
  return formatNumber(n);
}

// An input's number; '' is an open end.
function readBound(input, open) {
  const text = input.value.trim();
  if (text === '') return open;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export class RangeFilters {
  // Borrows the page's SweepView and VirtualTable; opens from the table's filter buttons.
  constructor(view, table) {
    this.view = view;
    this.table = table;
    this.labels = new Map();
    this.root = el('div', { class: 'chips', id: 'filter-chips' });
    this.popover = null;
    table.onFilter = (column, anchor) => this.open(column, anchor);
    table.onColumns((columns) => {
      this.labels = new Map(columns.map((c) => [c.key, c.label]));
      this.drawChips();
    });
    this.onViewChange = (event) => {
      if (event.detail.what === 'ranges') this.drawChips();
    };
    view.addEventListener('change', this.onViewChange);
    this.onOutside = (event) => {
      if (this.popover && !this.popover.contains(event.target)) this.close();
    };
    this.drawChips();
  }

  drawChips() {
    this.root.replaceChildren(...[...this.view.ranges].map(([key, range]) => {
      const label = this.labels.get(key) ?? key;
      const text = `${label} in [${boundText(range.min)}, ${boundText(range.max)}]`;
      return el('span', { class: 'chip', 'data-key': key }, text,
                el('button', { type: 'button', class: 'chip-remove', title: `Remove ${text}`,
                               'aria-label': `remove ${text}`,
                               onclick: () => this.view.setRange(key, null) }, '×'));
    }));
  }

  // The popover for `column`, under its header's filter button.
  open(column, anchor) {
    this.close();
    const range = this.view.ranges.get(column.key);
    const bound = (id, n) => el('input', { type: 'text', inputmode: 'decimal', id, size: 10,
                                           value: range && Number.isFinite(n) ? String(n) : '' });
    const min = bound('range-min', range && range.min);
    const max = bound('range-max', range && range.max);
    const error = el('div', { class: 'range-error', hidden: true });
    const apply = () => this.apply(column, min, max, error);
    this.popover = el('form', { class: 'range-popover', id: 'range-popover',
                                onsubmit: (event) => { event.preventDefault(); apply(); },
                                onkeydown: (event) => event.key === 'Escape' && this.close() },
                      el('div', { class: 'range-title' }, column.label),
                      el('label', {}, 'min ', min), el('label', {}, 'max ', max),
                      el('div', { class: 'range-hint' }, this.extent(column)), error,
                      el('div', { class: 'range-buttons' },
                         el('button', { type: 'submit', id: 'range-apply' }, 'Apply'),
                         el('button', { type: 'button', onclick: () => this.clear(column) },
                            'Clear')));
    const box = anchor.getBoundingClientRect();
    this.popover.style.left = `${Math.max(4, Math.min(box.left, window.innerWidth - 240))}px`;
    this.popover.style.top = `${box.bottom + 4}px`;
    document.body.append(this.popover);
    document.addEventListener('mousedown', this.onOutside);
    min.focus();
  }

  // The column's values among the rows shown, as a hint.
  extent(column) {
    let low = Infinity;
    let high = -Infinity;
    for (const row of this.table.rows) {
      const v = column.value(row);
      if (typeof v !== 'number' || Number.isNaN(v)) continue;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    return low <= high ? `shown: ${formatNumber(low)} to ${formatNumber(high)}` : 'no values shown';
  }

  apply(column, minInput, maxInput, error) {
    const min = readBound(minInput, -Infinity);
    const max = readBound(maxInput, Infinity);
    let problem = null;
    if (min === null || max === null) problem = 'min and max must be numbers (or empty)';
    else if (min > max) problem = 'min must not be above max';
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      return;
    }
    this.close();
    const open = min === -Infinity && max === Infinity;
    this.view.setRange(column.key, open ? null : { min, max });
  }

  clear(column) {
    this.close();
    this.view.setRange(column.key, null);
  }

  close() {
    if (!this.popover) return;
    this.popover.remove();
    this.popover = null;
    document.removeEventListener('mousedown', this.onOutside);
  }

  dispose() {
    this.close();
    this.view.removeEventListener('change', this.onViewChange);
  }
}
