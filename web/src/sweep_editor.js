// The sweep file's editor in the "New sweep" form: a plain textarea (monospace, no wrapping, so
// that one line of text is one line on screen) with line numbers in a gutter, and a file's
// errors and warnings shown at their lines: the line's number marked and the message written
// just after the line's text. Gutter and messages are layers that follow the textarea's
// scrolling; everything goes in as text.

import { el } from './dom.js';

const LINE_HEIGHT = 18;  // px; app.css gives the textarea the same line height
const PAD = 6;           // px; the textarea's padding, which the layers repeat

function lineCount(text) {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

// The offset of `line`:`column` (1-based) in `text`, clamped to the line.
function offsetOf(text, line, column) {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return text.length;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end === -1 ? text.length : end;
  return Math.min(start + Math.max(0, (column || 1) - 1), lineEnd);
}

export class SweepEditor {
  // `onInput()` is called after each change the user makes.
  constructor({ onInput }) {
    this.onInput = onInput;
    this.lines = 0;
    this.text = el('textarea', { class: 'editor-text', id: 'sweep-text', spellcheck: 'false',
                                 wrap: 'off', autocomplete: 'off', 'aria-label': 'sweep file',
                                 placeholder: 'method: grid\nparameters:\n  lr: {values: [0.1, 0.01]}' });
    this.numbers = el('div', { class: 'editor-numbers' });
    this.notes = el('div', { class: 'editor-notes-inner' });
    this.root = el('div', { class: 'editor' },
                   el('div', { class: 'editor-gutter', 'aria-hidden': 'true' }, this.numbers),
                   el('div', { class: 'editor-body' }, this.text,
                      el('div', { class: 'editor-notes', 'aria-hidden': 'true' }, this.notes)));
    this.text.addEventListener('input', () => {
      this.drawNumbers();
      this.onInput();
    });
    this.text.addEventListener('scroll', () => this.follow());
    this.drawNumbers();
  }

  value() {
    return this.text.value;
  }

  setValue(text) {
    this.text.value = text;
    this.drawNumbers();
    this.onInput();
  }

  // One number per line; redrawn only when the count changes.
  drawNumbers() {
    const count = lineCount(this.text.value);
    if (count === this.lines) return;
    this.lines = count;
    const numbers = [];
    for (let line = 1; line <= count; line++) {
      numbers.push(el('div', { class: 'ln', 'data-line': line }, String(line)));
    }
    this.numbers.replaceChildren(...numbers);
    this.marked = [];
  }

  // The gutter and the notes move with the text.
  follow() {
    this.numbers.style.transform = `translateY(${-this.text.scrollTop}px)`;
    this.notes.style.transform =
        `translate(${-this.text.scrollLeft}px, ${-this.text.scrollTop}px)`;
  }

  // Marks each diagnostic's line (errors over warnings) and writes its messages after the
  // line's text. Diagnostics without a line are left to the caller's list.
  setDiagnostics(diagnostics) {
    for (const node of this.marked || []) node.classList.remove('error', 'warning');
    this.marked = [];
    const byLine = new Map();
    for (const d of diagnostics) {
      if (d.line === null || d.line === undefined || d.line < 1 || d.line > this.lines) continue;
      if (!byLine.has(d.line)) byLine.set(d.line, []);
      byLine.get(d.line).push(d);
    }
    const textLines = this.text.value.split('\n');
    const notes = [];
    for (const [line, list] of byLine) {
      const severity = list.some((d) => d.severity === 'error') ? 'error' : 'warning';
      const number = this.numbers.children[line - 1];
      number.classList.add(severity);
      number.title = list.map((d) => d.message).join('\n');
      this.marked.push(number);
      notes.push(this.note(line, severity, list, textLines[line - 1] || ''));
    }
    this.notes.replaceChildren(...notes);
  }

  note(line, severity, list, lineText) {
    const note = el('div', { class: `editor-note ${severity}`, 'data-line': line },
                    list.map((d) => d.message).join(' · '));
    note.style.top = `${PAD + (line - 1) * LINE_HEIGHT}px`;
    note.style.left = `calc(${PAD}px + ${lineText.length + 3}ch)`;
    return note;
  }

  // Puts the caret at `line`:`column` and scrolls it into view.
  goTo(line, column) {
    const at = offsetOf(this.text.value, line, column);
    this.text.focus();
    this.text.setSelectionRange(at, at);
    const y = (line - 1) * LINE_HEIGHT;
    if (y < this.text.scrollTop || y > this.text.scrollTop + this.text.clientHeight - 2 * LINE_HEIGHT) {
      this.text.scrollTop = Math.max(0, y - this.text.clientHeight / 2);
    }
    this.follow();
  }
}
