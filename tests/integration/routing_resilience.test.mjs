// The contract of docs/routing.md through the real binary and simulator over loopback: streams cut
// mid-way (the simulator's cut=P%) continued on another provider type with the client seeing the
// whole answer once; fallbacks chosen by why an attempt failed (fail=context, fail=policy, ctx=N);
// strategy sort by cost and by time to first token, and providerOptions.gateway.sort; the
// response cache (hits, streams replayed, teams apart, Cache-Control, /metrics, records) and its
// sharing across two gateways on one Redis.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startSim, startGateway, startRedis, postJson, recordOf, sseData, until } from './harness.mjs';

const user = (content) => [{ role: 'user', content }];
const as = (key) => ({ authorization: `Bearer ${key}` });

// The simulator in each wire format. OpenAI-format hosts take no prefill by default; sim-prefix is
// one that takes it as Mistral and DeepSeek do, so it can continue a stream.
const PROVIDERS = `
providers:
  sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  sim-prefix: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k, prefill: prefix}
  sim-anthropic: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  sim-gemini: {type: gemini, base_url: 'SIM_URL/gemini', api_key: k}
`;

// No retries and no breaker: every attempt in a record is one the plan made, exactly.
const gatewayConfig = (models, extra = '') => `
retries: {max: 0}
circuit_breaker: {failures: 0}
${extra}
${PROVIDERS}
models:
${models}`;

const chatUrl = (gw) => `${gw.url}/v1/chat/completions`;
const served = (r) => ({ provider: r.headers.get('x-switchyard-provider'), model: r.headers.get('x-switchyard-model') });

// A Chat Completions stream read whole: its data payloads, the text of its deltas, its id and
// finish reasons.
async function readChatStream(response) {
  const events = await sseData(response);
  const chunks = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e));
  return {
    events,
    chunks,
    id: chunks[0]?.id,
    text: chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join(''),
    finishes: chunks.map((c) => c.choices?.[0]?.finish_reason).filter(Boolean),
    errors: chunks.filter((c) => c.error),
  };
}

async function streamChat(gw, body, headers) {
  const response = await postJson(chatUrl(gw), { ...body, stream: true }, headers);
  assert.equal(response.status, 200);
  return { response, ...(await readChatStream(response)) };
}

// The undisturbed answer of the simulator's lorem model of `len` tokens (the same text on every
// wire format).
async function uncutLorem(gw, len) {
  const r = await postJson(chatUrl(gw), { model: `sim/lorem~len=${len}`, messages: user('x') });
  assert.equal(r.status, 200);
  return (await r.json()).choices[0].message.content;
}

// A counter or gauge of `gw`'s /metrics (one without labels).
async function metric(gw, name) {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const value = text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1];
  assert.ok(value !== undefined, `no ${name} in /metrics`);
  return Number(value);
}

// [provider, success] of each attempt of a record.
const attemptsOf = (record) => record.attempts.map((a) => [a.provider, a.success]);

describe('routing resilience', () => {
  let sim;
  before(async () => { sim = await startSim(); });
  after(async () => { await sim?.stop(); });

  describe('streams that survive their provider', () => {
    const LEN = 60;
    const PERCENTS = [10, 50, 90];
    // Each provider type cut, continued on another type.
    const PAIRS = [
      { cut: 'sim', next: 'sim-anthropic' },
      { cut: 'sim-anthropic', next: 'sim-gemini' },
      { cut: 'sim-gemini', next: 'sim-prefix' },
    ];
    const modelId = (cut, percent) => `cont/${cut}/${percent}`;
    const continuable = (id, routes) => `
  ${id}:
    continue_on_failure: true
    routes: [${routes.map(([provider, model]) => `{provider: ${provider}, model: '${model}'}`).join(', ')}]`;
    const lorem = `lorem~len=${LEN}`;
    // A cut route's answer is paced (2 ms a token) so that the gateway has read what came before
    // the simulator's reset: a reset discards what the receiver had not read yet, and an unpaced
    // answer cut at 90% reaches the gateway only about half.
    const paced = `${lorem}~delay=2`;
    let gw, full;
    before(async () => {
      const cutAt = (provider, percent) => `${paced}~cut=${percent}%`;
      const models = PAIRS.flatMap(({ cut, next }) => PERCENTS.map((p) =>
        continuable(modelId(cut, p), [[cut, cutAt(cut, p)], [next, lorem]])));
      models.push(continuable('cont/skips-openai', [['sim-anthropic', cutAt('sim-anthropic', 50)], ['sim', lorem], ['sim-gemini', lorem]]));
      models.push(continuable('cont/gemini-percent', [['sim-gemini', `${paced}~cut=50%`], ['sim-prefix', lorem]]));
      models.push(`
  cont/not-continued:
    routes: [{provider: sim-anthropic, model: '${cutAt('sim-anthropic', 50)}'}, {provider: sim-gemini, model: '${lorem}'}]`);
      gw = await startGateway(gatewayConfig(models.join('')), sim);
      full = await uncutLorem(gw, LEN);
    });
    after(async () => { await gw?.stop(); });

    // The record lists the cut attempt and the one that continued it, at a splice point inside
    // the answer.
    async function assertContinued(id, cut, next) {
      const record = await recordOf(gw, id);
      assert.deepEqual(attemptsOf(record), [[cut, false], [next, true]], JSON.stringify(record.attempts));
      assert.equal(record.provider_name, next, 'the record names the route that finished');
      const at = record.attempts[1].continued_at;
      assert.ok(Number.isInteger(at) && at > 0 && at < Buffer.byteLength(full), `continued_at ${at}`);
      assert.equal(record.attempts[0].continued_at, undefined);
    }

    // A Chat Completions stream of `model`, cut on `cut` and continued on `next`: the client has
    // the uncut answer, every token once, in one stream with one id, one opening and one end.
    async function assertWholeOnce(model, cut, next) {
      const s = await streamChat(gw, { model, messages: user('x') });
      assert.deepEqual(s.errors, []);
      assert.equal(s.text, full);
      assert.deepEqual(s.finishes, ['stop']);
      assert.equal(s.events.filter((e) => e === '[DONE]').length, 1);
      assert.equal(s.events.at(-1), '[DONE]');
      assert.ok(s.chunks.every((c) => c.id === s.id), 'every chunk carries the first attempt\'s id');
      assert.equal(s.chunks.filter((c) => c.choices?.[0]?.delta?.role).length, 1, 'one opening chunk');
      assert.equal(served(s.response).provider, cut, 'the headers name the first route');
      await assertContinued(s.id, cut, next);
    }

    for (const { cut, next } of PAIRS) {
      for (const percent of PERCENTS) {
        it(`continues a ${cut} stream cut at ${percent}% on ${next}: the whole answer, once`,
          () => assertWholeOnce(modelId(cut, percent), cut, next));
      }
    }

    it('continues a Gemini stream cut by the simulator\'s cut=50% (the model percent-encoded in its path)',
      () => assertWholeOnce('cont/gemini-percent', 'sim-gemini', 'sim-prefix'));

    it('skips an OpenAI route (no prefill) as the route that continues', async () => {
      const s = await streamChat(gw, { model: 'cont/skips-openai', messages: user('x') });
      assert.equal(s.text, full);
      await assertContinued(s.id, 'sim-anthropic', 'sim-gemini');
    });

    it('without continue_on_failure, ends the cut stream with an error event and no [DONE]', async () => {
      const s = await streamChat(gw, { model: 'cont/not-continued', messages: user('x') });
      assert.equal(s.errors.length, 1);
      assert.ok(!s.events.includes('[DONE]'));
      assert.ok(full.startsWith(s.text) && s.text.length < full.length, s.text);
    });

    it('continues for an Anthropic Messages client (the official SDK) too', async () => {
      const client = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
      const stream = client.messages.stream({ model: modelId('sim', 50), max_tokens: 1000, messages: user('x') });
      let deltas = '';
      stream.on('text', (t) => { deltas += t; });
      const message = await stream.finalMessage();
      assert.equal(deltas, full);
      assert.deepEqual(message.content.map((b) => b.type), ['text']);
      assert.equal(message.content[0].text, full);
      assert.equal(message.stop_reason, 'end_turn');
      await assertContinued(stream.request_id, 'sim', 'sim-anthropic');
    });
  });

  describe('fallbacks that know why a request failed', () => {
    const FORMATS = ['sim', 'sim-anthropic', 'sim-gemini'];
    // The long request a 1000-token window cannot hold: 8000 characters, 2000 tokens.
    const LONG = 'word '.repeat(1600);
    const models = FORMATS.map((p) => `
  fc/context/${p}:
    on_failure: {context_window: [fc/large]}
    routes: [{provider: ${p}, model: 'echo~fail=context'}, {provider: sim-anthropic, model: echo}]
  fc/policy/${p}:
    on_failure: {content_policy: fallback}
    routes: [{provider: ${p}, model: 'echo~fail=policy'}, {provider: sim-anthropic, model: echo}]`).join('') + `
  fc/context-returned:
    routes: [{provider: sim, model: 'echo~fail=context'}, {provider: sim-anthropic, model: echo}]
  fc/policy-returned:
    routes: [{provider: sim, model: 'echo~fail=policy'}, {provider: sim-anthropic, model: echo}]
  fc/large:
    routes: [{provider: sim-gemini, model: echo}]
  fc/small:
    context_window: 1000
    routes: [{provider: sim, model: 'echo~ctx=1000'}]
    fallbacks: [fc/large]
  fc/small-only:
    context_window: 1000
    routes: [{provider: sim, model: 'echo~ctx=1000'}]
`;
    let gw;
    before(async () => { gw = await startGateway(gatewayConfig(models), sim); });
    after(async () => { await gw?.stop(); });

    const ask = (model, content = 'hello') => postJson(chatUrl(gw), { model, messages: user(content) });

    // An answer served by `provider` under model id `model`, whose record tried `attempts` in order.
    async function assertServed(r, { provider, model, attempts }) {
      const body = await r.json();
      assert.equal(r.status, 200, JSON.stringify(body));
      assert.deepEqual(served(r), { provider, model });
      assert.deepEqual(attemptsOf(await recordOf(gw, body.id)), attempts);
      return body;
    }

    for (const p of FORMATS) {
      it(`falls over a context overflow from ${p} to the larger model on_failure names`, async () => {
        const r = await ask(`fc/context/${p}`);
        await assertServed(r, { provider: 'sim-gemini', model: 'fc/large', attempts: [[p, false], ['sim-gemini', true]] });
      });

      it(`falls over a content-policy refusal from ${p} with content_policy: fallback`, async () => {
        const r = await ask(`fc/policy/${p}`);
        await assertServed(r, { provider: 'sim-anthropic', model: `fc/policy/${p}`, attempts: [[p, false], ['sim-anthropic', true]] });
      });
    }

    // By default both classes go back to the client: from a provider of the client's own API, as
    // they came (the body the simulator answers the same request with).
    for (const [model, upstream, code] of [
      ['fc/context-returned', 'echo~fail=context', 'context_length_exceeded'],
      ['fc/policy-returned', 'echo~fail=policy', 'content_policy_violation'],
    ]) {
      it(`gives ${code} back as the provider's 400 by default (${model})`, async () => {
        const r = await ask(model);
        assert.equal(r.status, 400);
        assert.equal(r.headers.get('x-switchyard-attempts'), '1');
        const body = await r.json();
        assert.equal(body.error.code, code);
        const own = await postJson(`${sim.url}/openai/v1/chat/completions`, { model: upstream, messages: user('hello') },
          { authorization: 'Bearer k' });
        assert.equal(own.status, 400);
        assert.deepEqual(body, await own.json());
      });
    }

    it('skips a route whose window cannot hold the request, without trying it', async () => {
      const direct = await ask('sim/echo~ctx=1000', LONG);
      assert.equal(direct.status, 400, 'the small route would have refused it');
      assert.equal((await direct.json()).error.code, 'context_length_exceeded');

      await assertServed(await ask('fc/small', LONG), { provider: 'sim-gemini', model: 'fc/large', attempts: [['sim-gemini', true]] });
      await assertServed(await ask('fc/small', 'short'), { provider: 'sim', model: 'fc/small', attempts: [['sim', true]] });
    });

    it('answers 400 context_length_exceeded when every route is skipped', async () => {
      const r = await ask('fc/small-only', LONG);
      assert.equal(r.status, 400);
      assert.equal((await r.json()).error.code, 'context_length_exceeded');
    });
  });

  describe('sort by what matters now', () => {
    const models = `
  s/cost:
    strategy: sort
    sort: cost
    routes:
      - {provider: sim, model: echo, price: {input: 3, output: 15}}
      - {provider: sim-anthropic, model: echo, price: {input: 0.1, output: 0.4}}
  s/ordered:
    routes:
      - {provider: sim, model: echo, price: {input: 3, output: 15}}
      - {provider: sim-anthropic, model: echo, price: {input: 0.1, output: 0.4}}
  s/ttft:
    strategy: sort
    sort: ttft
    routes: [{provider: sim, model: 'echo~ttft=300'}, {provider: sim-gemini, model: echo}]
`;
    let gw;
    before(async () => { gw = await startGateway(gatewayConfig(models), sim); });
    after(async () => { await gw?.stop(); });

    const providerOf = async (body) => {
      const r = await postJson(chatUrl(gw), { messages: user('x'), ...body });
      await r.arrayBuffer();
      assert.equal(r.status, 200);
      return served(r).provider;
    };

    it('serves sort: cost from the cheaper route, second in the config', async () => {
      const r = await postJson(chatUrl(gw), { model: 's/cost', messages: user('x') });
      assert.equal(r.status, 200);
      assert.deepEqual(served(r), { provider: 'sim-anthropic', model: 's/cost' });
    });

    it('serves sort: ttft from the faster route once both are measured', async () => {
      // Each route is measured first (never-measured routes go first), then the fast one leads.
      const stream = { model: 's/ttft', stream: true };
      let fastFirst = false;
      for (let i = 0; i < 5 && !fastFirst; i++) fastFirst = (await providerOf(stream)) === 'sim-gemini';
      assert.ok(fastFirst, 'the fast route never went first');
      for (let i = 0; i < 3; i++) assert.equal(await providerOf(stream), 'sim-gemini');
    });

    it("takes the request's providerOptions.gateway.sort over an ordered model's order", async () => {
      assert.equal(await providerOf({ model: 's/ordered' }), 'sim');
      assert.equal(await providerOf({ model: 's/ordered', providerOptions: { gateway: { sort: 'cost' } } }), 'sim-anthropic');
    });

    it('refuses a sort that is not cost, ttft or tps with a 400 naming the field', async () => {
      const r = await postJson(chatUrl(gw), { model: 's/ordered', messages: user('x'), providerOptions: { gateway: { sort: 'price' } } });
      assert.equal(r.status, 400);
      assert.equal((await r.json()).error.param, 'providerOptions.gateway.sort');
    });
  });

  describe('response cache', () => {
    const KEYS = { a: 'sk-cache-team-a-0123456789', b: 'sk-cache-team-b-0123456789' };
    const extra = `
cache: {ttl_s: 60}
auth:
  keys:
    - {key: ${KEYS.a}, team: team-a}
    - {key: ${KEYS.b}, team: team-b}`;
    const models = `
  c/lorem:
    routes: [{provider: sim, model: 'lorem~len=20'}]
    price: {input: 1000, output: 1000}
`;
    let gw;
    before(async () => { gw = await startGateway(gatewayConfig(models, extra), sim); });
    after(async () => { await gw?.stop(); });

    // A question no other test asks (the cache key is the body).
    let asked = 0;
    const fresh = () => user(`question ${++asked} at ${Date.now()}`);
    const cacheOf = (r) => r.headers.get('x-switchyard-cache');
    const stores = () => metric(gw, 'switchyard_cache_stores_total');

    // A whole answer: its status, cache header, body.
    async function ask(messages, { key = KEYS.a, headers = {} } = {}) {
      const r = await postJson(chatUrl(gw), { model: 'c/lorem', messages }, { ...as(key), ...headers });
      const body = await r.json();
      assert.equal(r.status, 200, JSON.stringify(body));
      return { cache: cacheOf(r), age: r.headers.get('age'), body };
    }

    // `send`'s answer once the cache has kept it: an answer is kept after its last byte went to
    // the client, so a request right after it may otherwise come first.
    async function kept(send) {
      const before = await stores();
      const answer = await send();
      await until(async () => ((await stores()) > before ? true : undefined), 'the answer kept');
      return answer;
    }

    it('answers the same request again from the cache, with its own id', async () => {
      const messages = fresh();
      const first = await kept(() => ask(messages));
      const second = await ask(messages);
      assert.equal(first.cache, 'miss');
      assert.equal(second.cache, 'hit');
      assert.match(second.age ?? '', /^\d+$/);
      assert.notEqual(second.body.id, first.body.id);
      assert.deepEqual(second.body.choices, first.body.choices);
    });

    it('replays a streamed answer as a stream', async () => {
      const messages = fresh();
      const first = await kept(() => streamChat(gw, { model: 'c/lorem', messages }, as(KEYS.a)));
      const second = await streamChat(gw, { model: 'c/lorem', messages }, as(KEYS.a));
      assert.equal(cacheOf(first.response), 'miss');
      assert.equal(cacheOf(second.response), 'hit');
      assert.match(second.response.headers.get('content-type'), /^text\/event-stream/);
      assert.ok(first.text.length > 0);
      assert.equal(second.text, first.text);
      assert.deepEqual(second.finishes, ['stop']);
      assert.equal(second.events.at(-1), '[DONE]');
      assert.notEqual(second.id, first.id);
    });

    it("never serves one team's answer to another", async () => {
      const messages = fresh();
      assert.equal((await kept(() => ask(messages, { key: KEYS.a }))).cache, 'miss');
      assert.equal((await kept(() => ask(messages, { key: KEYS.b }))).cache, 'miss');
      assert.equal((await ask(messages, { key: KEYS.b })).cache, 'hit');
      assert.equal((await ask(messages, { key: KEYS.a })).cache, 'hit');
    });

    it('keeps nothing for Cache-Control: no-store', async () => {
      const messages = fresh();
      const before = await stores();
      assert.equal((await ask(messages, { headers: { 'cache-control': 'no-store' } })).cache, 'miss');
      assert.equal((await kept(() => ask(messages))).cache, 'miss');
      assert.equal(await stores(), before + 1, 'only the second answer was kept');
      assert.equal((await ask(messages)).cache, 'hit');
    });

    it('serves nothing kept for Cache-Control: no-cache, and keeps the fresh answer', async () => {
      const messages = fresh();
      const first = await kept(() => ask(messages));
      assert.equal(first.cache, 'miss');
      const fresher = await kept(() => ask(messages, { headers: { 'cache-control': 'no-cache' } }));
      assert.equal(fresher.cache, 'miss');
      const hit = await ask(messages);
      assert.equal(hit.cache, 'hit');
      assert.deepEqual(hit.body.choices, fresher.body.choices);
    });

    it('counts hits in /metrics and records a hit with no attempt, cost 0 and the cost it saved', async () => {
      const hits = () => metric(gw, 'switchyard_cache_hits_total');
      const messages = fresh();
      const miss = await kept(() => ask(messages));
      const before = await hits();
      const hit = await ask(messages);
      assert.equal(hit.cache, 'hit');
      assert.equal(await hits(), before + 1);

      const made = await recordOf(gw, miss.body.id, as(KEYS.a));
      const hitRecord = await recordOf(gw, hit.body.id, as(KEYS.a));
      assert.ok(made.total_cost > 0);
      assert.equal(made.cache_hit, false);
      assert.equal(hitRecord.cache_hit, true);
      assert.equal(hitRecord.total_cost, 0);
      assert.equal(hitRecord.saved_cost, made.total_cost);
      assert.deepEqual(hitRecord.attempts, []);
    });
  });

  describe('response cache shared by two gateways on one Redis', () => {
    let redis, A, B;
    before(async () => {
      redis = await startRedis();
      const yaml = gatewayConfig(`
  c/lorem:
    routes: [{provider: sim, model: 'lorem~len=20'}]
`, `state: ${redis.url}\ncache: {ttl_s: 60}`);
      A = await startGateway(yaml, sim);
      B = await startGateway(yaml, sim);
    });
    after(async () => {
      await A?.stop();
      await B?.stop();
      await redis?.stop();
    });

    it('serves on B an answer A kept', async () => {
      const body = { model: 'c/lorem', messages: user(`shared ${Date.now()}`) };
      const first = await postJson(chatUrl(A), body);
      assert.equal(first.headers.get('x-switchyard-cache'), 'miss');
      const made = await first.json();
      // A keeps the answer in Redis off the request path: B asks until it is there, with
      // no-store so that none of B's own misses is kept by B.
      const hit = await until(async () => {
        const r = await postJson(chatUrl(B), body, { 'cache-control': 'no-store' });
        const answer = await r.json();
        return r.headers.get('x-switchyard-cache') === 'hit' ? answer : undefined;
      }, 'a hit on B', 5000);
      assert.deepEqual(hit.choices, made.choices);
      assert.notEqual(hit.id, made.id);
    });
  });
});
