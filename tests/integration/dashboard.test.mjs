// The dashboard's Insights page in a real headless browser (Debian's chromium driven by
// playwright-core), served by the binary: every chart draws with data from GET /v1/insights and
// says in one line what it shows; money keeps its significant digits; an unpriced model is shown
// as unpriced and left out of the spend ranking; the by-model chart stays readable with 26
// models; share axes are percentages and the uptime axis does not start at 0; tables export as
// CSV; a hostile model id is shown, never run; nothing is logged as an error. Also: a gateway
// without keys opens without asking for one; phone width; dark mode. Screenshots in
// build/test-artifacts/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startSim, startGateway, postJson, CHROMIUM, DASHBOARD_CONFIG, DASHBOARD_KEYS, HOSTILE_MODEL, seedDashboardTraffic,
  dashboardPage, settledState, showView, screenshot } from './harness.mjs';

const chartsOf = (page) => page.evaluate(() => window.switchyardCharts.map((c) => ({
  id: c.canvas.id, labels: c.data.labels, indexAxis: c.options.indexAxis ?? 'x',
  points: c.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null && v !== undefined).length, 0), width: c.width,
  scales: Object.fromEntries(Object.entries(c.scales).map(([k, s]) => [k, { min: s.min, max: s.max, ticks: s.ticks.map((t) => t.label) }])),
})));

describe('dashboard: insights', () => {
  let sim, gw, browser, total;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(DASHBOARD_CONFIG, sim);
    // 45 more r/premium: lab-a answers 48 of its 50 attempts (96%), the uptime of a real provider.
    ({ total } = await seedDashboardTraffic(gw, { manyModels: 26, extraPremium: 45 }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await sim?.stop();
  });

  it('draws every chart with data, explains each, and logs no error', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin });
    assert.equal(await settledState(page), 'ready', await page.textContent('#notice'));
    assert.match(await page.textContent('#whoami'), /Admin key/);
    const charts = await chartsOf(page);
    assert.deepEqual(charts.map((c) => c.id).sort(),
      ['adoption', 'agentic', 'by-model', 'by-provider', 'by-segment', 'by-use-case', 'models-per-team', 'rescue', 'uptime']);
    for (const c of charts) {
      if (c.id === 'adoption') continue;  // no family with two versions in this traffic
      assert.ok(c.points > 0 && c.width > 0, JSON.stringify(c));
    }
    // Each card says in one line what it shows.
    const whys = await page.$$eval('#view-insights .card', (cards) => cards.map((c) => c.querySelector('.why')?.textContent.trim() ?? ''));
    assert.ok(whys.length >= 11 && whys.every((w) => w.length > 20), JSON.stringify(whys));

    // Totals: every request, the refused and failed ones included.
    const stats = await page.$$eval('#totals .stat', (s) => s.map((e) => e.textContent));
    assert.match(stats[0], new RegExp(`^${total}requests`));
    assert.match(stats.at(-1), /no budget/);

    // Shares as percentages, horizontal; the by-model chart: top 10 and "other" of 26+ models.
    const byModel = charts.find((c) => c.id === 'by-model');
    assert.equal(byModel.indexAxis, 'y');
    assert.equal(byModel.labels.length, 11);
    assert.match(byModel.labels.at(-1), /^other \(\d+ models\)$/);
    assert.equal(byModel.scales.x.max, 100);
    assert.ok(byModel.scales.x.ticks.every((t) => /%$/.test(t)), JSON.stringify(byModel.scales.x.ticks));
    assert.ok(await page.locator('#by-model-table tbody tr').count() >= 31);  // every model in the table
    // Uptime: lab-a answered 96% of its attempts; the axis starts just below that, not at 0, so
    // 96% and 100% look as different as they are.
    const uptime = charts.find((c) => c.id === 'uptime');
    const labA = await page.locator('#uptime-table tr', { hasText: 'lab-a' }).locator('td').nth(1).textContent();
    assert.equal(labA, '96%');
    assert.ok(uptime.scales.y.min >= 90 && uptime.scales.y.min < 96 && uptime.scales.y.max === 100, JSON.stringify(uptime.scales.y));
    assert.ok(uptime.scales.y.ticks.every((t) => /%$/.test(t)));

    // Money with its significant digits: r/cheap costs about a ten-thousandth of a dollar, shown
    // as $0.0000984 or $0.000101, never $0.0000 or $0.00.
    const cheap = page.locator('#by-model-table tr', { hasText: 'r/cheap' });
    const cheapSpend = (await cheap.locator('td').nth(3).textContent()).trim();
    assert.match(cheapSpend, /^\$0\.000[0-9]*[1-9]\d{0,2}$/);
    assert.ok(cheapSpend.replace(/^\$0\.0*/, '').length >= 2, cheapSpend);
    // Unpriced: shown so in the table, kept out of the spend ranking, and the spend said incomplete.
    const free = page.locator('#by-model-table tr', { hasText: 'r/free' });
    assert.equal((await free.locator('td').nth(3).textContent()).trim(), 'unpriced');
    assert.equal(await page.locator('#leaderboard-spend-table tr', { hasText: 'r/free' }).count(), 0);
    assert.match(await page.textContent('#leaderboard-unpriced'), /^Unpriced, so not ranked: .*lab-b\/model-01 \(17 tokens\).* and 20 more/);
    assert.match(await page.textContent('#spend-note'), /Spend is incomplete/);
    // The two leaderboards: two tables.
    assert.ok(await page.locator('#leaderboard-tokens-table tbody tr').count() >= 30);
    assert.ok(await page.locator('#leaderboard-spend-table tbody tr').count() >= 3);
    assert.match(await page.locator('#leaderboard-spend-table tbody tr').first().textContent(), /r\/premium/);

    // The hostile model id is text.
    assert.match(await page.textContent('#leaderboard-tokens-table'), new RegExp(HOSTILE_MODEL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assert.equal(await page.locator('#view-insights img').count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);

    // CSV of a table: a download with a header and every row.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-table="by-model"] button.csv')]);
    assert.equal(download.suggestedFilename(), 'by-model.csv');
    const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r\n/);
    assert.equal(csv[0], 'model,requests,tokens,share,spend,share,USD per million tokens');
    assert.ok(csv.some((l) => l.startsWith('r/premium,48,')), csv.join('\n'));
    assert.ok(csv.length >= 32);

    await screenshot(page, 'dashboard');
    assert.deepEqual(page.problems, []);
  });

  it('says when a window has no requests', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/insights?from=2001-01-01&to=2001-01-02' });
    assert.equal(await settledState(page), 'empty');
    assert.match(await page.textContent('#insights-empty'), /No requests between 2001-01-01 and 2001-01-02/);
    assert.equal(await page.isVisible('#totals'), false);
    assert.deepEqual(page.problems, []);
  });

  it('is usable at phone width (375 px)', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, viewport: { width: 375, height: 812 } });
    assert.equal(await settledState(page), 'ready');
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(await overflow() <= 375, `the page is ${await overflow()} px wide`);
    await screenshot(page, 'dashboard-phone');
    assert.equal(await showView(page, '#/requests'), 'ready');
    assert.ok(await overflow() <= 375, `the requests page is ${await overflow()} px wide`);
    assert.ok(await page.locator('#requests-table tbody tr').count() > 0);
    await screenshot(page, 'dashboard-phone-requests');
    assert.deepEqual(page.problems, []);
  });

  it('follows the dark colour scheme', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, colorScheme: 'dark' });
    assert.equal(await settledState(page), 'ready');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, background);
    await screenshot(page, 'dashboard-dark');
    assert.equal(await showView(page, '#/over-time'), 'ready');
    await screenshot(page, 'dashboard-dark-over-time');
    assert.deepEqual(page.problems, []);
  });
});

describe('dashboard: a gateway without keys', () => {
  let sim, gw, browser;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
providers:
  lab-a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
`, sim);
    await (await postJson(`${gw.url}/v1/chat/completions`, { model: 'lab-a/m', messages: [{ role: 'user', content: 'x' }] })).arrayBuffer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await sim?.stop();
  });

  it('opens without asking for a key', async () => {
    const page = await dashboardPage(browser, gw);
    assert.equal(await settledState(page), 'ready', await page.textContent('#notice'));
    assert.match(await page.textContent('#whoami'), /No key needed/);
    assert.equal(await page.isVisible('#key-form'), false);
    assert.deepEqual(page.problems, []);
  });
});
