// What the dashboard's browser tests share: the paths, a real `labsweep run` or `labsweep
// server` with agents, a headless chromium (Debian's, driven by playwright-core) that records
// script errors, the trials table as the user sees it, and polling with a deadline.
//
// Environment: LABSWEEP_BIN_DIR (where `labsweep` is), LABSWEEP_SCREENSHOT_DIR (where the
// screenshots go), CHROMIUM (the browser, default /usr/bin/chromium).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// playwright-core is the dashboard's devDependency, installed in web/node_modules.
const { chromium } = createRequire(path.join(repo, 'web', 'package.json'))('playwright-core');

export const binDir = process.env.LABSWEEP_BIN_DIR || path.join(repo, 'build', 'bin');
export const screenshots =
    process.env.LABSWEEP_SCREENSHOT_DIR || path.join(repo, 'build', 'screenshots');
export const WAIT_MS = 20000;

// A fresh directory for one test file's databases, trials and gates; `remove()` deletes it.
export function workDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `labsweep-${prefix}-`));
  mkdirSync(screenshots, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Runs `labsweep ARGS...` with its output forwarded to the test's stderr. `exited` resolves
// with the exit code; `output()` is everything it printed so far.
export function labsweep(args) {
  const child = spawn(path.join(binDir, 'labsweep'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const take = (data) => {
    output += data;
    process.stderr.write(data);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, exited, output: () => output };
}

// Resolves with the first match of `pattern` in the process's output; rejects if it exits first.
function waitForOutput(proc, pattern) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(proc.output());
      if (match) {
        clearInterval(timer);
        resolve(match);
      }
    };
    const timer = setInterval(check, 20);
    proc.exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`labsweep exited (${code}) before printing ${pattern}: ${proc.output()}`));
    });
  });
}

// `labsweep run FILE --cpu-slots N ...`: resolves with {proc, base}, base being the API's
// address (http://127.0.0.1:PORT).
export async function startRun(work, sweepFile, { cpuSlots = 3, extraArgs = [] } = {}) {
  const proc = labsweep(['run', sweepFile, '--db', path.join(work, 'labsweep.db'),
                         '--http-port', '0', '--work-dir', path.join(work, 'trials'),
                         '--cpu-slots', String(cpuSlots), ...extraArgs]);
  const match = await waitForOutput(proc, /API at (http:\/\/127\.0\.0\.1:\d+)/);
  return { proc, base: match[1] };
}

// `labsweep server` on free ports: resolves with {proc, base, agents}, `agents` being the
// endpoint agents connect to.
export async function startServer(work, extraArgs = []) {
  const proc = labsweep(['server', '--db', path.join(work, 'labsweep.db'), '--http-port', '0',
                         '--agents', `ipc://${path.join(work, 'agents.sock')}`, ...extraArgs]);
  const match = await waitForOutput(
      proc, /agents connect to (\S+), API and dashboard at (http:\/\/127\.0\.0\.1:\d+)\//);
  return { proc, agents: match[1], base: match[2] };
}

// `labsweep agent --server ENDPOINT ARGS...` (--allow-root: the tests may run as root, and the
// trials are theirs).
export function startAgent(endpoint, args) {
  return labsweep(['agent', '--server', endpoint, '--allow-root', ...args]);
}

// A `labsweep server` with one agent named `name` (CPU slots, or `agentArgs` instead): unlike
// `labsweep run`, it outlives its sweeps, so a test can look at finished ones. Resolves with
// the server's {proc, agents, base}, plus `agent` and `stop()` that ends both.
export async function startLab(work, { name = 'test-box', cpuSlots = 2, agentArgs } = {}) {
  const server = await startServer(work);
  const agent = startAgent(server.agents, [
    '--name', name, '--work-dir', path.join(work, 'trials'), '--no-cgroups',
    ...(agentArgs ?? ['--cpu-slots', String(cpuSlots)])]);
  return { ...server, agent, stop: async () => {
    await stop(agent);
    await stop(server.proc);
  } };
}

// Submits a sweep file's text through the API (with the API token `token`, when the server
// requires one); fails the test unless it is accepted.
export async function submitSweep(base, spec, { token } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(base + '/api/v1/sweeps', {
    method: 'POST', headers, body: JSON.stringify({ spec }) });
  const text = await response.text();
  assert.equal(response.status, 201, text);
  return JSON.parse(text);
}

// Ends a labsweep process: SIGTERM, then SIGKILL if it has not exited within `graceMs`.
export async function stop(proc, graceMs = 15000) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

// Chromium 156 in headless mode still builds its omnibox popup's WebUI (lit, mojo bindings) for
// each new page: on 2 cores that took about a third of the dashboard's first load, competing with
// the page under test (Puppeteer turns both features off by default too). A second
// --disable-features would replace playwright-core's own, so its list is repeated here.
const DISABLED_FEATURES = [
  'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup',
  // playwright-core 1.65's (server/chromium/chromiumSwitches.ts), less those for Windows and Edge.
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable', 'LensOverlay', 'MediaRouter', 'PaintHolding',
  'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect', 'OptimizationHints',
  'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
];

// A headless chromium with one page; `errors` collects script errors and console errors (a
// Content-Security-Policy violation is one).
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', `--disable-features=${DISABLED_FEATURES.join(',')}`] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(WAIT_MS);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { browser, page, errors };
}

export function screenshot(page, name) {
  return page.screenshot({ path: path.join(screenshots, name), fullPage: true });
}

// Polls `check` until it returns true; fails with the last thing it returned.
export async function until(what, check, waitMs = WAIT_MS) {
  const deadline = Date.now() + waitMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for ${what}; last saw ${JSON.stringify(last)}`);
}

// The trials table as the user sees it: the column keys and the rows' texts in display order.
export function trialsTable(page) {
  return page.evaluate(() => {
    const headers = [...document.querySelectorAll('.vt-head .vt-th')].map((h) => h.dataset.key);
    const rows = [...document.querySelectorAll('.vt-row:not([hidden])')]
                     .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
                     .map((r) => [...r.children].map((c) => c.textContent));
    return { headers, rows };
  });
}

// The texts of column `key` (e.g. 'p:x'), row by row.
export async function column(page, key) {
  const { headers, rows } = await trialsTable(page);
  const at = headers.indexOf(key);
  assert.notEqual(at, -1, `no column ${key} in ${headers}`);
  return rows.map((r) => r[at]);
}

// Waits until column `key` reads `values` (the table redraws on the next animation frame).
export async function expectColumn(page, key, values) {
  await until(`${key} = ${values}`, async () => {
    const seen = await column(page, key).catch((e) => e.message);
    return JSON.stringify(seen) === JSON.stringify(values) || seen;
  });
}
