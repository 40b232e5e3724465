// The dashboard of a server that requires an API token (docs/http-api.md "Security"), in a real
// browser: the page asks for the token, refuses a wrong one, shows the sweeps once given the
// right one (made by the real `labsweep tokens create`), and remembers it across a reload.
// Saves token.png (the dialog).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { binDir, openBrowser, screenshot, startServer, stop, submitSweep, until,
         workDir } from './lab.mjs';

const SPEC = [
  'name: guarded-sweep',
  'method: grid',
  'command: [python3, train.py, "${args}"]',
  'parameters:',
  '  x: {values: [1, 2]}',
  '',
].join('\n');

let work, server, token, browser, page, pageErrors;

before(async () => {
  work = workDir('token');
  const keys = path.join(work.dir, 'keys');
  token = execFileSync(path.join(binDir, 'labsweep'), ['tokens', 'create', 'browser',
                                                       '--key-dir', keys]).toString().trim();
  server = await startServer(work.dir, ['--key-dir', keys, '--require-token']);
  await submitSweep(server.base, SPEC, { token });
  ({ browser, page, errors: pageErrors } = await openBrowser());
});

after(async () => {
  if (browser) await browser.close();
  if (server) await stop(server.proc);
  work.remove();
});

const dialog = () => page.locator('#token-prompt');
const sweepRow = () => page.locator('#sweeps tbody tr', { hasText: 'guarded-sweep' });

async function enterToken(text) {
  await page.fill('#token-input', text);
  await page.click('#token-prompt button[type=submit]');
}

test('the API refuses the browser without the token', async () => {
  const response = await fetch(server.base + '/api/v1/sweeps');
  assert.equal(response.status, 401);
});

test('the page asks for the token', async () => {
  await page.goto(server.base + '/');
  await dialog().waitFor({ state: 'visible' });
  assert.match(await page.textContent('#token-message'), /asks for an API token/);
  assert.equal(await sweepRow().count(), 0);
  await screenshot(page, 'token.png');
});

test('a wrong token is refused and asked for again', async () => {
  await enterToken('lst_wrong');
  await until('the refusal', async () => {
    const text = await page.locator('#token-message').textContent({ timeout: 1000 })
      .catch(() => '');
    return /refused this token/.test(text) || text;
  });
  await dialog().waitFor({ state: 'visible' });
  assert.equal(await sweepRow().count(), 0);
});

test('a malformed token is not taken', async () => {
  await enterToken('two words');
  assert.match(await page.textContent('#token-message'), /not a token/);
  await dialog().waitFor({ state: 'visible' });
});

test('the right token shows the sweeps', async () => {
  await enterToken(token);
  await sweepRow().waitFor();
  assert.equal(await dialog().count(), 0);
  assert.equal(await page.evaluate(() => localStorage.getItem('labsweep-token')), token);
});

test('the token is remembered after a reload', async () => {
  await page.reload();
  await sweepRow().waitFor();
  assert.equal(await dialog().count(), 0);
});

test('no script errors or CSP violations', () => {
  // Chromium logs each 401 as a failed resource load; those are the point of this test.
  const others = pageErrors.filter((e) => !/status of 401/.test(e));
  assert.deepEqual(others, []);
});
