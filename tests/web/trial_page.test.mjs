// The trial page (/trials/ID) in a real browser against a real `labsweep server` and agent:
// one trial of chatty_trial.py, which prints to stdout and stderr every 0.1 s and reports
// `loss` until the test releases it. Checks that the trial's id in the sweep's table links to
// the page, that the page shows the parameters and the rendered command, that stdout and
// stderr lines arrive while the trial runs without a reload, and that once the trial has ended
// the state history shows its end and the metric's chart is drawn. Saves a screenshot.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { openBrowser, repo, screenshot, startLab, submitSweep, until, workDir } from './lab.mjs';

let work, gate, lab, browser, page, pageErrors;

function sweepFile() {
  const trial = path.join(repo, 'tests', 'web', 'chatty_trial.py');
  return [
    'name: trial-page-test',
    'method: grid',
    'metric: {name: loss, goal: minimize}',
    `command: [python3, '${trial}', '\${args}']`,
    'parameters:',
    '  lr: {values: [0.5]}',
    `  gate: {value: '${gate}'}`,
    'labsweep:',
    '  resources: {gpus: 0}',
    '',
  ].join('\n');
}

// The last line number seen in the page's stdout box, or -1.
async function lastStdoutLine() {
  const text = await page.locator('pre.output[data-stream="stdout"]').textContent();
  const numbers = [...text.matchAll(/stdout line (\d+)/g)].map((m) => Number(m[1]));
  return numbers.length ? numbers[numbers.length - 1] : -1;
}

before(async () => {
  work = workDir('trial-page');
  gate = path.join(work.dir, 'gate');
  mkdirSync(gate);
  lab = await startLab(work.dir, { cpuSlots: 1 });
  await submitSweep(lab.base, sweepFile());
  ({ browser, page, errors: pageErrors } = await openBrowser());
});

after(async () => {
  if (browser) await browser.close();
  if (lab) {
    writeFileSync(path.join(gate, 'release'), '');
    await lab.stop();
  }
  work.remove();
});

test('the trial\'s id in the sweep\'s table leads to the trial page', async () => {
  await page.goto(lab.base + '/sweeps/1');
  await page.click('.vt-row[data-key="1"] a[href="/trials/1"]');
  await page.waitForURL(/\/trials\/1$/);
});

test('the trial page shows the parameters and the command', async () => {
  await until('the parameters', async () =>
    (await page.locator('#trial-params').textContent()).includes('0.5') ||
    await page.locator('#trial-params').textContent());
  const params = await page.locator('#trial-params').textContent();
  assert.match(params, /lr/);
  assert.match(params, /gate/);
  const command = await page.locator('pre.command').textContent();
  assert.match(command, /^python3 .*chatty_trial\.py/);
  assert.match(command, /--lr=0\.5/);
  // The crumbs lead back to the sweep.
  assert.equal(await page.locator('#crumbs a[href="/sweeps/1"]').count(), 1);
});

test('stdout and stderr follow the running trial without a reload', async () => {
  await page.evaluate(() => { window.notReloaded = true; });
  await until('some stdout', async () => (await lastStdoutLine()) >= 3 || await lastStdoutLine());
  const first = await lastStdoutLine();
  await until('later stdout lines', async () => (await lastStdoutLine()) >= first + 10 ||
                                                await lastStdoutLine());
  await until('stderr lines', async () =>
    /stderr line \d+/.test(await page.locator('pre.output[data-stream="stderr"]').textContent()));
  assert.equal(await page.locator('#trial-status').textContent(), 'running');
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  // Lines come in order, each once.
  const text = await page.locator('pre.output[data-stream="stdout"]').textContent();
  const numbers = [...text.matchAll(/stdout line (\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(numbers, numbers.map((_, i) => numbers[0] + i));
  // Following the end: the box is scrolled to its bottom.
  assert.ok(await page.locator('pre.output[data-stream="stdout"]').evaluate(
    (p) => p.scrollHeight <= p.clientHeight || p.scrollTop + p.clientHeight >= p.scrollHeight - 4));
});

test('once the trial ends, its history shows the end and its metric is charted', async () => {
  writeFileSync(path.join(gate, 'release'), '');
  await until('the trial completed', async () =>
    (await page.locator('#trial-status').textContent()) === 'completed' ||
    await page.locator('#trial-status').textContent());
  await until('the end in the history', async () =>
    (await page.locator('#trial-history tr[data-kind="trial_completed"]').count()) === 1);
  const kinds = await page.locator('#trial-history tbody tr').evaluateAll(
    (rows) => rows.map((r) => r.dataset.kind));
  assert.ok(kinds.includes('trial_started'), kinds.join());
  await until('the last line', async () =>
    (await page.locator('pre.output[data-stream="stdout"]').textContent()).includes('stdout: done'));
  const chart = page.locator('figure.metric-chart[data-metric="loss"]');
  await until('the loss chart', async () =>
    Number(await chart.getAttribute('data-points')) >= 2 && (await chart.locator('canvas').count()) === 1);
  assert.match(await page.locator('main .summary').textContent(), /exit code 0/);
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  await screenshot(page, 'trial.png');
  assert.deepEqual(pageErrors, []);
});
