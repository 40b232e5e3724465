// A trial's stdout or stderr as it grows: polls the output endpoint with the end of what it
// has (docs/http-api.md), so each poll brings only new bytes, and keeps the text in one text
// node (appended to, trimmed at the front past MAX_CHARS). It follows the end, unless the user
// has scrolled up to read: then the view stays where it is until they scroll back down.

import { getTrialOutput } from './api.js';
import { el } from './dom.js';

const MAX_CHARS = 256 * 1024;  // what the page keeps: the server keeps the last 64 KiB anyway
const AT_BOTTOM_PX = 4;

export class OutputTail {
  constructor(trialId, stream) {
    this.trialId = trialId;
    this.stream = stream;
    this.end = 0;
    this.text = document.createTextNode('');
    this.pre = el('pre', { class: 'output', tabindex: 0, 'data-stream': stream,
                           'aria-label': stream });
    this.pre.append(this.text);
    this.empty = el('p', { class: 'empty' }, `nothing on ${stream} yet`);
    this.root = el('div', { class: 'output-tail' }, this.empty, this.pre);
    this.following = true;
    this.pre.addEventListener('scroll', () => { this.following = this.atBottom(); });
  }

  atBottom() {
    const p = this.pre;
    return p.scrollTop + p.clientHeight >= p.scrollHeight - AT_BOTTOM_PX;
  }

  // A new attempt writes new files: what is shown is of the attempt before.
  reset() {
    this.end = 0;
    this.text.data = '';
  }

  async poll() {
    const answer = await getTrialOutput(this.trialId, this.stream, this.end);
    if (answer.end < this.end) this.text.data = '';  // a new attempt: the output started over
    let added = answer.text;
    if (answer.truncated) added = '[… earlier output not kept …]\n' + added;
    this.end = answer.end;
    if (added) this.append(added);
    this.empty.hidden = this.text.length > 0;
    this.pre.hidden = this.text.length === 0;
  }

  append(text) {
    this.text.appendData(text);
    if (this.text.length > MAX_CHARS) this.text.deleteData(0, this.text.length - MAX_CHARS);
    this.pre.dataset.end = String(this.end);
    if (this.following) this.pre.scrollTop = this.pre.scrollHeight;
  }
}
