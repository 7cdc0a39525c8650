// The dashboard's Requests page and one request's drill-down in a headless browser, over the
// binary's GET /v1/logs and GET /v1/generation: rows appear newest first, filters narrow them, a
// refused request shows with its reason, "Older requests" pages on with next_cursor, the live
// tail puts a new request on top, the log exports as CSV, and a request rescued by a fallback
// shows its two attempts on a timeline. Screenshots in build/test-artifacts/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startSim, startGateway, postJson, CHROMIUM, DASHBOARD_CONFIG, DASHBOARD_KEYS, seedDashboardTraffic,
  dashboardPage, settledState, showView, screenshot, until } from './harness.mjs';

const rows = (page) => page.locator('#requests-table tbody tr');

describe('dashboard: requests', () => {
  let sim, gw, browser, total, ids;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(DASHBOARD_CONFIG, sim);
    ({ total, ids } = await seedDashboardTraffic(gw, { extraCheap: 50 }));  // more than a page of 50
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await sim?.stop();
  });

  it('lists requests newest first and pages to older ones', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/requests' });
    assert.equal(await settledState(page), 'ready', await page.textContent('#notice'));
    assert.equal(await rows(page).count(), 50);
    assert.match(await page.textContent('#requests-summary'), /^50 requests between .* and now, newest first/);
    // Newest first: the 50 extra r/cheap requests of team b came last.
    assert.match(await rows(page).first().textContent(), /r\/cheap/);
    assert.equal(await page.isVisible('#older'), true);
    await page.click('#older');
    await page.waitForFunction((n) => document.querySelectorAll('#requests-table tbody tr').length === n, total, { timeout: 10000 });
    assert.equal(await page.isVisible('#older'), false);
    assert.match(await page.textContent('#pager-note'), /every request/);
    // The oldest request is the first one sent: an agentic r/premium of team a.
    assert.match(await rows(page).last().textContent(), /r\/premium.*team-a/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#requests-csv')]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r\n/);
    assert.equal(csv.length, total + 1);
    assert.match(csv[0], /^time,outcome,status,model,model asked for,error \/ reason,provider,latency,TTFT/);
    await screenshot(page, 'dashboard-requests');
    assert.deepEqual(page.problems, []);
  });

  it('narrows the rows with filters, and shows a refused request with its reason', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/requests' });
    assert.equal(await settledState(page), 'ready');
    // Status "rejected", typed in and submitted with Enter.
    await page.fill('#f-status', 'rejected');
    await page.evaluate(() => { document.body.dataset.state = 'loading'; });
    await page.press('#f-status', 'Enter');
    assert.equal(await settledState(page), 'ready');
    assert.match(await page.evaluate(() => location.hash), /status=rejected/);
    assert.equal(await rows(page).count(), 1);
    const refused = rows(page).first();
    assert.equal(await refused.getAttribute('data-outcome'), 'rejected');
    assert.match(await refused.textContent(), /rejected 404/);
    assert.match(await refused.textContent(), /acme\/nope/);
    assert.match(await refused.locator('td.reason').textContent(), /model 'acme\/nope' not found/);
    await screenshot(page, 'dashboard-requests-rejected');

    // By model, by team, by outcome and by stream.
    assert.equal(await showView(page, '#/requests?model=r%2Fpremium'), 'ready');
    assert.equal(await rows(page).count(), 3);
    assert.equal(await page.inputValue('#f-model'), 'r/premium');
    assert.equal(await showView(page, '#/requests?team=team-a&status=error'), 'ready');
    assert.equal(await rows(page).count(), 1);
    assert.match(await rows(page).first().textContent(), /r\/broken/);
    assert.equal(await showView(page, '#/requests?streamed=true'), 'ready');
    assert.equal(await rows(page).count(), 1);
    assert.match(await rows(page).first().textContent(), /r\/cheap.*team-a/);
    assert.equal(await showView(page, '#/requests?tag=stream'), 'ready');
    assert.equal(await rows(page).count(), 1);
    // A filter that matches nothing says so, with the window.
    assert.equal(await showView(page, '#/requests?model=nothing-like-this'), 'empty');
    assert.match(await page.textContent('#requests-empty'), /^No requests between .* and now match these filters/);
    assert.deepEqual(page.problems, []);
  });

  it('puts new requests on top as they come (live tail)', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/requests?model=r%2Fpremium' });
    assert.equal(await settledState(page), 'ready');
    assert.equal(await rows(page).count(), 3);
    const response = await postJson(`${gw.url}/v1/chat/completions`, { model: 'r/premium', user: 'tail-user', messages: [{ role: 'user', content: 'x' }] },
      { authorization: `Bearer ${DASHBOARD_KEYS.teamB}` });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    await page.waitForFunction(() => document.querySelectorAll('#requests-table tbody tr').length === 4, null, { timeout: 10000 });
    assert.match(await rows(page).first().textContent(), /tail-user/);
    assert.deepEqual(page.problems, []);
  });

  it('drills into a rescued request: its two attempts on a timeline, tokens, cost and routing', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/requests?model=r%2Frescued' });
    assert.equal(await settledState(page), 'ready');
    assert.equal(await rows(page).count(), 1);
    await page.evaluate(() => { document.body.dataset.state = 'loading'; });
    await rows(page).first().locator('td').nth(2).click();  // anywhere on the row
    assert.equal(await settledState(page), 'ready');
    assert.equal(await page.evaluate(() => location.hash), `#/requests/${ids.rescued}`);
    assert.match(await page.textContent('#request-title'), new RegExp(ids.rescued));
    const routing = await page.textContent('#request-routing');
    assert.match(routing, /Asked for r\/rescued/);
    assert.match(routing, /Fallback: 2 attempts; lab-a echo~fail=503 \(503\) failed before lab-b answered/);
    // The timeline: two bars, the first failed, the second after it.
    const attempts = page.locator('#attempts .tl-row');
    assert.equal(await attempts.count(), 2);
    assert.equal(await attempts.nth(0).getAttribute('data-success'), 'false');
    assert.equal(await attempts.nth(1).getAttribute('data-success'), 'true');
    assert.equal(await attempts.nth(0).locator('.tl-bar.failed').count(), 1);
    assert.match(await attempts.nth(0).textContent(), /lab-a.*echo~fail=503.*failed · HTTP 503/);
    assert.match(await attempts.nth(1).textContent(), /lab-b.*claude-sonnet-4.*answered · HTTP 200/);
    const [first, second] = await attempts.locator('.tl-bar').evaluateAll((bars) => bars.map((b) => parseFloat(b.style.left)));
    assert.ok(first <= second, `${first} then ${second}`);
    assert.equal(await page.locator('#attempts-table tbody tr').count(), 2);
    // Tokens by kind, cost, the request's context.
    assert.match(await page.textContent('#tokens-table'), /input.*output/s);
    assert.match(await page.textContent('#request-facts'), /cost\$0\.0*[1-9]\d* at list price/);
    assert.match(await page.textContent('#request-facts'), /time to first token\d+ ms/);
    assert.match(await page.textContent('#request-context'), /teamteam-a/);
    assert.doesNotMatch(await page.textContent('#view-request'), new RegExp(DASHBOARD_KEYS.teamA));
    await screenshot(page, 'dashboard-request');
    // Back to the list it came from.
    await page.evaluate(() => { document.body.dataset.state = 'loading'; });
    await page.click('#back');
    assert.equal(await settledState(page), 'ready');
    assert.match(await page.evaluate(() => location.hash), /^#\/requests\?model=r%2Frescued/);
    assert.deepEqual(page.problems, []);
  });

  it('drills into a refused request: no attempt, the reason', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.admin, hash: '#/requests?status=rejected' });
    assert.equal(await settledState(page), 'ready');
    const id = await rows(page).first().getAttribute('data-id');
    assert.equal(await showView(page, `#/requests/${id}`), 'ready');
    assert.match(await page.textContent('#request-routing'), /Refused by the gateway before any provider was tried: model 'acme\/nope' not found/);
    assert.equal(await page.locator('#attempts .tl-row').count(), 0);
    assert.equal(await showView(page, '#/requests/gen_nonexistent'), 'empty');
    assert.match(await page.textContent('#request-missing'), /No request “gen_nonexistent”/);
    assert.deepEqual(page.problems.filter((p) => !/status of 404/.test(p)), []);
  });

  it('shows a team key its own team only', async () => {
    const page = await dashboardPage(browser, gw, { key: DASHBOARD_KEYS.teamB, hash: '#/requests', allow: ['status of 403'] });
    assert.equal(await settledState(page), 'ready');
    assert.match(await page.textContent('#whoami'), /team team-b/);
    const teams = await page.$$eval('#requests-table tbody tr', (trs) => [...new Set(trs.map((tr) => tr.children[9].textContent))]);
    assert.deepEqual(teams, ['team-b']);
    const record = await until(async () => {
      const r = await fetch(`${gw.url}/v1/logs?limit=1&model=r%2Frescued`, { headers: { authorization: `Bearer ${DASHBOARD_KEYS.admin}` } });
      return (await r.json()).data[0];
    }, 'the rescued record');
    // Another team's request is as missing as one that never was.
    assert.equal(await showView(page, `#/requests/${record.id}`), 'empty');
    assert.match(await page.textContent('#request-missing'), /a team's key sees its own team's requests only/);
  });
});
