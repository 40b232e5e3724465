// The sweeps page's "New sweep" form: a sweep file pasted or uploaded, an optional name. The
// file is checked as it is typed (POST /validate, a moment after the last key) and again on
// submit; its errors and warnings show at their lines in the editor and in a list, each
// entry putting the caret at its place. A submitted sweep opens its page; a refused one
// shows the server's diagnostics the same way.

import { ApiError, submitSweep, validateSweep } from './api.js';
import { el, setText } from './dom.js';
import { navigate } from './router.js';
import { SweepEditor } from './sweep_editor.js';

const DEBOUNCE_MS = 300;
const PASTED_NAME = 'sweep.yaml';  // a pasted file's name in messages

export class SubmitForm {
  constructor() {
    this.fileName = PASTED_NAME;
    this.seq = 0;  // the latest check; older answers are dropped
    this.editor = new SweepEditor({ onInput: () => this.changed() });
    this.name = el('input', { type: 'text', id: 'sweep-name', placeholder: "the file's name:" });
    this.file = el('input', { type: 'file', id: 'sweep-file', accept: '.yaml,.yml,.json,text/*',
                              onchange: () => this.upload() });
    this.source = el('span', { class: 'muted', id: 'sweep-source' }, `pasted (${PASTED_NAME})`);
    this.status = el('span', { class: 'submit-status', id: 'sweep-status' });
    this.list = el('ul', { class: 'diagnostics', id: 'sweep-diagnostics' });
    this.error = el('p', { class: 'submit-error', id: 'submit-error', hidden: true });
    this.button = el('button', { type: 'submit', id: 'submit-sweep', disabled: true }, 'Submit sweep');
    this.root = el('form', { class: 'submit-form', id: 'new-sweep-form', novalidate: true,
                             onsubmit: (event) => this.submit(event) },
                   el('div', { class: 'submit-fields' },
                      el('label', {}, 'File ', this.file), this.source,
                      el('label', {}, 'Name ', this.name)),
                   this.editor.root, this.error, this.list,
                   el('div', { class: 'submit-row' }, this.button, this.status));
  }

  async upload() {
    const file = this.file.files[0];
    if (!file) return;
    this.fileName = file.name;
    setText(this.source, `uploaded: ${file.name}`);
    this.editor.setValue(await file.text());
  }

  changed() {
    clearTimeout(this.timer);
    this.button.disabled = this.editor.value().trim() === '';
    this.timer = setTimeout(() => this.check(), DEBOUNCE_MS);
  }

  submission() {
    const body = { spec: this.editor.value(), file_name: this.fileName };
    const name = this.name.value.trim();
    if (name) body.name = name;
    return body;
  }

  async check() {
    const seq = ++this.seq;
    if (this.editor.value().trim() === '') {
      this.show([], '');
      return;
    }
    try {
      const result = await validateSweep(this.submission());
      if (seq !== this.seq) return;
      this.showError(null);
      this.show(result.diagnostics, statusText(result));
    } catch (error) {
      if (seq === this.seq) this.showError(`Could not check the file: ${error.message}`);
    }
  }

  async submit(event) {
    event.preventDefault();
    clearTimeout(this.timer);
    const seq = ++this.seq;
    this.button.disabled = true;
    try {
      const created = await submitSweep(this.submission());
      navigate(`/sweeps/${created.id}`);
    } catch (error) {
      if (seq !== this.seq) return;
      const diagnostics = error instanceof ApiError && error.body && error.body.diagnostics;
      if (diagnostics) this.show(diagnostics, 'not submitted: the file has errors');
      this.showError(diagnostics ? null : `Not submitted: ${error.message}`);
      this.button.disabled = false;
    }
  }

  show(diagnostics, status) {
    this.editor.setDiagnostics(diagnostics);
    setText(this.status, status);
    this.status.classList.toggle('bad', diagnostics.some((d) => d.severity === 'error'));
    this.list.replaceChildren(...diagnostics.map((d) => this.item(d)));
  }

  // One diagnostic as `labsweep validate` prints it; a click puts the caret at its place.
  item(d) {
    const placed = d.line !== null && d.line !== undefined;
    const text = el('button', { type: 'button', class: 'diag-text', disabled: !placed,
                                title: placed ? `Go to line ${d.line}` : null,
                                onclick: () => this.editor.goTo(d.line, d.column) }, d.text);
    return el('li', { class: `diag ${d.severity}`, 'data-line': placed ? d.line : null }, text);
  }

  showError(message) {
    this.error.hidden = !message;
    setText(this.error, message || '');
  }

  dispose() {
    clearTimeout(this.timer);
    this.seq++;
  }
}

function statusText(result) {
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (!result.valid) return `${plural(errors, 'error')}${warnings ? ', ' + plural(warnings, 'warning') : ''}`;
  const trials = result.trials === null ? 'unbounded trials' : plural(result.trials, 'trial');
  return `valid: ${trials}${warnings ? ', ' + plural(warnings, 'warning') : ''}`;
}
