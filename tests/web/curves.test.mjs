// The sweep page's learning curves in a real browser against a real `labsweep server` and
// agent: five trials of curve_trial.py (x = 1..5; x = 3 has the lowest loss, then 2 and 4).
// Checks that the panel draws the best trials' curves (legend and coloured pixels on the
// canvas), that choosing a trial in the table draws that trial instead, that the metric,
// smoothing and best N are in the address and come back from it, and that a draw reports its
// time for the benchmark. Saves curves.png.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { openBrowser, repo, screenshot, startLab, submitSweep, until, workDir } from './lab.mjs';

let work, lab, browser, page, pageErrors;

function sweepFile() {
  const trial = path.join(repo, 'tests', 'web', 'curve_trial.py');
  return [
    'name: curves-test',
    'method: grid',
    'metric: {name: loss, goal: minimize}',
    `command: [python3, '${trial}', '\${args}']`,
    'parameters:',
    '  x: {values: [1, 2, 3, 4, 5]}',
    '  steps: {value: 30}',
    'labsweep:',
    '  resources: {gpus: 0}',
    '',
  ].join('\n');
}

// The trials the legend names, in its order.
function legend() {
  return page.evaluate(() => [...document.querySelectorAll('#panel-curves .u-legend .u-series')]
      .map((row) => row.textContent.trim()).filter((t) => t.startsWith('trial')));
}

async function expectLegend(names) {
  await until(`legend ${names}`, async () => {
    const seen = await legend();
    return JSON.stringify(seen) === JSON.stringify(names) || seen;
  });
}

// Pixels of the plot's canvas in a saturated colour: curves, not the grey axes and grid.
function colouredPixels() {
  return page.evaluate(() => {
    const canvas = document.querySelector('#panel-curves canvas');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const spread = Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]);
      if (data[i + 3] > 0 && spread > 60) n++;
    }
    return n;
  });
}

before(async () => {
  work = workDir('curves');
  lab = await startLab(work.dir, { cpuSlots: 5 });
  await submitSweep(lab.base, sweepFile());
  ({ browser, page, errors: pageErrors } = await openBrowser());
});

after(async () => {
  if (browser) await browser.close();
  if (lab) await lab.stop();
  work.remove();
});

test('the panel draws the best trials by the sweep metric', async () => {
  await page.goto(lab.base + '/sweeps/1?curve_n=3');
  await until('the sweep to complete', async () => {
    const text = await page.locator('.fact-state').textContent().catch(() => '');
    return /completed/.test(text) || text;
  });
  await expectLegend(['trial 3', 'trial 2', 'trial 4']);
  await until('curves on the canvas', async () => (await colouredPixels()) > 200 || 'few');
  assert.equal(await page.locator('#panel-curves .curve-metric').inputValue(), 'loss');
  assert.equal(await page.locator('#panel-curves .curve-n').inputValue(), '3');
  const ms = await page.evaluate(() => Number(document.body.dataset.curvesDrawnMs));
  assert.ok(ms >= 0, `curvesDrawnMs is ${ms}`);
  await screenshot(page, 'curves.png');
});

test('choosing a trial in the table draws that trial', async () => {
  const before = await colouredPixels();
  const drawn = page.evaluate(() => new Promise((resolve) =>
    window.addEventListener('curves-drawn', (e) => resolve(e.detail.ms), { once: true })));
  // Rows are in id order: the fifth row is trial 5 (x = 5), not among the best.
  await page.locator('.vt-row .vt-check input').nth(4).click();
  await expectLegend(['trial 5']);
  assert.ok((await drawn) >= 0);
  assert.match(page.url(), /[?&]selected=5(&|$)/);
  assert.notEqual(await colouredPixels(), before);
  await page.locator('.vt-row .vt-check input').nth(4).click();
  await expectLegend(['trial 3', 'trial 2', 'trial 4']);
});

test('the metric, smoothing and best N are in the address and come back from it', async () => {
  await page.selectOption('#panel-curves .curve-metric', 'acc');
  await until('curve_metric in the address', () => /[?&]curve_metric=acc(&|$)/.test(page.url()) || page.url());
  await page.locator('#panel-curves .curve-n').fill('2');
  await page.locator('#panel-curves .curve-n').press('Enter');
  await expectLegend(['trial 3', 'trial 2']);  // still ranked by the sweep's metric
  await page.locator('#panel-curves .curve-smooth').fill('0.6');
  await until('curve_smooth in the address', () => /curve_smooth=0.6/.test(page.url()) || page.url());
  await page.locator('#panel-curves .curve-log').check();
  assert.match(page.url(), /curve_log=1/);

  await page.goto(page.url());
  await expectLegend(['trial 3', 'trial 2']);
  assert.equal(await page.locator('#panel-curves .curve-metric').inputValue(), 'acc');
  assert.equal(await page.locator('#panel-curves .curve-smooth').inputValue(), '0.6');
  assert.equal(await page.locator('#panel-curves .curve-log').isChecked(), true);
  await until('curves on the canvas', async () => (await colouredPixels()) > 100 || 'few');
  await screenshot(page, 'curves-acc-smoothed.png');
});

test('the page ran without a script error or a policy violation', () => {
  assert.deepEqual(pageErrors, []);
});
