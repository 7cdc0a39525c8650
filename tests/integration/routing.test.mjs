// Routing through the real binary: fallbacks between models, aliases and canary splits, and the
// x-switchyard-provider / -model / -attempts headers that say what served.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, startGateway, postJson, recordOf } from './harness.mjs';

const user = (content) => [{ role: 'user', content }];

describe('routing', () => {
  let sim, gw, chat;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
retries: {max: 2, backoff_ms: 20, max_retry_after_ms: 1500}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  b: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
models:
  r/broken:
    routes: [{provider: a, model: 'echo~fail=500'}, {provider: a, model: 'echo~fault=reset'}]
    fallbacks: [r/good]
  r/good:
    routes: [{provider: b, model: echo}]
  r/rejects:
    routes: [{provider: a, model: 'echo~fail=400'}]
    fallbacks: [r/good]
  r/limited:
    routes: [{provider: a, model: 'echo~fail=429~retry_after=30'}]
    fallbacks: [r/good]
  r/mixed:
    routes: [{provider: b, model: inspect}, {provider: a, model: inspect}]
aliases:
  chat-latest: r/good
  canary: {a/echo: 80, b/echo: 20}
`, sim);
    chat = (body, headers) => postJson(`${gw.url}/v1/chat/completions`, body, headers);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it('says which provider and model served, in one attempt', async () => {
    const r = await chat({ model: 'a/echo', messages: user('x') });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-switchyard-provider'), 'a');
    assert.equal(r.headers.get('x-switchyard-model'), 'a/echo');
    assert.equal(r.headers.get('x-switchyard-attempts'), '1');
  });

  it('retries each route, then falls over a 5xx and a reset to the fallback model', async () => {
    const r = await chat({ model: 'r/broken', messages: user('rescued') });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).choices[0].message.content, 'rescued');
    assert.equal(r.headers.get('x-switchyard-provider'), 'b');
    assert.equal(r.headers.get('x-switchyard-model'), 'r/good');
    assert.equal(r.headers.get('x-switchyard-attempts'), '7');  // 3 + 3 on the two broken routes, 1 that served
  });

  it('falls over before the first byte of a stream too', async () => {
    const r = await chat({ model: 'r/broken', stream: true, messages: user('streamed rescue') });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-switchyard-attempts'), '7');
    assert.match(await r.text(), /data: \[DONE\]/);
  });

  it('retries a provider that recovers, on the same route', async () => {
    const r = await chat({ model: 'a/echo~fail=503~fail_first=2', messages: user('second wind') });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-switchyard-provider'), 'a');
    assert.equal(r.headers.get('x-switchyard-attempts'), '3');
  });

  it("waits out a short 429 Retry-After, and falls over at once on a long one", async () => {
    let started = Date.now();
    const waited = await chat({ model: 'a/echo~fail=429~retry_after=1~fail_first=1', messages: user('x') });
    assert.equal(waited.status, 200);
    assert.equal(waited.headers.get('x-switchyard-attempts'), '2');
    assert.ok(Date.now() - started >= 950, `answered after ${Date.now() - started} ms`);

    started = Date.now();
    const moved = await chat({ model: 'r/limited', messages: user('x') });
    assert.equal(moved.status, 200);
    assert.equal(moved.headers.get('x-switchyard-model'), 'r/good');
    assert.equal(moved.headers.get('x-switchyard-attempts'), '2');
    assert.ok(Date.now() - started < 900, `answered after ${Date.now() - started} ms`);
  });

  it('does not fall over a 400: the client gets it', async () => {
    const r = await chat({ model: 'r/rejects', messages: user('x') });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-switchyard-attempts'), '1');
    assert.equal(r.headers.get('x-switchyard-model'), 'r/rejects');
  });

  it("uses the caller's own key (providerOptions.gateway.byok) first, and records it as BYOK", async () => {
    const r = await chat({
      model: 'r/mixed', messages: user('hi'),
      providerOptions: { gateway: { byok: { a: [{ apiKey: 'sk-callers-own-key' }] } } },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-switchyard-provider'), 'a', 'the route with the caller\'s key goes first');
    const body = await r.json();
    const seen = JSON.parse(body.choices[0].message.content);
    assert.equal(seen.auth, 'sk-callers-own-key');
    assert.equal((await recordOf(gw, body.id)).is_byok, true);
    assert.ok(!seen.keys.includes('providerOptions'), 'the gateway options do not reach the provider');
    const plain = await chat({ model: 'r/mixed', messages: user('hi') });
    assert.equal(plain.headers.get('x-switchyard-provider'), 'b');
    assert.equal(JSON.parse((await plain.json()).choices[0].message.content).auth, 'k');
    const bad = await chat({ model: 'r/mixed', messages: user('hi'), providerOptions: { gateway: { byok: { a: [{ apiKey: 'two\nlines' }] } } } });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.param, 'providerOptions.gateway.byok');
  });

  it('resolves an alias', async () => {
    const r = await chat({ model: 'chat-latest', messages: user('x') });
    assert.equal(r.headers.get('x-switchyard-model'), 'r/good');
  });

  it('splits a canary alias by its percents', async () => {
    const served = { 'a/echo': 0, 'b/echo': 0 };
    for (let i = 0; i < 300; i++) {
      const r = await chat({ model: 'canary', messages: user('x') });
      served[r.headers.get('x-switchyard-model')]++;
      await r.arrayBuffer();
    }
    // 80/20 over 300 requests: 240 expected, far outside this band only by a broken split.
    assert.ok(served['a/echo'] > 200 && served['a/echo'] < 280, JSON.stringify(served));
    assert.equal(served['a/echo'] + served['b/echo'], 300);
  });
});
