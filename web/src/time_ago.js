// How long ago something happened, as people say it on a live page: "3 s ago", "4 min ago".
// Measured against the browser's clock, so a browser whose clock runs ahead of the server's
// shows a little more; one behind it shows "just now" rather than a time in the future.

export function timeAgo(ms, now = Date.now()) {
  if (ms === null || ms === undefined || ms <= 0) return 'never';
  const s = Math.floor((now - ms) / 1000);
  if (s < 1) return 'just now';
  if (s < 120) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}
