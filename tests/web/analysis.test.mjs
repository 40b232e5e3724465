// The sweep page's analysis panels in a real browser against a real `labsweep server` and agent: twelve
// random trials of analysis_trial.py, whose loss depends on lr alone (lr log-distributed,
// width and opt irrelevant). Checks that the importance panel ranks lr first, that the scatter
// plot draws every trial against lr on a log axis, that dragging on the parallel coordinates'
// lr axis filters the table (the count shown) and puts the range in the address, that a click
// on the axis clears it, and that a range in the address comes back as a brush after a reload.
// Saves analysis.png, analysis-importance.png, analysis-scatter.png and analysis-brushed.png.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { column, openBrowser, repo, screenshot, screenshots, startLab, submitSweep, until,
         workDir } from './lab.mjs';

const TRIALS = 12;
let work, server, browser, page, pageErrors;

function sweepFile() {
  const trial = path.join(repo, 'tests', 'web', 'analysis_trial.py');
  return [
    'name: analysis-test',
    'method: random',
    `run_cap: ${TRIALS}`,
    'metric: {name: loss, goal: minimize}',
    `command: [python3, '${trial}', '\${args}']`,
    'parameters:',
    '  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}',
    '  width: {distribution: int_uniform, min: 16, max: 256}',
    '  opt: {values: [sgd, adam]}',
    'labsweep:',
    '  seed: 5',
    '  resources: {gpus: 0}',
    '',
  ].join('\n');
}

function shownText() {
  return page.locator('.shown').textContent();
}

async function axes() {
  const text = await page.locator('#panel-parallel .pc-overlay').getAttribute('data-axes');
  return text ? JSON.parse(text) : [];
}

// Drags from fraction `from` to fraction `to` of an axis's height (0 is its bottom).
async function dragAxis(key, from, to) {
  const axis = (await axes()).find((a) => a.key === key);
  assert.ok(axis, `no axis ${key}`);
  await page.locator('#panel-parallel .pc-overlay').scrollIntoViewIfNeeded();
  const box = await page.locator('#panel-parallel .pc-overlay').boundingBox();
  const y = (f) => box.y + axis.bottom - f * (axis.bottom - axis.top);
  await page.mouse.move(box.x + axis.x, y(from));
  await page.mouse.down();
  await page.mouse.move(box.x + axis.x + 2, (y(from) + y(to)) / 2, { steps: 4 });
  await page.mouse.move(box.x + axis.x + 2, y(to), { steps: 4 });
  await page.mouse.up();
}

function rangeInAddress() {
  return new URL(page.url()).searchParams.getAll('range');
}

before(async () => {
  work = workDir('analysis');
  server = await startLab(work.dir, { name: 'analysis-box', cpuSlots: 4 });
  await submitSweep(server.base, sweepFile());
  ({ browser, page, errors: pageErrors } = await openBrowser());
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  work.remove();
});

test('importance ranks lr first and the scatter plots every trial against it', async () => {
  await page.goto(server.base + '/sweeps/1');
  await until('the sweep to complete', async () => {
    const text = await page.locator('.fact-state').textContent().catch(() => '');
    return /completed/.test(text) || text;
  });
  await until('importance from every trial', async () => {
    const used = await page.locator('#panel-importance').getAttribute('data-trials-used');
    return used === String(TRIALS) || used;
  });
  const names = await page.locator('#panel-importance .imp-row').evaluateAll(
      (rows) => rows.map((r) => r.dataset.name));
  assert.deepEqual(names.slice().sort(), ['lr', 'opt', 'width']);
  assert.equal(names[0], 'lr');
  await until('the scatter to draw every trial against lr', async () => {
    const d = await page.locator('#panel-scatter').evaluate((p) => ({ ...p.dataset }));
    return (d.points === String(TRIALS) && d.x === 'lr' && d.xScale === 'log') || d;
  });
  const axisKeys = (await axes()).map((a) => a.key);
  assert.deepEqual(axisKeys, ['p:lr', 'p:opt', 'p:width', 'm:loss:best']);
  await screenshot(page, 'analysis.png');
  for (const name of ['importance', 'scatter']) {
    await page.locator(`#panel-${name}`).screenshot({ path: path.join(screenshots, `analysis-${name}.png`) });
  }
});

test('brushing the lr axis filters the table and is kept in the address', async () => {
  assert.equal(await shownText(), `${TRIALS} of ${TRIALS} trials`);
  await dragAxis('p:lr', 0.98, 0.5);
  await until('a range on lr in the address', async () => {
    const ranges = rangeInAddress();
    return (ranges.length === 1 && ranges[0].startsWith('p:lr,')) || ranges;
  });
  const [, min, max] = rangeInAddress()[0].split(',').map(Number);
  assert.ok(min > 0.0001 && min < max, `range ${min}..${max}`);
  const inside = (await column(page, 'p:lr')).map(Number);
  assert.ok(inside.length > 0 && inside.length < TRIALS, `${inside.length} rows`);
  for (const lr of inside) assert.ok(lr >= min && lr <= max, `${lr} outside ${min}..${max}`);
  assert.equal(await shownText(), `${inside.length} of ${TRIALS} trials`);
  assert.equal(await page.locator('#panel-parallel').getAttribute('data-lines'),
               String(inside.length));
  await screenshot(page, 'analysis-brushed.png');

  // Back from the address after a reload: the same rows, the brush on the chart.
  await page.reload();
  await until('the filter back from the address', async () => {
    const text = await shownText().catch(() => '');
    return text === `${inside.length} of ${TRIALS} trials` || text;
  });
  assert.equal(await page.locator('#filter-chips .chip[data-key="p:lr"]').count(), 1);

  // A click on the axis clears its range.
  await until('the axes drawn', async () => (await axes()).length === 4);
  const axis = (await axes()).find((a) => a.key === 'p:lr');
  await page.locator('#panel-parallel .pc-overlay').scrollIntoViewIfNeeded();
  const box = await page.locator('#panel-parallel .pc-overlay').boundingBox();
  await page.mouse.click(box.x + axis.x, box.y + (axis.top + axis.bottom) / 2);
  await until('the range cleared', async () => {
    const text = await shownText();
    return (rangeInAddress().length === 0 && text === `${TRIALS} of ${TRIALS} trials`) || text;
  });
});

test('no script errors or CSP violations', () => {
  assert.deepEqual(pageErrors, []);
});
