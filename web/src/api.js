// The dashboard's client of the JSON API (docs/http-api.md). Same origin only: the server
// refuses other origins and sends no CORS headers. Every request carries the API token when
// the page holds one; a 401 asks the user for one and tries again (token_prompt.js).

import { askForToken, currentToken } from './token_prompt.js';

const BASE = '/api/v1';
const PAGE_LIMIT = 10000;  // the API's largest page

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// fetch() below /api/v1 with the token; a 401 waits for the user to enter one, then the
// request goes again, until the server accepts it.
async function apiFetch(path, init) {
  for (;;) {
    const token = currentToken();
    const headers = { ...init.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(BASE + path, { ...init, headers });
    if (response.status !== 401) return response;
    // A token entered while this request was out is tried before asking again.
    if (currentToken() === token) await askForToken(token !== null);
  }
}

async function getJson(path) {
  const response = await apiFetch(path, { headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A body that is not JSON (a proxy's error page) is reported by status below.
  }
  if (!response.ok) {
    throw new ApiError(response.status, (body && body.error) || `HTTP ${response.status}`);
  }
  return body;
}

function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null);
  return entries.length ? '?' + new URLSearchParams(entries).toString() : '';
}

export async function listSweeps() {
  return (await getJson('/sweeps')).sweeps;
}

export async function getSweep(id) {
  return getJson(`/sweeps/${id}`);
}

export async function getTrial(id) {
  return getJson(`/trials/${id}`);
}

export async function listAgents() {
  return (await getJson('/agents')).agents;
}

// Every trial of a sweep with an id above `after` (and in `status`, when given), in id order,
// a page of up to 10,000 at a time; only the `fields` named, when given.
export async function listTrials(sweep, { after = 0, status, fields } = {}) {
  const trials = [];
  for (let cursor = after; cursor !== null;) {
    const page = await getJson(`/sweeps/${sweep}/trials` + query({
      after: cursor || undefined, status, limit: PAGE_LIMIT, fields: fields?.join(','),
    }));
    trials.push(...page.trials);
    cursor = page.next_after;
  }
  return trials;
}

// Changes (docs/http-api.md): JSON bodies, as the server requires. A refusal is an ApiError
// whose `body` holds the server's answer (a 400 for a sweep file carries its `diagnostics`).
async function postJson(path, body = {}) {
  const response = await apiFetch(path, {
    method: 'POST', body: JSON.stringify(body),
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  });
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // Reported by status below.
  }
  if (!response.ok) {
    const error = new ApiError(response.status, (answer && answer.error) || `HTTP ${response.status}`);
    error.body = answer;
    throw error;
  }
  return answer;
}

// {spec, file_name?, name?}: what POST /sweeps would say, nothing submitted.
export async function validateSweep(submission) {
  return postJson('/validate', submission);
}

// {spec, file_name?, name?} → {id, warnings}.
export async function submitSweep(submission) {
  return postJson('/sweeps', submission);
}

export async function stopSweep(id) {
  return postJson(`/sweeps/${id}/stop`);
}

export async function resumeSweep(id) {
  return postJson(`/sweeps/${id}/resume`);
}

export async function stopTrial(id) {
  return postJson(`/trials/${id}/stop`);
}

// {metric, goal, trials_used, explained, parameters: [{name, importance, correlation}], space,
// reason} (docs/http-api.md); `metric` defaults to the sweep's.
export async function getImportance(sweep, metric) {
  return getJson(`/sweeps/${sweep}/importance` + query({ metric }));
}

// The kept end of a trial's `stream` ('stdout' or 'stderr') from byte `after` on:
// {start, end, text, truncated} (docs/http-api.md); poll again with after = end.
export async function getTrialOutput(id, stream, after = 0) {
  return getJson(`/trials/${id}/output/${stream}` + query({ after: after || undefined }));
}

// The events about one trial after the cursor `after`: {events, next_after}.
export async function listTrialEvents(id, after = 0) {
  return getJson('/events' + query({ trial: id, after: after || undefined }));
}

// One metric of a trial from `fromStep` on (all of it when undefined): [[step, value, time_ms]].
// A key may hold '/', which the route takes as it is: each segment is escaped on its own.
// One metric of many trials ({trials: '1,2', key, max_points, x, from_step, layout}, as GET
// /api/v1/metrics takes them): their series, downsampled by the server.
export async function getMetricSeries(params) {
  return (await getJson('/metrics' + query(params))).series;
}

export async function getTrialMetric(id, key, fromStep) {
  const path = key.split('/').map(encodeURIComponent).join('/');
  return (await getJson(`/trials/${id}/metrics/${path}` + query({ from_step: fromStep }))).points;
}
