// The dashboard in a real browser (Debian's chromium, driven by playwright-core) against a
// real `labsweep run` of a real sweep: three trials of gated_trial.py that run until the test
// releases them. Checks that the sweeps page lists the sweep, that the sweep page shows the
// trials and a trial's end without a reload, that sorting reorders the rows and is in the
// address, and that the address restores the view. Saves a screenshot of each page.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { expectColumn as expectColumnOf, column as columnOf, openBrowser, repo, screenshot,
         startRun, stop, until, workDir } from './lab.mjs';

let work, gate, run, base, browser, page, pageErrors;

function sweepFile() {
  const trial = path.join(repo, 'tests', 'web', 'gated_trial.py');
  return [
    'name: dashboard-test',
    'method: grid',
    'metric: {name: loss, goal: minimize}',
    `command: [python3, '${trial}', '\${args}']`,
    'parameters:',
    '  x: {values: [1, 2, 3]}',
    `  gate: {value: '${gate}'}`,
    'labsweep:',
    '  resources: {gpus: 0}',
    '',
  ].join('\n');
}

function release(name) {
  writeFileSync(path.join(gate, `release-${name}`), '');
}

const column = (key) => columnOf(page, key);
const expectColumn = (key, values) => expectColumnOf(page, key, values);

before(async () => {
  work = workDir('web');
  gate = path.join(work.dir, 'gate');
  mkdirSync(gate);
  const file = path.join(work.dir, 'sweep.yaml');
  writeFileSync(file, sweepFile());
  run = await startRun(work.dir, file);
  base = run.base;
  ({ browser, page, errors: pageErrors } = await openBrowser());
});

after(async () => {
  if (browser) await browser.close();
  if (run) {
    release('all');
    await stop(run.proc);
  }
  work.remove();
});

test('the sweeps page lists the running sweep', async () => {
  await page.goto(base + '/');
  const row = page.locator('#sweeps tbody tr', { hasText: 'dashboard-test' });
  await row.waitFor();
  await until('three running trials', async () =>
    (await row.locator('td').nth(5).textContent()) === '3' || await row.textContent());
  assert.match(await row.textContent(), /running/);
  assert.match(await row.textContent(), /grid/);
  await screenshot(page, 'sweeps.png');
});

test('the sweep page shows trials that end while it is open, without a reload', async () => {
  await page.click('#sweeps a:text("dashboard-test")');
  await page.waitForURL(/\/sweeps\/1$/);
  await until('three trials at step 2', async () => {
    const steps = await column('step').catch(() => []);
    return steps.join() === '2,2,2' || steps;
  });
  await expectColumn('p:x', ['1', '2', '3']);
  await expectColumn('state', ['running', 'running', 'running']);
  await expectColumn('gpus', ['cpu', 'cpu', 'cpu']);  // CPU slots
  await page.evaluate(() => { window.notReloaded = true; });

  release('1');
  await until('trial x=1 completed', async () => {
    const states = await column('state');
    return states.join() === 'completed,running,running' || states;
  });
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  await expectColumn('step', ['3', '2', '2']);
  await screenshot(page, 'sweep.png');
});

test('clicking a header sorts by it, and the address carries the sort', async () => {
  await page.click('.vt-th[data-key="m:loss:last"]');
  // loss = (x - 3)^2 + 1/(step + 1): x=3 is lowest, x=1 highest.
  await expectColumn('p:x', ['3', '2', '1']);
  assert.match(page.url(), /[?&]sort=m%3Aloss%3Alast/);
  assert.doesNotMatch(page.url(), /dir=/);

  await page.click('.vt-th[data-key="m:loss:last"]');
  await expectColumn('p:x', ['1', '2', '3']);
  assert.match(page.url(), /[?&]dir=desc/);

  await page.click('.vt-th[data-key="p:x"]');
  await page.click('.vt-th[data-key="p:x"]');
  await expectColumn('p:x', ['3', '2', '1']);
  assert.match(page.url(), /sort=p%3Ax&dir=desc/);
  await screenshot(page, 'sweep-sorted.png');
});

test('the address restores the sort and the state filter', async () => {
  await page.goto(base + '/sweeps/1?sort=p%3Ax&dir=desc&state=running');
  await until('the filtered, sorted rows', async () => {
    const xs = await column('p:x').catch(() => []);
    return xs.join() === '3,2' || xs;
  });
  assert.equal(await page.locator('#state-filter').inputValue(), 'running');
  await page.selectOption('#state-filter', '');
  await until('every trial', async () => (await column('p:x')).join() === '3,2,1');
  assert.doesNotMatch(page.url(), /state=/);
});

test('the pages ran without a script error or a policy violation', () => {
  assert.deepEqual(pageErrors, []);
});

test('the sweep completes once every trial is released', async () => {
  release('all');
  assert.equal(await run.proc.exited, 0);
});
