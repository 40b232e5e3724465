// The page's routes, read from the address so that every view can be shared and reloaded: the
// path names the page, the query its state (sort, filter). Links inside the page change the
// address without a reload.

const listeners = new Set();

// { page: 'sweeps' } | { page: 'sweep', id } | { page: 'trial', id } | { page: 'agents' } |
// { page: 'missing' }, with the query.
export function currentRoute() {
  const { pathname, search } = window.location;
  const params = new URLSearchParams(search);
  if (pathname === '/') return { page: 'sweeps', params };
  if (pathname === '/agents') return { page: 'agents', params };
  const sweep = /^\/sweeps\/([1-9][0-9]*)$/.exec(pathname);
  if (sweep) return { page: 'sweep', id: Number(sweep[1]), params };
  const trial = /^\/trials\/([1-9][0-9]*)$/.exec(pathname);
  if (trial) return { page: 'trial', id: Number(trial[1]), params };
  return { page: 'missing', params };
}

export function onRouteChange(listener) {
  listeners.add(listener);
}

// Goes to `url` (a path on this server) as a new history entry.
export function navigate(url) {
  window.history.pushState(null, '', url);
  for (const listener of listeners) listener(currentRoute());
}

// Changes the query of the current address in place (no new history entry, no reload): the
// view's state, for sharing. `null` removes a key; an array gives the key once per element.
export function replaceQuery(changes) {
  const params = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(changes)) {
    params.delete(key);
    if (Array.isArray(value)) {
      for (const v of value) params.append(key, v);
    } else if (value !== null && value !== undefined && value !== '') {
      params.set(key, value);
    }
  }
  const search = params.toString();
  window.history.replaceState(null, '', window.location.pathname + (search ? '?' + search : ''));
}

// Plain left clicks on same-origin links navigate inside the page.
export function interceptLinks(root) {
  root.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="/"]');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(link.getAttribute('href'));
  });
  window.addEventListener('popstate', () => {
    for (const listener of listeners) listener(currentRoute());
  });
}
