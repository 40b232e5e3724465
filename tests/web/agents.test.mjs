// The agents page in a real browser against a real `labsweep server` and a real agent whose GPUs
// come from a file (`--fake-gpus`): four GPUs, one busy with a process that is not labsweep's
// (this test's own), with utilisation and memory set. A one-trial sweep runs on one GPU; the
// file then lists the trial's real process on it, as a driver would. Checks that the page shows
// the four GPUs with the right badges, utilisation and memory, the trial's links, and that a GPU
// the stranger leaves turns free without a reload. Saves agents.png.

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { openBrowser, repo, screenshot, startLab, submitSweep, until, workDir } from './lab.mjs';

const AGENT = 'box-1';
let work, gate, gpusFile, server, browser, page, pageErrors;

// The fake inventory: GPU 0 idle (or running `trialPid`), GPU 1 used by this test's process
// unless `strangerLeft`, GPU 2 idle, GPU 3 idle on a driver that does not report utilisation.
function inventory({ trialPid = null, strangerLeft = false } = {}) {
  const h100 = (extra) => ({ name: 'Fake H100', memory_total_mb: 81559, ...extra });
  return {
    gpus: [
      trialPid === null
        ? h100({ memory_used_mb: 500, utilization_percent: 0 })
        : h100({ memory_used_mb: 20980, utilization_percent: 97,
                 processes: [{ pid: trialPid, used_mb: 20480 }] }),
      strangerLeft
        ? h100({ memory_used_mb: 500, utilization_percent: 0 })
        : h100({ memory_used_mb: 31220, utilization_percent: 45,
                 processes: [{ pid: process.pid, used_mb: 30720 }] }),
      h100({ memory_used_mb: 480, utilization_percent: 2 }),
      h100({ memory_used_mb: 0 }),
    ],
  };
}

// Written beside and renamed over, so that the agent never samples a half-written file.
function writeInventory(contents) {
  const next = gpusFile + '.next';
  writeFileSync(next, JSON.stringify(contents));
  renameSync(next, gpusFile);
}

function sweepFile() {
  const trial = path.join(repo, 'tests', 'web', 'gated_trial.py');
  return [
    'name: on-a-gpu',
    'method: grid',
    'metric: {name: loss, goal: minimize}',
    `command: [python3, '${trial}', '\${args}']`,
    'parameters:',
    '  x: {values: [1]}',
    `  gate: {value: '${gate}'}`,
    'labsweep:',
    '  resources: {gpus: 1}',
    '',
  ].join('\n');
}

// The pid of the trial's own process (python running gated_trial.py with this test's gate).
function trialPid() {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;  // it exited meanwhile
    }
    if (path.basename(argv[0]).startsWith('python') && argv.some((a) => a.endsWith('gated_trial.py')) &&
        argv.some((a) => a.includes(gate))) {
      return Number(name);
    }
  }
  return null;
}

// The GPU rows of the agent's card as the user sees them.
function gpuRows() {
  return page.evaluate((name) => {
    const card = document.querySelector(`.agent-card[data-agent="${name}"]`);
    if (!card) return [];
    return [...card.querySelectorAll('tr.gpu')].map((tr) => ({
      index: tr.dataset.gpu,
      status: tr.dataset.status,
      badge: tr.querySelector('.badge').textContent,
      util: tr.querySelector('.gpu-util').textContent,
      memory: tr.querySelector('.gpu-memory').textContent,
      links: [...tr.querySelectorAll('.gpu-trials a')].map((a) => a.getAttribute('href')),
    }));
  }, AGENT);
}

async function expectStatuses(statuses) {
  await until(`GPU statuses ${statuses}`, async () => {
    const seen = (await gpuRows()).map((r) => r.status);
    return JSON.stringify(seen) === JSON.stringify(statuses) || seen;
  });
}

before(async () => {
  work = workDir('agents');
  gate = path.join(work.dir, 'gate');
  mkdirSync(gate);
  gpusFile = path.join(work.dir, 'gpus.json');
  writeInventory(inventory());
  server = await startLab(work.dir, { name: AGENT, agentArgs: ['--fake-gpus', gpusFile] });
  ({ browser, page, errors: pageErrors } = await openBrowser());
});

after(async () => {
  if (browser) await browser.close();
  writeFileSync(path.join(gate, 'release-all'), '');
  if (server) await server.stop();
  work.remove();
});

test('the header links to the agents page, which shows every GPU of the agent', async () => {
  await page.goto(server.base + '/');
  await page.click('header a[href="/agents"]');
  await page.waitForURL(/\/agents$/);
  await expectStatuses(['free', 'others', 'free', 'free']);
  const rows = await gpuRows();
  assert.deepEqual(rows.map((r) => r.badge), ['free', 'in use by others', 'free', 'free']);
  assert.deepEqual(rows.map((r) => r.util), ['0 %', '45 %', '2 %', 'n/a']);
  assert.equal(rows[1].memory, '30.5 GiB / 79.6 GiB');
  const card = page.locator(`.agent-card[data-agent="${AGENT}"]`);
  assert.match(await card.locator('.agent-state').textContent(), /online/);
  assert.match(await card.locator('.agent-beat').textContent(), /last heartbeat (just now|\d s ago)/);
  assert.match(await page.locator('#agents-summary').textContent(), /1 agent .*4 GPUs/);
});

test('a running trial shows on its GPU with links to it and its sweep', async () => {
  await page.evaluate(() => { window.notReloaded = true; });
  await submitSweep(server.base, sweepFile());
  await expectStatuses(['labsweep', 'others', 'free', 'free']);
  assert.deepEqual((await gpuRows())[0].links, ['/trials/1', '/sweeps/1']);

  // The driver now lists the trial's process on GPU 0: the agent knows it for its own, so the
  // GPU stays labsweep's, with the trial's memory and utilisation.
  let pid = null;
  await until('the trial\'s process', () => (pid = trialPid()) !== null || 'not found');
  writeInventory(inventory({ trialPid: pid }));
  await until('GPU 0 at 97 %', async () => {
    const row = (await gpuRows())[0];
    return (row.util === '97 %' && row.status === 'labsweep') || row;
  });
  assert.equal((await gpuRows())[0].memory, '20.5 GiB / 79.6 GiB');
  assert.match(await page.locator('#agents-summary').textContent(),
               /1 labsweep.*1 in use by others.*1 of 4 slots used/);
  await screenshot(page, 'agents.png');
  assert.equal(await page.evaluate(() => window.notReloaded), true);
});

test('a GPU the stranger leaves turns free while the page is open', async () => {
  writeInventory(inventory({ trialPid: trialPid(), strangerLeft: true }));
  await expectStatuses(['labsweep', 'free', 'free', 'free']);
  assert.equal((await gpuRows())[1].util, '0 %');
  assert.equal(await page.evaluate(() => window.notReloaded), true);
});

test('the page ran without a script error or a policy violation', () => {
  assert.deepEqual(pageErrors, []);
});

test('the trial link opens the trial\'s page', async () => {
  await page.click(`.agent-card[data-agent="${AGENT}"] .gpu-trials a[href="/trials/1"]`);
  await page.waitForURL(/\/trials\/1$/);
});
