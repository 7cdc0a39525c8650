// Accounting through the real binary: usage.cost and generation ids in answers, one record per
// request (plain, streamed with and without include_usage, tool call, rescued, failed, Anthropic
// format), the generation and report APIs with team scoping, /metrics, and no record lost on
// SIGTERM under load or on kill -9 after the flush interval.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, startGateway, postJson, assertSchema, sseData } from './harness.mjs';

const user = (content) => [{ role: 'user', content }];
const ACME = 'sk-acme-0123456789', BETA = 'sk-beta-0123456789', ADMIN = 'sk-admin-0123456789';
const PRICE = { input: 2.0, output: 8.0 };  // r/priced, USD per 1M tokens
const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];

const config = (extra = '') => `
auth:
  keys:
    - {key: ${ACME}, team: acme}
    - {key: ${BETA}, team: beta}
admin_key: ${ADMIN}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  b: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k, byok: true}
models:
  r/priced:
    routes: [{provider: a, model: echo}]
    price: {input: ${PRICE.input}, output: ${PRICE.output}}
  r/rescued:
    routes: [{provider: a, model: 'echo~fail=503'}, {provider: b, model: claude-haiku-4-5}]
  r/failing:
    routes: [{provider: a, model: 'echo~fail=500'}]
${extra}`;

const expectedCost = (usage) => (usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output) / 1e6;

describe('accounting', () => {
  let sim, gw;
  const as = (key) => ({ authorization: `Bearer ${key}` });
  const chat = (body, key = ACME, headers = {}) => postJson(`${gw.url}/v1/chat/completions`, body, { ...as(key), ...headers });
  const get = (path, key = ACME) => fetch(`${gw.url}${path}`, { headers: as(key) });
  // Records are written within a second: poll for one.
  async function generation(id, key = ACME) {
    for (let i = 0; i < 40; i++) {
      const r = await get(`/v1/generation?id=${id}`, key);
      if (r.status !== 404 || i === 39) return r;
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  before(async () => {
    sim = await startSim();
    gw = await startGateway(config(), sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it('prices a plain answer and gives it the generation id', async () => {
    const r = await chat({ model: 'r/priced', messages: user('what does this cost?'), user: 'u-1' },
      ACME, { 'x-switchyard-tags': 'checkout, beta-test', 'x-switchyard-use-case': 'support' });
    const body = await r.json();
    assertSchema('CreateChatCompletionResponse', body);
    assert.equal(body.id, r.headers.get('x-switchyard-request-id'));
    assert.match(body.id, /^gen_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.ok(Math.abs(body.usage.cost - expectedCost(body.usage)) < 1e-12, JSON.stringify(body.usage));

    const record = (await (await generation(body.id)).json()).data;
    assert.equal(record.id, body.id);
    assert.equal(record.model, 'r/priced');
    assert.equal(record.provider_name, 'a');
    assert.equal(record.streamed, false);
    assert.equal(record.finish_reason, 'stop');
    assert.equal(record.native_tokens_prompt, body.usage.prompt_tokens);
    assert.equal(record.native_tokens_completion, body.usage.completion_tokens);
    assert.equal(record.total_cost, body.usage.cost);
    assert.equal(record.team, 'acme');
    assert.equal(record.user, 'u-1');
    assert.deepEqual(record.tags, ['checkout', 'beta-test']);
    assert.equal(record.use_case, 'support');
    assert.equal(record.is_byok, false);
    assert.equal(record.attempts.length, 1);
    assert.ok(record.latency >= 0 && record.time_to_first_token <= record.latency);
  });

  it('records a stream whose client did not ask for usage, and does not show it the usage', async () => {
    const r = await chat({ model: 'r/priced', stream: true, messages: user('stream me') });
    const id = r.headers.get('x-switchyard-request-id');
    const events = await sseData(r);
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    for (const chunk of chunks) {
      assertSchema('CreateChatCompletionStreamResponse', chunk);
      assert.equal(chunk.id, id);
      assert.equal(chunk.usage, undefined);
    }
    const record = (await (await generation(id)).json()).data;
    assert.equal(record.streamed, true);
    assert.ok(record.native_tokens_completion > 0);
    assert.ok(record.total_cost > 0);
  });

  it('puts the cost on the final usage chunk when the client asked for usage', async () => {
    const r = await chat({ model: 'r/priced', stream: true, stream_options: { include_usage: true }, messages: user('x') });
    const chunks = (await sseData(r)).slice(0, -1).map((e) => JSON.parse(e));
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.ok(Math.abs(last.usage.cost - expectedCost(last.usage)) < 1e-12);
  });

  it('records a tool call, a rescued request with both attempts, and a failed one', async () => {
    const tool = await chat({ model: 'r/priced', messages: user('find it'), tools, tool_choice: 'required' });
    const toolRecord = (await (await generation(tool.headers.get('x-switchyard-request-id'))).json()).data;
    assert.equal(toolRecord.finish_reason, 'tool_calls');

    const rescued = await chat({ model: 'r/rescued', messages: user('save me') });
    assert.equal(rescued.status, 200);
    const body = await rescued.json();
    const record = (await (await generation(body.id)).json()).data;
    assert.deepEqual(record.attempts.map((a) => [a.provider, a.success, a.status]), [['a', false, 503], ['b', true, 200]]);
    assert.equal(record.provider_name, 'b');
    assert.equal(record.is_byok, true);
    // claude-haiku-4-5 is priced from data/prices.yaml: $1 in, $5 out per 1M.
    assert.ok(Math.abs(record.total_cost - (body.usage.prompt_tokens * 1 + body.usage.completion_tokens * 5) / 1e6) < 1e-12);

    const failed = await chat({ model: 'r/failing', messages: user('x') });
    assert.equal(failed.status, 502);
    const failedRecord = (await (await generation(failed.headers.get('x-switchyard-request-id'))).json()).data;
    assert.equal(failedRecord.status, 502);
    assert.match(failedRecord.error, /500/);
    assert.equal(failedRecord.total_cost, 0);  // the AI SDK's schema takes numbers only ...
    assert.equal(failedRecord.priced, false);  // ... so "unpriced" is told here
  });

  it('records an unpriced model as unpriced, never as free', async () => {
    const r = await chat({ model: 'a/echo', messages: user('x') });
    const body = await r.json();
    assert.equal(body.usage.cost, null, 'the answer says it is unpriced, as the record does');
    const record = (await (await generation(body.id)).json()).data;
    // /v1/generation answers the AI SDK's getGenerationInfo, whose schema takes numbers only.
    assert.deepEqual([record.total_cost, record.priced], [0, false]);
    const priced = (await (await generation((await (await chat({ model: 'r/priced', messages: user('y') })).json()).id)).json()).data;
    assert.equal(priced.priced, true);
    const report = await (await get('/v1/report?group_by=model', ACME)).json();
    assert.ok(report.results.some((row) => row.model === 'a/echo'));
  });

  it('records Anthropic-format requests too', async () => {
    const r = await postJson(`${gw.url}/v1/messages`, { model: 'r/priced', max_tokens: 50, messages: user('hi') }, as(ACME));
    const body = await r.json();
    assert.ok(body.usage.cost > 0);
    const record = (await (await generation(r.headers.get('x-switchyard-request-id'))).json()).data;
    assert.equal(record.endpoint, '/v1/messages');
    assert.equal(record.native_tokens_prompt, body.usage.input_tokens);
  });

  it('shows a team only its own records; the admin key sees all', async () => {
    const r = await chat({ model: 'r/priced', messages: user('mine') });
    const id = r.headers.get('x-switchyard-request-id');
    assert.equal((await generation(id)).status, 200);
    const other = await get(`/v1/generation?id=${id}`, BETA);
    assert.equal(other.status, 404);
    assertSchema('ErrorResponse', await other.json());
    assert.equal((await get(`/v1/generation?id=${id}`, ADMIN)).status, 200);
    assert.equal((await get('/v1/generation', ACME)).status, 400);
  });

  it('reports by model, team and tag in Vercel\'s shape, team-scoped', async () => {
    await (await chat({ model: 'r/priced', messages: user('beta') }, BETA, { 'x-switchyard-tags': 'nightly' })).arrayBuffer();
    await new Promise((ok) => setTimeout(ok, 600));
    const today = new Date().toISOString().slice(0, 10);
    const report = async (group, key) =>
      (await (await get(`/v1/report?start_date=${today}&end_date=${today}&group_by=${group}`, key)).json()).results;
    const byTeam = await report('team', ADMIN);
    assert.deepEqual(byTeam.map((r) => r.team).sort(), ['acme', 'beta']);
    const acmeOnly = await report('team', ACME);
    assert.deepEqual(acmeOnly.map((r) => r.team), ['acme']);
    const betaModels = await report('model', BETA);
    assert.deepEqual(betaModels.map((r) => [r.model, r.request_count]), [['r/priced', 1]]);
    for (const key of ['total_cost', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_creation_input_tokens',
      'reasoning_tokens', 'request_count']) assert.equal(typeof betaModels[0][key], 'number', key);
    const tags = await report('tag', ADMIN);
    assert.ok(tags.some((r) => r.tag === 'nightly' && r.request_count === 1), JSON.stringify(tags));
    const bad = await get('/v1/report?group_by=colour', ACME);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.param, 'group_by');
  });

  it('exposes Prometheus metrics', async () => {
    await new Promise((ok) => setTimeout(ok, 400));
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(text, /switchyard_requests_total\{provider="a",model="r\/priced",status="200"\} \d+/);
    assert.match(text, /switchyard_attempts_total\{provider="a",model="r\/rescued",outcome="failure"\} 1/);
    assert.match(text, /switchyard_cost_usd_total\{provider="a",model="r\/priced"\} [0-9.e-]+/);
    assert.match(text, /switchyard_request_duration_seconds_bucket\{provider="a",model="r\/priced",le="\+Inf"\} \d+/);
    assert.match(text, /switchyard_journal_records 0/);
  });
});

describe('durability', () => {
  let sim;
  before(async () => { sim = await startSim(); });
  after(async () => { await sim?.stop(); });

  const countRecords = async (gw) => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await fetch(`${gw.url}/v1/report?start_date=${today}&end_date=${today}&group_by=team`,
      { headers: { authorization: `Bearer ${ADMIN}` } });
    return (await r.json()).results.reduce((n, row) => n + row.request_count, 0);
  };

  it('stores every answered request\'s record when stopped by SIGTERM under load', async () => {
    const gw = await startGateway(config(), sim);
    let answered = 0;
    const load = Array.from({ length: 300 }, (_, i) =>
      new Promise((ok) => setTimeout(ok, i * 3)).then(() =>
        postJson(`${gw.url}/v1/chat/completions`, { model: 'r/priced', messages: user(`n${i}`) }, { authorization: `Bearer ${ACME}` })
          .then(async (r) => { await r.arrayBuffer(); if (r.status === 200) answered++; }, () => {})));
    await new Promise((ok) => setTimeout(ok, 450));
    gw.proc.kill('SIGTERM');
    await Promise.all(load);
    await new Promise((ok) => gw.proc.exitCode !== null ? ok() : gw.proc.once('exit', ok));
    assert.ok(answered > 50, `only ${answered} answered before the stop`);
    const again = await startGateway(config(), sim, gw.dir);
    try {
      assert.equal(await countRecords(again), answered);
    } finally {
      await again.stop();
    }
  });

  it('keeps every record after kill -9 taken a second after the last answer', async () => {
    const gw = await startGateway(config(), sim);
    for (let i = 0; i < 40; i++)
      await (await postJson(`${gw.url}/v1/chat/completions`, { model: 'r/priced', stream: i % 2 === 0, messages: user('k') },
        { authorization: `Bearer ${ACME}` })).arrayBuffer();
    await new Promise((ok) => setTimeout(ok, 1000));
    gw.proc.kill('SIGKILL');
    await new Promise((ok) => gw.proc.exitCode !== null || gw.proc.signalCode ? ok() : gw.proc.once('exit', ok));
    const again = await startGateway(config(), sim, gw.dir);
    try {
      assert.equal(await countRecords(again), 40);
    } finally {
      await again.stop();
    }
  });
});
