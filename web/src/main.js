// The dashboard's entry: shows the page the address names, and the next one when it changes.

import { AgentsPage } from './agents_page.js';
import { el } from './dom.js';
import { currentRoute, interceptLinks, onRouteChange } from './router.js';
import { SweepPage } from './sweep_page.js';
import { SweepsPage } from './sweeps_page.js';
import { TrialPage } from './trial_page.js';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
let page = null;

function show(route) {
  if (page) page.dispose();
  page = null;
  if (route.page === 'sweeps') {
    crumbs.replaceChildren();
    page = new SweepsPage(main);
  } else if (route.page === 'sweep') {
    crumbs.replaceChildren(el('a', { href: '/' }, 'sweeps'), ' / ', `sweep ${route.id}`);
    page = new SweepPage(main, route.id, route.params);
  } else if (route.page === 'trial') {
    crumbs.replaceChildren(el('a', { href: '/' }, 'sweeps'), ' / ', `trial ${route.id}`);
    page = new TrialPage(main, route.id, (sweep) => crumbs.replaceChildren(
      el('a', { href: '/' }, 'sweeps'), ' / ', el('a', { href: `/sweeps/${sweep}` }, `sweep ${sweep}`),
      ' / ', `trial ${route.id}`));
  } else if (route.page === 'agents') {
    crumbs.replaceChildren('agents');
    page = new AgentsPage(main);
  } else {
    crumbs.replaceChildren();
    main.replaceChildren(el('h1', {}, 'Page not found'),
                         el('p', {}, el('a', { href: '/' }, 'All sweeps')));
  }
  document.title = route.page === 'sweep' || route.page === 'trial'
    ? `labsweep: ${route.page} ${route.id}` : 'labsweep';
}

interceptLinks(document.body);
onRouteChange(show);
show(currentRoute());
