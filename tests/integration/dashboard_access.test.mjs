// A first visit to the dashboard, and the answers it gives instead of empty charts, in a headless
// browser against the binary: without a key it asks for one (no raw API error); Enter submits;
// the key is kept for the tab (sessionStorage), never in localStorage; a wrong key is said to be
// wrong; a team key says which team it views and is told it cannot view another team; a team
// name that matches nothing says so; a window without requests says "no requests between … and
// …". Screenshots in build/test-artifacts/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startSim, startGateway, CHROMIUM, DASHBOARD_CONFIG, DASHBOARD_KEYS, seedDashboardTraffic,
  dashboardPage, settledState, showView, screenshot } from './harness.mjs';

const { admin, teamA } = DASHBOARD_KEYS;

describe('dashboard: first visit, keys, teams and empty states', () => {
  let sim, gw, browser;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(DASHBOARD_CONFIG, sim);
    await seedDashboardTraffic(gw);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await sim?.stop();
  });

  it('asks for a key on the first visit; Enter submits it; the tab keeps it, localStorage never', async () => {
    const page = await dashboardPage(browser, gw, { allow: ['status of 401'] });
    assert.equal(await settledState(page), 'needs-key');
    assert.equal(await page.isVisible('#key-form'), true);
    assert.equal(await page.isVisible('#app'), false);  // no cards, no charts
    const text = await page.textContent('body');
    assert.doesNotMatch(text, /missing API key|HTTP 401|unauthorized/i);
    assert.match(await page.textContent('#key-form'), /admin key.*team's API key/s);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'key-input');
    await screenshot(page, 'dashboard-needs-key');

    // A wrong key: said so, asked again.
    await page.fill('#key-input', 'sk-not-a-key-0123456789');
    await page.press('#key-input', 'Enter');
    await page.waitForFunction(() => document.getElementById('key-error').textContent !== '');
    assert.equal(await settledState(page), 'needs-key');
    assert.match(await page.textContent('#key-error'), /That key was not accepted: invalid API key/);

    // The admin key, submitted with Enter.
    await page.fill('#key-input', admin);
    await page.press('#key-input', 'Enter');
    await page.waitForFunction(() => document.body.dataset.state !== 'needs-key');
    assert.equal(await settledState(page), 'ready', await page.textContent('#notice'));
    assert.match(await page.textContent('#whoami'), /Admin key · every team/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('switchyard-key')), admin);
    const stored = await page.evaluate(() => Object.entries(localStorage));
    assert.ok(stored.every(([k, v]) => !v.includes(admin) && k !== 'switchyard-key'), JSON.stringify(stored));

    // A reload keeps it (the tab); a new tab asks again.
    await page.reload();
    assert.equal(await settledState(page), 'ready');
    const other = await dashboardPage(browser, gw, { allow: ['status of 401'] });
    assert.equal(await settledState(other), 'needs-key');

    // "Use another key" forgets it.
    await page.click('#forget');
    assert.equal(await settledState(page), 'needs-key');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('switchyard-key')), null);
    assert.deepEqual(page.problems, []);
  });

  it('says which team a team key views', async () => {
    const page = await dashboardPage(browser, gw, { key: teamA, allow: ['status of 403'] });
    assert.equal(await settledState(page), 'ready', await page.textContent('#notice'));
    assert.equal(await page.textContent('#whoami'), 'Team key · viewing team team-a');
    assert.match(await page.textContent('#totals'), /requests for team “team-a”/);
    assert.equal(await page.getAttribute('#team', 'placeholder'), 'team-a');
    await screenshot(page, 'dashboard-team-key');
    // Its own team by name is fine.
    assert.equal(await showView(page, '#/requests?team=team-a'), 'ready');
    assert.deepEqual(page.problems, []);
  });

  it('tells a team key it cannot view another team, on every page', async () => {
    const page = await dashboardPage(browser, gw, { key: teamA, hash: '#/insights?team=team-b', allow: ['status of 403'] });
    assert.equal(await settledState(page), 'forbidden');
    const message = /This key belongs to team “team-a” and cannot see team “team-b”/;
    assert.match(await page.textContent('#notice'), message);
    assert.equal(await page.isVisible('#view-insights'), false);
    await screenshot(page, 'dashboard-team-forbidden');
    assert.equal(await showView(page, '#/requests?team=team-b'), 'forbidden');
    assert.match(await page.textContent('#notice'), message);
    assert.equal(await showView(page, '#/over-time?team=team-b'), 'forbidden');
    assert.match(await page.textContent('#notice'), message);
    // The Team field, emptied (its own team) and typed in.
    const submitTeam = async (team) => {
      await page.fill('#team', team);
      await page.evaluate(() => { document.body.dataset.state = 'loading'; });
      await page.press('#team', 'Enter');
      return settledState(page);
    };
    assert.equal(await submitTeam(''), 'ready');
    assert.equal(await submitTeam('team-b'), 'forbidden');
    assert.match(await page.textContent('#notice'), message);
  });

  it('says when a team name matches nothing', async () => {
    const page = await dashboardPage(browser, gw, { key: admin, hash: '#/insights?team=no-such-team' });
    assert.equal(await settledState(page), 'unknown-team');
    assert.match(await page.textContent('#notice'), /No team is named “no-such-team”/);
    assert.equal(await page.isVisible('#view-insights'), false);
    await screenshot(page, 'dashboard-unknown-team');
    assert.equal(await showView(page, '#/requests?team=no-such-team'), 'unknown-team');
    // A team that exists.
    assert.equal(await showView(page, '#/insights?team=team-b'), 'ready');
    assert.match(await page.textContent('#totals'), /requests for team “team-b”/);
    assert.deepEqual(page.problems, []);
  });

  it('says "no requests between … and …" for an empty window', async () => {
    const page = await dashboardPage(browser, gw, { key: admin, hash: '#/requests?window=custom&start=2001-01-01&end=2001-01-02' });
    assert.equal(await settledState(page), 'empty');
    assert.equal(await page.textContent('#requests-empty'), 'No requests between 2001-01-01 and 2001-01-02. Widen the window or clear the filters.');
    assert.equal(await page.isVisible('#requests-table'), false);
    await screenshot(page, 'dashboard-empty-window');
    assert.equal(await showView(page, '#/insights?from=2001-01-01&to=2001-01-02'), 'empty');
    assert.match(await page.textContent('#insights-empty'), /^No requests between 2001-01-01 and 2001-01-02 \(UTC days\)/);
    assert.deepEqual(page.problems, []);
  });
});
