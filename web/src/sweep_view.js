// What the user has made of one sweep's page: the sort, the filters (a state and ranges of
// columns), the chosen trials, the hidden columns and each panel's own settings. The table and
// every panel read it and change it, so that brushing a chart filters the table and choosing
// rows in the table chooses the curves. It lives in the address, so that a view can be shared
// and survives a reload:
//
//   ?sort=KEY&dir=desc&state=running&range=p:lr,0.001,0.01&selected=3,17&hide=agent&curve_n=20
//
// `range` and `hide` may repeat; an open end of a range is left empty (`range=p:lr,,0.01`).
// Each change dispatches a `change` event whose `detail.what` names what changed.

import { replaceQuery } from './router.js';
import { STATES } from './trial_columns.js';

const OWN_KEYS = new Set(['sort', 'dir', 'state', 'range', 'selected', 'hide']);

function parseBound(text, open) {
  if (text === '') return open;
  const n = Number(text);
  return Number.isNaN(n) ? null : n;
}

// "p:lr,0.001,0.01" → ['p:lr', {min, max}], or null when it is not of that form. The column key
// is everything before the last two commas, so a key with a comma survives.
function parseRange(text) {
  const parts = text.split(',');
  if (parts.length < 3) return null;
  const max = parseBound(parts.pop(), Infinity);
  const min = parseBound(parts.pop(), -Infinity);
  const key = parts.join(',');
  if (!key || min === null || max === null || min > max) return null;
  return [key, { min, max }];
}

function formatBound(n) {
  return Number.isFinite(n) ? String(n) : '';
}

function parseIds(text) {
  return (text || '').split(',').filter((s) => /^[1-9][0-9]*$/.test(s)).map(Number);
}

export class SweepView extends EventTarget {
  constructor(params) {
    super();
    this.sort = { key: params.get('sort') || 'id', dir: params.get('dir') === 'desc' ? 'desc' : 'asc' };
    this.state = STATES.includes(params.get('state')) ? params.get('state') : '';
    this.ranges = new Map(params.getAll('range').map(parseRange).filter((r) => r !== null));
    this.selected = new Set(parseIds(params.get('selected')));
    this.hidden = new Set(params.getAll('hide').filter((k) => k !== ''));
    this.extra = new Map([...params].filter(([key]) => !OWN_KEYS.has(key)));
  }

  setSort(key, dir) {
    this.sort = { key, dir: dir === 'desc' ? 'desc' : 'asc' };
    replaceQuery({ sort: key === 'id' ? null : key, dir: this.sort.dir === 'asc' ? null : 'desc' });
    this.changed('sort');
  }

  setState(state) {
    this.state = STATES.includes(state) ? state : '';
    replaceQuery({ state: this.state || null });
    this.changed('state');
  }

  // `range` is {min, max} (either may be infinite), or null to remove the column's range.
  setRange(key, range) {
    if (range) this.ranges.set(key, { min: range.min, max: range.max });
    else this.ranges.delete(key);
    const texts = [...this.ranges].map(
        ([k, r]) => `${k},${formatBound(r.min)},${formatBound(r.max)}`);
    replaceQuery({ range: texts });
    this.changed('ranges');
  }

  setSelected(ids) {
    this.selected = new Set(ids);
    replaceQuery({ selected: [...this.selected].sort((a, b) => a - b).join(',') || null });
    this.changed('selected');
  }

  toggleSelected(id) {
    const ids = new Set(this.selected);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    this.setSelected(ids);
  }

  setHidden(keys) {
    this.hidden = new Set(keys);
    replaceQuery({ hide: [...this.hidden] });
    this.changed('hidden');
  }

  // A panel's own setting (e.g. `curve_metric`); null removes it.
  setExtra(name, value) {
    if (OWN_KEYS.has(name)) throw new Error(`${name} is not a panel setting`);
    if (value === null || value === undefined || value === '') this.extra.delete(name);
    else this.extra.set(name, String(value));
    replaceQuery({ [name]: this.extra.get(name) ?? null });
    this.changed('extra');
  }

  // The trials that pass the state filter and every range. A range on a column drops the
  // trials that have no number in it: they cannot be shown to be inside.
  filter(trials, columns) {
    const ranged = [...this.ranges]
        .map(([key, range]) => ({ column: columns.find((c) => c.key === key), range }))
        .filter(({ column }) => column !== undefined);
    return trials.filter((t) => {
      if (this.state && t.status !== this.state) return false;
      return ranged.every(({ column, range }) => {
        const v = column.value(t);
        return typeof v === 'number' && v >= range.min && v <= range.max;
      });
    });
  }

  changed(what) {
    this.dispatchEvent(new CustomEvent('change', { detail: { what } }));
  }
}
