// The frame every panel of the sweep page sits in: a titled section whose id names the panel
// (`panel-curves`), so that tests and the page's layout can find it.

import { el } from './dom.js';

export function panelSection(name, title, ...children) {
  return el('section', { class: 'panel', id: `panel-${name}` }, el('h2', {}, title), ...children);
}
