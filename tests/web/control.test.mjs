// Steering from the dashboard in a real browser (Debian's chromium, driven by playwright-core)
// against a real `labsweep server` and agent: a sweep file with an error shows it at its line
// in the "New sweep" form; a valid one submits and opens its page; choosing a running trial and
// pressing "Stop selected trials" ends its process (its pid, which pid_trial.py writes, is gone);
// rows are chosen by checkbox, shift-click and the header's box; the "Columns" menu and a range
// filter change the columns, the rows and the address; the sweep stops and resumes from its
// buttons. Saves submit-error.png, sweep-selection.png and sweep-selection-table.png.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { column as columnOf, expectColumn as expectColumnOf, openBrowser, repo, screenshot,
         screenshots, startLab, until, workDir } from './lab.mjs';

let work, pids, server, browser, page, pageErrors;

const column = (key) => columnOf(page, key);
const expectColumn = (key, values) => expectColumnOf(page, key, values);

// The sweep file; with `broken`, parameter lr has a `min` it may not have, at line 10.
function sweepFile({ broken = false } = {}) {
  const trial = path.join(repo, 'tests', 'web', 'pid_trial.py');
  return [
    'name: steer-test',
    'method: grid',
    'metric: {name: loss, goal: minimize}',
    `command: [python3, '${trial}', '\${args}']`,
    'parameters:',
    '  x: {values: [1, 2, 3, 4, 5, 6]}',
    `  pids: {value: '${pids}'}`,
    '  lr:',
    '    values: [0.1]',
    ...(broken ? ['    min: 0.1'] : []),
    'labsweep:',
    '  resources: {gpus: 0}',
    '  stop_grace_s: 0.5',  // the trial ignores the stop notice: SIGTERM ends it
    '',
  ].join('\n');
}

// The pid trial x=`x` wrote, or null before it started.
function pidOf(x) {
  const file = path.join(pids, `pid-${x}`);
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : null;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if (error.code === 'ESRCH') return false;
    throw error;
  }
}

const checkbox = (id) => page.locator(`.vt-row[data-key="${id}"] .vt-check input`);
const query = () => new URL(page.url()).searchParams;

before(async () => {
  work = workDir('control');
  pids = path.join(work.dir, 'pids');
  mkdirSync(pids);
  server = await startLab(work.dir, { name: 'steer-box', cpuSlots: 2 });
  ({ browser, page, errors: pageErrors } = await openBrowser());
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    // Ends the trials still running, so that none outlives the test.
    await fetch(`${server.base}/api/v1/sweeps/1/stop`, { method: 'POST' }).catch(() => {});
  }
  if (server) await server.stop();
  work.remove();
});

test('the form shows a sweep file\'s error at its line, as typed and when submitted', async () => {
  await page.goto(server.base + '/');
  await page.click('#new-sweep');
  await page.fill('#sweep-text', sweepFile({ broken: true }));
  const mark = page.locator('.editor-gutter .ln.error');
  await until('one marked line', async () => (await mark.count()) === 1 || await mark.count());
  assert.equal(await mark.getAttribute('data-line'), '10');
  const note = page.locator('.editor-note[data-line="10"]');
  assert.match(await note.textContent(), /'min' is not a property of a categorical parameter/);
  const item = page.locator('#sweep-diagnostics li[data-line="10"]');
  assert.match(await item.textContent(), /^sweep\.yaml:10:5: error: parameter 'lr'/);
  assert.match(await page.locator('#sweep-status').textContent(), /^1 error/);

  // The list's entry puts the caret at the place: line 10, column 5.
  await item.locator('button').click();
  const lines = sweepFile({ broken: true }).split('\n');
  const offset = lines.slice(0, 9).join('\n').length + 1 + 4;
  assert.equal(await page.locator('#sweep-text').evaluate((t) => t.selectionStart), offset);

  // Submitted anyway: the server refuses it and the same place is shown; no page changes.
  await page.click('#submit-sweep');
  await until('the refusal', async () =>
    /not submitted/.test(await page.locator('#sweep-status').textContent()));
  assert.equal(await mark.getAttribute('data-line'), '10');
  assert.equal(new URL(page.url()).pathname, '/');
  await screenshot(page, 'submit-error.png');
});

test('a valid sweep file submits and opens the new sweep\'s page', async () => {
  await page.fill('#sweep-text', sweepFile());
  await until('the file checked as valid', async () =>
    (await page.locator('#sweep-status').textContent()) === 'valid: 6 trials' ||
    await page.locator('#sweep-status').textContent());
  assert.equal(await page.locator('.editor-gutter .ln.error').count(), 0);
  await page.click('#submit-sweep');
  await page.waitForURL(/\/sweeps\/1$/);
  await until('the sweep\'s title', async () =>
    (await page.locator('h1').textContent()) === 'Sweep 1: steer-test');
});

test('"Stop selected trials" stops the chosen trial\'s process', async () => {
  await until('two running trials', async () => {
    const states = await column('state').catch(() => []);
    return (states.join() === 'running,running' && pidOf(1) !== null && pidOf(2) !== null) ||
        states;
  });
  const [first, second] = [pidOf(1), pidOf(2)];
  assert.ok(alive(first) && alive(second));
  assert.equal(await page.locator('#stop-trials').isDisabled(), true);

  await checkbox(1).click();
  assert.equal(query().get('selected'), '1');
  await until('the stop button enabled', async () => !(await page.locator('#stop-trials').isDisabled()));
  // The page's own scroll box moved to show the clicked row; the toolbar belongs in the picture.
  await page.evaluate(() => document.getElementById('main').scrollTo(0, 0));
  await screenshot(page, 'sweep-selection.png');
  // The panels push the table below the fold: the table with its chosen row on its own.
  await page.locator('.vt').screenshot({ path: path.join(screenshots, 'sweep-selection-table.png') });

  await page.click('#stop-trials');
  await until('trial 1\'s process gone', async () => !alive(first));
  await until('trial 1 shown stopped', async () => (await column('state'))[0] === 'stopped');
  assert.ok(alive(second), 'the other trial still runs');
  // The chosen trial stays chosen through live updates; it can no longer be stopped.
  assert.equal(await checkbox(1).isChecked(), true);
  await until('the stop button disabled', async () => page.locator('#stop-trials').isDisabled());
});

test('shift-click chooses a range and the header\'s box every row shown', async () => {
  await until('a third trial in the freed slot', async () => (await column('p:x')).length === 3);
  await page.click('.vt-head .vt-check input');
  assert.equal(query().get('selected'), '1,2,3');
  await page.click('.vt-head .vt-check input');
  assert.equal(query().get('selected'), null);
  await checkbox(1).click();
  await checkbox(3).click({ modifiers: ['Shift'] });
  assert.equal(query().get('selected'), '1,2,3');
  assert.equal(await checkbox(2).isChecked(), true);
  await checkbox(2).click();
  assert.equal(query().get('selected'), '1,3');
});

test('the Columns menu and a range filter change the columns, rows and address', async () => {
  await page.click('#columns-button');
  await page.uncheck('#columns-menu input[data-key="stop"]');
  await until('the stop column hidden', async () =>
    !(await page.locator('.vt-head .vt-th[data-key="stop"]').count()));
  assert.deepEqual(query().getAll('hide'), ['stop']);
  await page.keyboard.press('Escape');
  await page.mouse.click(5, 5);  // outside: the menu closes
  assert.equal(await page.locator('#columns-menu').isHidden(), true);

  await page.click('.vt-filter[data-key="p:x"]');
  await page.fill('#range-min', '2');
  await page.fill('#range-max', '3');
  await page.click('#range-apply');
  await expectColumn('p:x', ['2', '3']);
  assert.deepEqual(query().getAll('range'), ['p:x,2,3']);
  const chip = page.locator('#filter-chips .chip[data-key="p:x"]');
  assert.match(await chip.textContent(), /^x in \[2, 3\]×$/);

  // The address restores both.
  await page.reload();
  await expectColumn('p:x', ['2', '3']);
  assert.equal(await page.locator('.vt-head .vt-th[data-key="stop"]').count(), 0);
  await chip.locator('button').click();
  await expectColumn('p:x', ['1', '2', '3']);
  assert.equal(query().get('range'), null);
  await page.click('#columns-button');
  await page.click('#columns-menu button:text("Show all")');
  await until('the stop column back', async () =>
    (await page.locator('.vt-head .vt-th[data-key="stop"]').count()) === 1);
});

test('the sweep stops (after a confirmation) and resumes from its buttons', async () => {
  const running = [pidOf(2), pidOf(3)];
  page.once('dialog', (dialog) => dialog.dismiss());
  await page.click('#stop-sweep');
  assert.equal(await page.locator('#stop-sweep').isVisible(), true);
  assert.ok(running.every(alive), 'a dismissed confirmation stops nothing');

  page.once('dialog', (dialog) => dialog.accept());
  await page.click('#stop-sweep');
  await until('the sweep stopped', async () =>
    (await page.locator('.fact-state').textContent()) === 'state stopped');
  await page.locator('#resume-sweep').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#stop-sweep').isHidden(), true);
  await until('its trials\' processes gone', async () => !running.some(alive));

  await page.click('#resume-sweep');
  await until('the sweep running again', async () =>
    (await page.locator('.fact-state').textContent()) === 'state running');
  await page.locator('#stop-sweep').waitFor({ state: 'visible' });
  await until('a new trial started', async () => pidOf(4) !== null && alive(pidOf(4)));
});

test('the pages ran without a script error or a policy violation', () => {
  // The browser logs the broken file's refused submission (a 400) as a failed load.
  const refused = /Failed to load resource: .* status of 400/;
  assert.deepEqual(pageErrors.filter((e) => !refused.test(e)), []);
});
