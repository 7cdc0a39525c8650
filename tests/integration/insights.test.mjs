// The insights API through the real binary, on a controlled mix with known answers: the spend
// leader is not the volume leader, one request in seven ends in a tool call, one is rescued, and
// a team key sees only its team's figures; on SQLite and on PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startSim, startGateway, startPostgres, postJson, assertClose, assertSchema, freePort, BIN } from './harness.mjs';

const ACME = 'sk-acme-0123456789', BETA = 'sk-beta-0123456789', ADMIN = 'sk-admin-0123456789';
const user = (content) => [{ role: 'user', content }];
const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];

for (const store of ['sqlite', 'postgres']) describe(`insights on ${store}`, () => {
  let sim, gw, yaml, pg;
  before(async () => {
    sim = await startSim();
    if (store === 'postgres') pg = await startPostgres();
    yaml = `${pg ? `storage: ${pg.url}` : ''}
auth:
  keys:
    - {key: ${ACME}, team: acme}
    - {key: ${BETA}, team: beta}
admin_key: ${ADMIN}
teams: {acme: {segment: b2b}, beta: {segment: b2c}}
providers:
  premium-lab: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  volume-lab: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
models:
  r/premium:
    routes: [{provider: premium-lab, model: echo}]
    price: {input: 100, output: 100}
  r/cheap:
    routes: [{provider: volume-lab, model: 'lorem~len=200'}]
    price: {input: 0.01, output: 0.01}
  r/rescued:
    routes: [{provider: premium-lab, model: 'echo~fail=503'}, {provider: volume-lab, model: 'lorem~len=200'}]
    price: {input: 0.01, output: 0.01}
`;
    gw = await startGateway(yaml, sim);
    const send = async (key, body) => (await postJson(`${gw.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}` })).arrayBuffer();
    await send(ACME, { model: 'r/premium', messages: user('short') });
    await send(ACME, { model: 'r/premium', messages: user('short'), tools, tool_choice: 'required' });
    for (let i = 0; i < 4; i++) await send(BETA, { model: 'r/cheap', messages: user('write a lot') });
    await send(BETA, { model: 'r/rescued', messages: user('write a lot') });
    await new Promise((ok) => setTimeout(ok, 600));  // records are written within a second
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
    pg?.stop();
  });

  const insights = async (key) => (await fetch(`${gw.url}/v1/insights`, { headers: { authorization: `Bearer ${key}` } })).json();

  it('tells spend share from token share, and finds agentic and rescued traffic', async () => {
    const all = await insights(ADMIN);
    assert.equal(all.totals.requests, 7);
    const [spendLeader, volumeLeader] = all.by_provider;
    assert.equal(spendLeader.key, 'premium-lab');
    assert.ok(spendLeader.spend_share > 0.9 && spendLeader.token_share < 0.1, JSON.stringify(spendLeader));
    assert.equal(volumeLeader.key, 'volume-lab');
    assert.ok(volumeLeader.token_share > 0.9, JSON.stringify(volumeLeader));
    assert.equal(all.leaderboard.by_tokens[0].key, 'r/cheap');
    assert.equal(all.leaderboard.by_spend[0].key, 'r/premium');
    assert.deepEqual(all.by_segment.map((s) => s.key), ['b2b', 'b2c']);
    assert.ok(Math.abs(all.agentic.request_share - 1 / 7) < 1e-9);
    assert.ok(Math.abs(all.rescue.request_rate - 1 / 7) < 1e-9);
    const premium = all.uptime.find((u) => u.provider === 'premium-lab');
    assert.ok(Math.abs(premium.request_uptime - 2 / 3) < 1e-9, JSON.stringify(premium));  // 2 of its 3 attempts
    assert.deepEqual(all.models_per_team, [{ bucket: '1-9', teams: 2, avg_models: 1.5 }]);
  });

  it('shows a team key its own team only', async () => {
    const acme = await insights(ACME);
    assert.equal(acme.totals.requests, 2);
    assert.deepEqual(acme.by_provider.map((p) => p.key), ['premium-lab']);
    const bad = await fetch(`${gw.url}/v1/insights?start_date=yesterday`, { headers: { authorization: `Bearer ${ACME}` } });
    assert.equal(bad.status, 400);
  });

  it('prints the same figures in a terminal with `switchyard report`', async () => {
    const api = await insights(ADMIN);
    const json = JSON.parse(execFileSync(BIN, ['report', '--config', gw.configPath, '--json']).toString());
    // The gateway sums its live rollup in the order records came, the CLI the store's records:
    // the same figures up to the last bits of a floating-point sum.
    assertClose(json, api);
    const table = execFileSync(BIN, ['report', '--config', gw.configPath]).toString();
    assert.match(table, /requests 7 /);
    assert.match(table, /premium-lab +2 /);
    assert.match(table, /Rescued by a fallback: 14\.29% of requests/);
  });

  it('rolls the stored history up again when the gateway restarts', async () => {
    const before = await insights(ADMIN);
    await gw.stop();
    gw = await startGateway(yaml, sim, gw.dir);
    for (let i = 0; i < 50 && !/7 records of history rolled up/.test(gw.output()); i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.match(gw.output(), /insights: 7 records of history rolled up/);
    assertClose(await insights(ADMIN), before);
  });
});

// The rollup answers once it holds the history; until then (here: a store that is down) all-teams
// insights say so in OpenAI's error shape with Retry-After, rather than read every record.
describe('insights before the history is read', () => {
  let gw;
  before(async () => {
    gw = await startGateway(`storage: postgres://postgres@127.0.0.1:${await freePort()}/postgres\nadmin_key: ${ADMIN}\n`);
  });
  after(async () => { await gw?.stop(); });

  it('answers 503 insights_loading with Retry-After', async () => {
    const r = await fetch(`${gw.url}/v1/insights`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '5');
    const body = await r.json();
    assertSchema('ErrorResponse', body);
    assert.equal(body.error.code, 'insights_loading');
    assert.match(body.error.message, /still reading the record history \(0 records so far\)/);
  });
});
