// Keys, rate limits, budgets and the admin API on one gateway (SQLite store, counted in this
// process), driven the way users see them: the official OpenAI and Anthropic SDKs' errors and
// headers, /v1/credits, the admin API's answers, and the routing headers. See docs/governance.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { generateText } from 'ai';
import { createGateway, GatewayRateLimitError } from '@ai-sdk/gateway';
import { startSim, startGateway, postJson, clearOfMinuteEdge, until } from './harness.mjs';

const ADMIN = 'sk-admin-0123456789';
const RPM = 'sk-rpm-0123456789aa', MSG = 'sk-msg-0123456789aa', HARD = 'sk-hard-0123456789a', SOFT = 'sk-soft-0123456789a';
const PLAIN = 'sk-plain-0123456789', ONLY = 'sk-only-0123456789a', CONC = 'sk-conc-0123456789a', QUOTA = 'sk-quota-0123456789';
const N = 3;
const BUDGET = 0.1;  // USD a day for HARD; r/priced costs $1000 per 1M tokens, in and out: ~$0.01 an answer
const user = (content) => [{ role: 'user', content }];
const as = (key) => ({ authorization: `Bearer ${key}` });



const config = `
admin_key: ${ADMIN}
auth:
  keys:
    - {key: ${RPM}, team: acme, limits: {rpm: ${N}}}
    - {key: ${MSG}, team: acme, limits: {rpm: 2}}
    - {key: ${HARD}, team: hardteam, budget: {usd: ${BUDGET}, period: day, mode: hard}}
    - {key: ${SOFT}, team: softteam, budget: {usd: 0.001, period: day, mode: soft}}
    - {key: ${PLAIN}, team: acme}
    - {key: ${ONLY}, team: acme, models: [r/cheap, r/broken]}
    - {key: ${CONC}, team: acme, limits: {concurrent: 1}}
    - {key: ${QUOTA}, team: acme}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  q: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k, limits: {rpm: 1}}
models:
  r/cheap:
    routes: [{provider: a, model: echo}]
  r/priced:
    routes: [{provider: a, model: 'lorem~len=8'}]
    price: {input: 1000, output: 1000}
  r/broken:
    routes: [{provider: a, model: 'echo~fail=500'}]
  r/quota:
    routes: [{provider: q, model: echo}, {provider: a, model: echo}]
`;

describe('governance on one gateway', () => {
  let sim, gw;
  const chat = (key, body) => postJson(`${gw.url}/v1/chat/completions`, body, as(key));
  const admin = (method, path, body) => fetch(`${gw.url}/v1/admin${path}`, {
    method, headers: { ...as(ADMIN), 'content-type': 'application/json' }, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const credits = async (key) => (await fetch(`${gw.url}/v1/credits`, { headers: as(key) })).json();
  const metric = async (name) => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name + ' '));
    return line ? Number(line.split(' ')[1]) : undefined;
  };

  before(async () => {
    sim = await startSim();
    gw = await startGateway(config, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it(`admits exactly ${N} requests a minute on a key with rpm: ${N}, then the OpenAI SDK gets a RateLimitError`, async () => {
    await clearOfMinuteEdge();
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: RPM, maxRetries: 0 });
    for (let i = 0; i < N; i++) {
      const { data, response } = await client.chat.completions.create({ model: 'r/cheap', messages: user(`n${i}`) }).withResponse();
      assert.equal(data.choices[0].message.content, `n${i}`);
      assert.equal(response.headers.get('x-ratelimit-limit-requests'), String(N));
      assert.equal(response.headers.get('x-ratelimit-remaining-requests'), String(N - 1 - i));
      assert.match(response.headers.get('x-ratelimit-reset-requests'), /^(\d+m)?\d+s$/);
    }
    for (const stream of [false, true]) {
      const error = await client.chat.completions.create({ model: 'r/cheap', stream, messages: user('one too many') }).then(
        () => assert.fail('the request over the limit was served'), (e) => e);
      assert.ok(error instanceof OpenAI.RateLimitError, `${error}`);
      assert.equal(error.status, 429);
      assert.equal(error.code, 'rate_limit_exceeded');
      assert.equal(error.type, 'requests');
      assert.match(error.message, /rate limit reached for key .*: 3 requests per minute/);
      const retry = Number(error.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 60, `Retry-After: ${retry}`);
      assert.equal(error.headers.get('x-ratelimit-limit-requests'), String(N));
      assert.equal(error.headers.get('x-ratelimit-remaining-requests'), '0');
      assert.match(error.headers.get('x-ratelimit-reset-requests'), /^(\d+m)?\d+s$/);
    }
    // Another key of the same team is not counted against this one.
    assert.equal((await chat(PLAIN, { model: 'r/cheap', messages: user('x') })).status, 200);
    assert.ok(await metric('switchyard_governance_refused_total{reason="rate_limit"}') >= 2);
  });

  it('tells the Anthropic SDK its limits in anthropic-ratelimit-* and refuses with a RateLimitError', async () => {
    await clearOfMinuteEdge();
    const client = new Anthropic({ baseURL: gw.url, apiKey: MSG, maxRetries: 0 });
    for (let i = 0; i < 2; i++) {
      const { data, response } = await client.messages.create({ model: 'r/cheap', max_tokens: 50, messages: user(`m${i}`) }).withResponse();
      assert.equal(data.content[0].text, `m${i}`);
      assert.equal(response.headers.get('anthropic-ratelimit-requests-limit'), '2');
      assert.equal(response.headers.get('anthropic-ratelimit-requests-remaining'), String(1 - i));
      const reset = Date.parse(response.headers.get('anthropic-ratelimit-requests-reset'));
      assert.match(response.headers.get('anthropic-ratelimit-requests-reset'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(reset > Date.now() - 1000 && reset <= Date.now() + 61000, `reset ${response.headers.get('anthropic-ratelimit-requests-reset')}`);
      assert.equal(response.headers.get('x-ratelimit-limit-requests'), null, 'OpenAI headers on /v1/messages');
    }
    const error = await client.messages.create({ model: 'r/cheap', max_tokens: 50, messages: user('over') }).then(
      () => assert.fail('the request over the limit was served'), (e) => e);
    assert.ok(error instanceof Anthropic.RateLimitError, `${error}`);
    assert.equal(error.status, 429);
    assert.equal(error.error?.error?.type, 'rate_limit_error');
    assert.equal(error.headers.get('anthropic-ratelimit-requests-remaining'), '0');
    assert.ok(Number(error.headers.get('retry-after')) >= 1);
  });

  it('stops plain and streamed requests at a hard budget, and /v1/credits shows the balance going down', async () => {
    assert.deepEqual(await credits(HARD), { balance: BUDGET.toFixed(6), total_used: '0.000000', team: 'hardteam' });
    let spent = 0, served = 0, streamed = 0;
    let firstBalance;
    const refusedKinds = new Set();  // a plain request reserves less than a streamed one: go on until both are refused
    for (let i = 0; i < 80 && refusedKinds.size < 2; i++) {
      const stream = i % 2 === 1;
      const r = await chat(HARD, { model: 'r/priced', max_tokens: 10, stream, stream_options: stream ? { include_usage: true } : undefined, messages: user(`b${i}`) });
      if (r.status === 429) {
        const body = await r.json();
        assert.equal(body.error.code, 'insufficient_quota', JSON.stringify(body));
        assert.equal(body.error.type, 'insufficient_quota');
        assert.match(body.error.message, /budget exhausted for key/);
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
        refusedKinds.add(stream);
        continue;
      }
      assert.equal(r.status, 200);
      refusedKinds.clear();
      let cost;
      if (stream) {
        const chunks = (await r.text()).split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)));
        cost = chunks.at(-1).usage.cost;
        streamed++;
      } else {
        cost = (await r.json()).usage.cost;
      }
      assert.ok(cost > 0.001, `cost ${cost}`);
      spent += cost;
      served++;
      if (served === 1) {  // records are written within a second: the balance follows
        firstBalance = await until(async () => {
          const c = await credits(HARD);
          return c.balance !== BUDGET.toFixed(6) ? Number(c.balance) : undefined;
        }, 'the balance to go down after the first answer');
        assert.ok(Math.abs(firstBalance - (BUDGET - cost)) < 2e-6, `balance ${firstBalance} after spending ${cost}`);
      }
    }
    assert.equal(refusedKinds.size, 2, 'the budget never stopped both kinds');
    assert.ok(served >= 3 && streamed >= 1, `served ${served} (${streamed} streamed) before the budget stopped them`);
    assert.ok(spent <= BUDGET, `spent ${spent} over a budget of ${BUDGET}`);
    // Both kinds are refused now.
    for (const stream of [false, true]) {
      const r = await chat(HARD, { model: 'r/priced', max_tokens: 10, stream, stream_options: stream ? { include_usage: true } : undefined, messages: user('more') });
      assert.equal(r.status, 429, `stream: ${stream}`);
      assert.equal((await r.json()).error.code, 'insufficient_quota');
    }
    const final = await until(async () => {
      const c = await credits(HARD);
      return Math.abs(Number(c.total_used) - spent) < 2e-6 ? c : undefined;
    }, `/v1/credits to count the ${served} answers`);
    assert.ok(Math.abs(Number(final.balance) - (BUDGET - spent)) < 2e-6, JSON.stringify(final));
    assert.ok(Number(final.balance) < firstBalance);
    // The other clients see the same: the AI SDK's gateway provider (its credits, and a 429
    // rate_limit_exceeded for the refused call, plain and streamed) and the Anthropic SDK.
    const gateway = createGateway({ baseURL: `${gw.url}/v4/ai`, apiKey: HARD });
    assert.equal((await gateway.getCredits()).balance, final.balance);
    await assert.rejects(generateText({ model: gateway('r/priced'), prompt: 'more', maxOutputTokens: 10, maxRetries: 0 }), (error) => {
      assert.equal(error.name, 'GatewayRateLimitError', `${error.name}: ${error.message}`);
      return true;
    });
    await assert.rejects(gateway('r/priced').doStream({ prompt: user('more').map((m) => ({ role: 'user', content: [{ type: 'text', text: m.content }] })), maxOutputTokens: 10 }), (error) => {
      assert.ok(GatewayRateLimitError.isInstance(error), `${error?.name}: ${error?.message}`);
      assert.equal(error.statusCode, 429);
      assert.match(error.message, /budget exhausted/);
      return true;
    });
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: HARD, maxRetries: 0 });
    const refused = await anthropic.messages.create({ model: 'r/priced', max_tokens: 10, messages: user('more') }).then(() => null, (e) => e);
    assert.ok(refused instanceof Anthropic.RateLimitError, `${refused}`);
    assert.equal(refused.error?.error?.type, 'rate_limit_error');
    assert.match(refused.message, /budget exhausted/);
    assert.ok(await metric('switchyard_governance_refused_total{reason="budget"}') >= 3);
  });

  it('serves a request over a soft budget and flags it in x-switchyard-budget', async () => {
    const before = await metric('switchyard_governance_soft_budget_exceeded_total');
    for (const stream of [false, true]) {
      const r = await chat(SOFT, { model: 'r/priced', max_tokens: 10, stream, messages: user('soft') });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('x-switchyard-budget') ?? '', /^exceeded; key \S+$/);
      await r.arrayBuffer();
    }
    assert.equal(await metric('switchyard_governance_soft_budget_exceeded_total'), before + 2);
    // A key with no budget gets no flag.
    const plain = await chat(PLAIN, { model: 'r/priced', max_tokens: 10, messages: user('x') });
    assert.equal(plain.headers.get('x-switchyard-budget'), null);
  });

  it('creates a key through the admin API, shows its secret once, applies a PATCH, and revokes it', async () => {
    const created = await admin('POST', '/keys', { team: 'acme', name: 'ci', limits: { rpm: 5 }, metadata: { owner: 'ci' } });
    assert.equal(created.status, 201);
    const key = await created.json();
    assert.match(key.key, /^sk-sy-[0-9a-f]{48}$/);
    assert.equal(key.prefix, key.key.slice(0, 10));
    assert.deepEqual([key.team, key.name, key.revoked, key.source, key.limits.rpm], ['acme', 'ci', false, 'api', 5]);
    assert.deepEqual(key.metadata, { owner: 'ci' });

    const listText = await (await admin('GET', '/keys')).text();
    const list = JSON.parse(listText);
    assert.ok(list.data.some((k) => k.id === key.id && k.key === undefined));
    assert.ok(list.data.some((k) => k.source === 'config'), 'keys of the config file are listed');
    assert.ok(!listText.includes(key.key), 'the list shows the secret');
    const readText = await (await admin('GET', `/keys/${key.id}`)).text();
    assert.ok(!readText.includes(key.key), 'a read shows the secret');
    assert.ok((await (await admin('GET', '/keys?team=nobody')).json()).data.length === 0);

    await clearOfMinuteEdge();
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key.key, maxRetries: 0 });
    const first = await client.chat.completions.create({ model: 'r/cheap', messages: user('new key') }).withResponse();
    assert.equal(first.data.choices[0].message.content, 'new key');
    assert.equal(first.response.headers.get('x-ratelimit-limit-requests'), '5');
    assert.equal(first.response.headers.get('x-ratelimit-remaining-requests'), '4');

    const patched = await admin('PATCH', `/keys/${key.id}`, { limits: { rpm: 2 } });
    assert.equal(patched.status, 200);
    assert.equal((await patched.json()).limits.rpm, 2);
    const second = await client.chat.completions.create({ model: 'r/cheap', messages: user('x') }).withResponse();
    assert.equal(second.response.headers.get('x-ratelimit-limit-requests'), '2');
    assert.equal(second.response.headers.get('x-ratelimit-remaining-requests'), '0');
    const over = await client.chat.completions.create({ model: 'r/cheap', messages: user('x') }).then(() => null, (e) => e);
    assert.ok(over instanceof OpenAI.RateLimitError, `${over}`);

    const revoked = await admin('DELETE', `/keys/${key.id}`);
    assert.equal(revoked.status, 200);
    assert.equal((await revoked.json()).revoked, true);
    const refused = await client.chat.completions.create({ model: 'r/cheap', messages: user('x') }).then(() => null, (e) => e);
    assert.ok(refused instanceof OpenAI.AuthenticationError, `${refused}`);
    assert.equal(refused.status, 401);
    assert.match(refused.message, /this API key was revoked/);
    assert.equal((await (await admin('GET', `/keys/${key.id}`)).json()).revoked, true);

    // A key past its expires_at is refused as expired.
    const expired = await (await admin('POST', '/keys', { team: 'acme', expires_at: '2020-01-31' })).json();
    assert.equal(expired.expires_at, '2020-01-31T00:00:00Z');
    const late = await chat(expired.key, { model: 'r/cheap', messages: user('x') });
    assert.equal(late.status, 401);
    assert.match((await late.json()).error.message, /this API key has expired/);

    // A key of the config file is listed but changed only in the file.
    const fileKey = list.data.find((k) => k.source === 'config');
    const locked = await admin('PATCH', `/keys/${fileKey.id}`, { limits: { rpm: 1 } });
    assert.equal(locked.status, 400);
    assert.match((await locked.json()).error.message, /config file/);
    assert.equal((await admin('GET', '/keys/key_nosuchkey')).status, 404);
  });

  it('creates, reads and patches a team, and shows its spend', async () => {
    const created = await admin('POST', '/teams', { name: 'gamma', segment: 'b2b', budget: { usd: 5, period: 'month' } });
    assert.equal(created.status, 201);
    const team = await created.json();
    assert.deepEqual([team.name, team.segment, team.source, team.spend.usd, team.spend.remaining_usd], ['gamma', 'b2b', 'api', 0, 5]);
    assert.equal((await admin('POST', '/teams', { name: 'gamma' })).status, 409);
    assert.ok((await (await admin('GET', '/teams')).json()).data.some((t) => t.name === 'gamma'));

    const key = await (await admin('POST', '/keys', { team: 'gamma' })).json();
    const r = await chat(key.key, { model: 'r/priced', max_tokens: 10, messages: user('spend') });
    assert.equal(r.status, 200);
    const cost = (await r.json()).usage.cost;
    const read = await until(async () => {
      const t = await (await admin('GET', '/teams/gamma')).json();
      return t.spend.usd > 0 ? t : undefined;
    }, 'the team spend to show the answer');
    assert.ok(Math.abs(read.spend.usd - cost) < 1e-9, `${read.spend.usd} vs ${cost}`);
    assert.ok(Math.abs(read.spend.remaining_usd - (5 - cost)) < 1e-9);
    const keyRead = await (await admin('GET', `/keys/${key.id}`)).json();
    assert.ok(Math.abs(keyRead.spend.usd - cost) < 1e-9);

    await clearOfMinuteEdge();
    const patched = await admin('PATCH', '/teams/gamma', { limits: { rpm: 1 } });
    assert.equal(patched.status, 200);
    assert.equal((await patched.json()).limits.rpm, 1);
    const ok = await chat(key.key, { model: 'r/cheap', messages: user('x') });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-ratelimit-limit-requests'), '1');
    const refused = await chat(key.key, { model: 'r/cheap', messages: user('x') });
    assert.equal(refused.status, 429);
    assert.match((await refused.json()).error.message, /team gamma/);
    assert.equal((await admin('GET', '/teams/nosuchteam')).status, 404);
  });

  it('refuses the admin API to keys that are not the admin key', async () => {
    for (const [method, path] of [['GET', '/keys'], ['POST', '/keys'], ['GET', '/teams'], ['DELETE', '/keys/x']]) {
      const r = await fetch(`${gw.url}/v1/admin${path}`, { method, headers: { ...as(PLAIN), 'content-type': 'application/json' }, body: method === 'POST' ? '{"team":"acme"}' : undefined });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal((await r.json()).error.code, 'admin_key_required');
    }
    assert.equal((await fetch(`${gw.url}/v1/admin/keys`)).status, 401);
  });

  it('answers malformed admin bodies with 400 naming the field', async () => {
    const cases = [  // [method, path, body, message, the field named in `param`]
      ['POST', '/keys', 'not json', /JSON object/, null],
      ['POST', '/keys', [1, 2], /JSON object/, null],
      ['POST', '/keys', { name: 'x' }, /^team: is required/, 'team'],
      ['POST', '/keys', { team: '' }, /^team: /, 'team'],
      ['POST', '/keys', { team: 'acme', limits: { rpm: 'many' } }, /^limits\.rpm: must be a whole number/, 'limits.rpm'],
      ['POST', '/keys', { team: 'acme', limits: { rpm: -1 } }, /^limits\.rpm: /, 'limits.rpm'],
      ['POST', '/keys', { team: 'acme', budget: { usd: 'lots' } }, /^budget\.usd: must be a number/, 'budget.usd'],
      ['POST', '/keys', { team: 'acme', models: 'r/cheap' }, /^models: /, 'models'],
      ['POST', '/keys', { team: 'acme', expires_at: 'soon' }, /^expires_at: /, 'expires_at'],
      ['POST', '/keys', { team: 'acme', colour: 'red' }, /^colour: unknown field/, 'colour'],
      ['POST', '/teams', { segment: 'x' }, /^name: is required/, 'name'],
      ['POST', '/teams', { name: 'delta', user_budget: { period: 'fortnight', usd: 1 } }, /^user_budget\.period: /, 'user_budget.period'],
    ];
    for (const [method, path, body, message, param] of cases) {
      const r = await admin(method, path, body);
      const answer = await r.json();
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(answer)}`);
      assert.match(answer.error.message, message, JSON.stringify(body));
      assert.equal(answer.error.param, param, JSON.stringify(answer));
    }
    const key = (await (await admin('GET', '/keys')).json()).data.find((k) => k.source === 'api' && !k.revoked);
    const bad = await admin('PATCH', `/keys/${key.id}`, { limits: { tpm: 1.5 } });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.param, 'limits.tpm');
    // Nothing was created by them.
    assert.equal((await admin('GET', '/teams/delta')).status, 404);
  });

  it('refuses a model the key may not use with 403', async () => {
    assert.equal((await chat(ONLY, { model: 'r/cheap', messages: user('x') })).status, 200);
    const r = await chat(ONLY, { model: 'r/priced', messages: user('x') });
    assert.equal(r.status, 403);
    const body = await r.json();
    assert.equal(body.error.code, 'model_not_allowed');
    assert.match(body.error.message, /may not use the model 'r\/priced'; it may use: r\/cheap, r\/broken/);
    // Nor through the fallback models a request names itself (OpenRouter's `models`, the AI SDK's
    // providerOptions.gateway.models): r/broken fails, so its fallback would answer.
    for (const extra of [{ models: ['r/priced'] }, { providerOptions: { gateway: { models: ['r/priced'] } } }]) {
      const through = await chat(ONLY, { model: 'r/broken', ...extra, messages: user('x') });
      const answer = await through.json();
      assert.equal(through.status, 403, `${JSON.stringify(extra)}: served by ${through.headers.get('x-switchyard-model')}`);
      assert.equal(answer.error.code, 'model_not_allowed');
      assert.match(answer.error.message, /may not use the model 'r\/priced'/);
    }
    assert.equal((await chat(ONLY, { model: 'r/broken', models: ['r/cheap'], messages: user('allowed') })).status, 200);
    const client = new Anthropic({ baseURL: gw.url, apiKey: ONLY, maxRetries: 0 });
    const error = await client.messages.create({ model: 'a/echo', max_tokens: 10, messages: user('x') }).then(() => null, (e) => e);
    assert.ok(error instanceof Anthropic.PermissionDeniedError, `${error}`);
  });

  it("skips a route whose provider's own quota is used up, for the next route", async () => {
    await clearOfMinuteEdge();
    const first = await chat(QUOTA, { model: 'r/quota', messages: user('x') });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-switchyard-provider'), 'q');
    for (let i = 0; i < 2; i++) {
      const next = await chat(QUOTA, { model: 'r/quota', messages: user('y') });
      assert.equal(next.status, 200);
      assert.equal(next.headers.get('x-switchyard-provider'), 'a');
      assert.equal(next.headers.get('x-switchyard-attempts'), '1', 'the provider at its quota is not tried');
      await next.arrayBuffer();
    }
  });

  it('refuses a second request while a slow stream holds the only slot of concurrent: 1, and admits after it ends', async () => {
    const slow = await chat(CONC, { model: 'a/lorem~ttft=0~delay=100~len=15', stream: true, messages: user('slow') });
    assert.equal(slow.status, 200);
    const reader = slow.body.getReader();
    const { value } = await reader.read();  // the stream has begun: the request is in flight
    assert.ok(value.length > 0);
    const refused = await chat(CONC, { model: 'r/cheap', messages: user('second') });
    assert.equal(refused.status, 429);
    const body = await refused.json();
    assert.equal(body.error.code, 'rate_limit_exceeded');
    assert.match(body.error.message, /1 requests at once/);
    assert.equal(refused.headers.get('retry-after'), '1');
    let text = new TextDecoder().decode(value);
    for (;;) {
      const { done, value: more } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(more);
    }
    assert.match(text, /data: \[DONE\]/);
    // The slot is given back as the stream's request ends (just after its last byte).
    const admitted = await until(async () => {
      const r = await chat(CONC, { model: 'r/cheap', messages: user('third') });
      return r.status === 200 ? r : (await r.arrayBuffer(), undefined);
    }, 'a request after the stream ended to be admitted', 2000);
    assert.equal((await admitted.json()).choices[0].message.content, 'third');
  });
});
