// The dashboard in a real headless browser (Debian's chromium driven by playwright-core): the page
// loads from the binary, every chart renders with data from the insights API, and nothing is
// logged to the console as an error. A screenshot is kept in build/test-artifacts/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startSim, startGateway, postJson } from './harness.mjs';

const artifacts = join(dirname(fileURLToPath(import.meta.url)), '../../build/test-artifacts');
const user = (content) => [{ role: 'user', content }];

describe('dashboard', () => {
  let sim, gw, browser;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
providers:
  lab-a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  lab-b: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
models:
  r/premium: {routes: [{provider: lab-a, model: claude-sonnet-4-5}], price: {input: 3, output: 15}}
  r/cheap: {routes: [{provider: lab-b, model: 'gemini-2.5-flash~len=80'}], price: {input: 0.1, output: 0.4}}
  r/rescued: {routes: [{provider: lab-a, model: 'echo~fail=503'}, {provider: lab-b, model: claude-sonnet-4}]}
`, sim);
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    for (let i = 0; i < 3; i++) await (await postJson(`${gw.url}/v1/chat/completions`, { model: 'r/premium', messages: user('x'), tools, tool_choice: 'required' })).arrayBuffer();
    for (let i = 0; i < 5; i++) await (await postJson(`${gw.url}/v1/chat/completions`, { model: 'r/cheap', messages: user('x') })).arrayBuffer();
    await (await postJson(`${gw.url}/v1/chat/completions`, { model: 'r/rescued', messages: user('x') })).arrayBuffer();
    // A model id is the client's text: the page must show it, never run it.
    const served = await postJson(`${gw.url}/v1/chat/completions`, { model: 'lab-b/<img src=x onerror=window.pwned=1>', messages: user('x') });
    assert.equal(served.status, 200, await served.clone().text());
    await served.arrayBuffer();
    await new Promise((ok) => setTimeout(ok, 600));
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await sim?.stop();
  });

  it('loads, draws every chart with data, and logs no error', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('requestfailed', (r) => problems.push(`${r.url()} failed`));
    await page.goto(`${gw.url}/dashboard`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error', null, { timeout: 10000 });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await page.textContent('#error'));
    const charts = await page.evaluate(() => window.switchyardCharts.map((c) => ({
      id: c.canvas.id, points: c.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0), width: c.width })));
    assert.deepEqual(charts.map((c) => c.id), ['by-provider', 'by-model', 'by-use-case', 'by-segment', 'agentic', 'rescue', 'uptime', 'models-per-team', 'adoption']);
    for (const c of charts) assert.ok(c.points > 0 && c.width > 0, JSON.stringify(c));
    assert.match(await page.textContent('#totals'), /^10 requests/);
    assert.match(await page.textContent('#totals'), /no budget on this key$/);
    assert.equal(await page.locator('#leaderboard tr').count(), 5);  // header + 4 models
    assert.match(await page.textContent('#leaderboard'), /lab-b\/<img src=x onerror=window\.pwned=1>/);
    assert.equal(await page.locator('#leaderboard img').count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
