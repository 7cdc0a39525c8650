// The dashboard's "Over time" page in a headless browser, over the binary's GET /v1/timeseries:
// requests, errors by class, spend, tokens, latency and TTFT quantiles and the rescue rate draw
// with data at minute, hour and day grain, in total and per provider / per model, each chart with
// its unit and a one-line explanation; the window's totals export as CSV. Screenshots in
// build/test-artifacts/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startSim, startGateway, CHROMIUM, DASHBOARD_CONFIG, DASHBOARD_KEYS, seedDashboardTraffic,
  dashboardPage, settledState, showView, screenshot } from './harness.mjs';

const IDS = ['ts-requests', 'ts-errors', 'ts-spend', 'ts-tokens', 'ts-latency', 'ts-ttft', 'ts-rescue'];
const chartsOf = (page) => page.evaluate(() => Object.fromEntries(window.switchyardCharts.map((c) => [c.canvas.id, {
  labels: c.data.datasets.map((d) => d.label),
  sums: c.data.datasets.map((d) => d.data.reduce((n, v) => n + (v ?? 0), 0)),
  points: c.data.labels.length, width: c.width,
  yTitle: c.options.scales?.y?.title?.text ?? '',
}])));

describe('dashboard: over time', () => {
  let sim, gw, browser, total;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(DASHBOARD_CONFIG, sim);
    ({ total } = await seedDashboardTraffic(gw));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await sim?.stop();
  });

  it('draws the last hour minute by minute, in total', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/over-time' });
    assert.equal(await settledState(page), 'ready', await page.textContent('#notice'));
    const charts = await chartsOf(page);
    assert.deepEqual(Object.keys(charts).sort(), [...IDS].sort());
    for (const id of IDS) assert.ok(charts[id].width > 0 && charts[id].points >= 59 && charts[id].points <= 62, `${id}: ${JSON.stringify(charts[id])}`);
    assert.equal(charts['ts-requests'].sums[0], total);
    // Errors by class: the refused request, the one the provider failed (500).
    const errors = Object.fromEntries(charts['ts-errors'].labels.map((l, i) => [l, charts['ts-errors'].sums[i]]));
    assert.equal(errors['rejected by the gateway'], 1);
    assert.equal(errors['provider errors (5xx)'], 1);
    assert.ok(charts['ts-spend'].sums[0] > 0);
    assert.ok(charts['ts-tokens'].sums[0] > 0 && charts['ts-tokens'].sums[1] > 0);  // input, output
    assert.deepEqual(charts['ts-latency'].labels, ['p50', 'p95', 'p99']);
    assert.deepEqual(charts['ts-ttft'].labels, ['p50', 'p99']);
    assert.ok(charts['ts-rescue'].sums[0] > 0);
    // Units on the axes, one line of explanation per chart.
    assert.equal(charts['ts-requests'].yTitle, 'requests per minute');
    assert.equal(charts['ts-spend'].yTitle, 'USD per minute');
    assert.equal(charts['ts-rescue'].yTitle, 'rescued (% of requests)');
    const whys = await page.$$eval('#ts-body .why', (ps) => ps.map((p) => p.textContent.trim()));
    assert.ok(whys.length === 8 && whys.every((w) => w.length > 20), JSON.stringify(whys));
    assert.match(await page.textContent('#ts-summary'), new RegExp(`^${total} requests between .* one point a minute`));
    assert.match(await page.textContent('#ts-note'), /Spend is incomplete: 2 requests/);  // r/free and the hostile id
    await screenshot(page, 'dashboard-over-time');
    assert.deepEqual(page.problems, []);
  });

  it('draws a line per provider and per model, and exports the totals', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/over-time' });
    assert.equal(await settledState(page), 'ready');
    await page.evaluate(() => { document.body.dataset.state = 'loading'; });
    await page.selectOption('#ts-group', 'provider');  // applies at once
    assert.equal(await settledState(page), 'ready');
    let charts = await chartsOf(page);
    // The refused request reached no provider: its own line.
    assert.deepEqual(charts['ts-spend'].labels.sort(), ['(no upstream)', 'lab-a', 'lab-b']);
    assert.deepEqual(charts['ts-requests'].labels.sort(), ['(no upstream)', 'lab-a', 'lab-b']);  // stacked: the total
    assert.match(await page.textContent('#why-ts-requests'), /\(no upstream\): refused before any provider/);
    assert.equal(await page.textContent('#ts-errors-title'), 'Error rate');
    assert.deepEqual(charts['ts-latency'].labels.sort(), ['(no upstream)', 'lab-a', 'lab-b']);
    assert.match(await page.textContent('#why-ts-latency'), /p95 latency/);
    await screenshot(page, 'dashboard-over-time-providers');

    assert.equal(await showView(page, '#/over-time?grain=minute&window=1h&group_by=model&top=3&q=p99'), 'ready');
    charts = await chartsOf(page);
    assert.equal(charts['ts-spend'].labels.length, 4);  // the top 3 and (other)
    assert.ok(charts['ts-spend'].labels.includes('(other)'), JSON.stringify(charts['ts-spend'].labels));
    assert.match(await page.textContent('#why-ts-latency'), /p99 latency/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-table="ts-totals"] button.csv')]);
    assert.equal(download.suggestedFilename(), 'over-time.csv');
    const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r\n/);
    assert.equal(csv[0], 'model,requests,errors,rescued,input tokens,output tokens,spend,unpriced requests');
    assert.ok(csv[1].startsWith(`total,${total},2,1,`), csv[1]);
    assert.equal(csv.length, 6);
    assert.deepEqual(page.problems, []);
  });

  it('draws hours and days', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/over-time?grain=hour' });
    assert.equal(await settledState(page), 'ready');
    let charts = await chartsOf(page);
    assert.ok(charts['ts-requests'].points >= 48 && charts['ts-requests'].points <= 50, String(charts['ts-requests'].points));
    assert.equal(charts['ts-requests'].sums[0], total);
    assert.equal(charts['ts-requests'].yTitle, 'requests per hour');
    assert.equal(await page.inputValue('#ts-window'), '2d');
    assert.equal(await showView(page, '#/over-time?grain=day&window=7d'), 'ready');
    charts = await chartsOf(page);
    assert.ok(charts['ts-requests'].points >= 7 && charts['ts-requests'].points <= 8, String(charts['ts-requests'].points));
    assert.equal(charts['ts-requests'].sums[0], total);
    await screenshot(page, 'dashboard-over-time-days');
    assert.deepEqual(page.problems, []);
  });

  it('says when a team has no requests in the window', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.teamC, hash: '#/over-time', allow: ['status of 403'] });
    assert.equal(await settledState(page), 'empty');
    assert.match(await page.textContent('#ts-empty'), /^No requests of team “team-c” between .* and .*\./);
    assert.equal(await page.isVisible('#ts-body'), false);
  });
});
