// The PostgreSQL store against a real server: records, the generation and report APIs, and an
// outage in the middle of traffic (server stopped, then started) with no record lost.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, startGateway, startPostgres, postJson } from './harness.mjs';

const ADMIN = 'sk-admin-0123456789';
const auth = { authorization: `Bearer ${ADMIN}` };
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

describe('PostgreSQL store', () => {
  let sim, pg, gw, yaml;
  before(async () => {
    sim = await startSim();
    pg = await startPostgres();
    yaml = `
storage: ${pg.url}
admin_key: ${ADMIN}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
models:
  r/priced:
    routes: [{provider: a, model: echo}]
    price: {input: 1, output: 4}
`;
    gw = await startGateway(yaml, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
    try { pg?.stop(); } catch { /* already stopped */ }
  });

  const chat = (i) => postJson(`${gw.url}/v1/chat/completions`, { model: 'r/priced', stream: i % 3 === 0, messages: [{ role: 'user', content: `m${i}` }] });
  const count = async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await fetch(`${gw.url}/v1/report?start_date=${today}&end_date=${today}&group_by=model`, { headers: auth });
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()).results.reduce((n, row) => n + row.request_count, 0);
  };

  it('stores records and answers the generation and report APIs', async () => {
    const r = await chat(1);
    const body = await r.json();
    let record;
    for (let i = 0; i < 40 && !record; i++) {
      await sleep(50);
      const g = await fetch(`${gw.url}/v1/generation?id=${body.id}`, { headers: auth });
      if (g.status === 200) record = (await g.json()).data;
    }
    assert.ok(record, 'no record within 2 s');
    assert.equal(record.total_cost, body.usage.cost);
    assert.equal(record.attempts[0].provider, 'a');
    assert.equal(await count(), 1);
  });

  it('loses no record when the server goes down mid-traffic and comes back', async () => {
    const before = await count();
    let answered = 0;
    const send = async (from, to) => {
      for (let i = from; i < to; i++) {
        const r = await chat(i);
        await r.arrayBuffer();
        if (r.status === 200) answered++;
      }
    };
    await send(0, 30);
    pg.stop();
    await send(30, 80);  // answered while the store is down: journaled
    await sleep(300);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /switchyard_journal_records [1-9]\d*/, 'records should wait in the journal');
    pg.start();
    await send(80, 100);
    let stored = 0;
    for (let i = 0; i < 40 && stored < before + answered; i++) {
      await sleep(100);
      try { stored = await count(); } catch { /* the reader reconnects */ }
    }
    assert.equal(answered, 100);
    assert.equal(stored, before + answered);
    assert.match(await (await fetch(`${gw.url}/metrics`)).text(), /switchyard_journal_records 0/);
  });

  it('answers the insights API from PostgreSQL, the same as it counts in reports', async () => {
    const r = await fetch(`${gw.url}/v1/insights`, { headers: auth });
    assert.equal(r.status, 200);
    const insights = await r.json();
    assert.equal(insights.totals.requests, await count());
    assert.deepEqual(insights.by_provider.map((p) => p.key), ['a']);
    assert.equal(insights.uptime[0].request_uptime, 1);
    assert.ok(insights.totals.cost > 0);
  });

  it("counts another gateway's traffic on the same PostgreSQL in its insights within seconds", async () => {
    // The history is read (again every 2 s while the server was down) before the rollup answers.
    for (let i = 0; i < 40 && !/records of history rolled up/.test(gw.output()); i++) await sleep(250);
    assert.match(gw.output(), /insights: \d+ records of history rolled up/);
    const other = await startGateway(yaml, sim);
    try {
      const before = await count();  // the report reads the store: every gateway's records
      for (let i = 0; i < 6; i++) await (await postJson(`${other.url}/v1/chat/completions`, { model: 'r/priced', messages: [{ role: 'user', content: `o${i}` }] })).arrayBuffer();
      let stored = await count();  // until the other gateway's writer has stored all six
      for (let i = 0; i < 100 && stored < before + 6; i++) { await sleep(100); stored = await count(); }
      assert.equal(stored, before + 6);
      const requests = async (url) => (await (await fetch(`${url}/v1/insights`, { headers: auth })).json()).totals.requests;
      let seen = 0;
      for (let i = 0; i < 60 && (seen = await requests(gw.url)) !== stored; i++) await sleep(250);
      assert.equal(seen, stored);  // followed within ~7 s (records older than 5 s, every 2 s)
      assert.equal(await requests(other.url), stored);  // its history at start plus its own
    } finally {
      await other.stop();
    }
  });
});
