// Runs a refresh over and over while a page is open: each run starts `intervalMs` after the
// previous one ended, so a slow server is never asked twice at once. Failures show in the
// header's live indicator and the next run tries again.

const indicator = () => document.getElementById('live');

function showState(ok, message) {
  const node = indicator();
  if (!node) return;
  node.textContent = ok ? 'live' : `offline: ${message}`;
  node.className = ok ? 'live ok' : 'live failed';
}

export class LiveUpdater {
  // `refresh` is an async function; its result is ignored.
  constructor(refresh, intervalMs) {
    this.refresh = refresh;
    this.intervalMs = intervalMs;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.run();
    return this;
  }

  async run() {
    if (this.stopped) return;
    try {
      await this.refresh();
      showState(true);
    } catch (error) {
      showState(false, error.message);
    }
    if (!this.stopped) this.timer = setTimeout(() => this.run(), this.intervalMs);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
