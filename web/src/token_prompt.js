// The HTTP API's token in the browser (docs/http-api.md "Security"): a server that requires one
// answers 401 until the page sends it. The token is kept in localStorage under 'labsweep-token',
// so that a reload or another tab of the same server does not ask again; when the server wants
// one and has none (or refuses the one kept), a modal dialog asks for it.

import { el } from './dom.js';

const KEY = 'labsweep-token';

let pending = null;  // the dialog's promise while it is open: every refused request waits on it
let fallback = null;  // the token entered on this page, where localStorage is disabled

// What an HTTP header can carry as a bearer token (RFC 6750); anything else would make fetch()
// throw on every request, so it is never kept.
const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/=]{1,512}$/;

function storedToken() {
  try {
    const token = localStorage.getItem(KEY);
    return token !== null && TOKEN_PATTERN.test(token) ? token : null;
  } catch {
    return null;  // storage disabled: the user is asked on each load
  }
}

function storeToken(token) {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // Storage disabled: kept for this page only.
  }
  fallback = token;
}

// The token to send now: the stored one, else the one typed on this page.
export function currentToken() {
  return storedToken() ?? fallback;
}

// Resolves once the user has entered a token. Requests refused at the same time share one
// dialog. `refused`: the server turned down the token the page holds.
export function askForToken(refused) {
  if (!pending) pending = showDialog(refused).finally(() => { pending = null; });
  return pending;
}

function showDialog(refused) {
  return new Promise((resolve) => {
    const input = el('input', { type: 'password', name: 'token', id: 'token-input',
                                autocomplete: 'off', spellcheck: 'false', required: true });
    const message = refused
      ? el('p', { id: 'token-message' },
           'The server refused this token (revoked or mistyped). Enter another one.')
      : el('p', { id: 'token-message' }, 'This server asks for an API token. Its admin makes one ',
           'with ', el('code', {}, 'labsweep tokens create NAME'), '.');
    const form = el('form', { method: 'dialog' }, el('h2', {}, 'API token'), message,
                    el('label', {}, 'Token ', input), ' ', el('button', { type: 'submit' }, 'Use'));
    const dialog = el('dialog', { id: 'token-prompt' }, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!TOKEN_PATTERN.test(token)) {
        message.textContent = 'That is not a token: one word of letters, digits and -._~+/=.';
        return;
      }
      storeToken(token);
      dialog.close();
      dialog.remove();
      resolve();
    });
    // Without a token nothing on the page can load: Escape does not dismiss the dialog.
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
