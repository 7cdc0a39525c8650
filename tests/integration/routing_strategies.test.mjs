// Routing beyond fallbacks, through the real binary: timeouts (first byte, idle gap), streams cut
// mid-way, every route down, strategies (weighted, lowest-latency, lowest-cost), rules on what a
// request contains, the request's own `models` / providerOptions.gateway, routing metadata in
// answers, and a client that hangs up cancelling its upstream request.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startSim, startGateway, postJson, assertSchema, sseData } from './harness.mjs';

const user = (content) => [{ role: 'user', content }];

describe('routing strategies and reliability', () => {
  let sim, gw, chat, upstream, upstreamClosed;
  before(async () => {
    sim = await startSim();
    // A provider that never answers and tells when its caller hangs up.
    upstream = createServer((req) => {
      req.resume();
      req.socket.once('close', () => upstreamClosed?.(Date.now()));
    });
    await new Promise((ok) => upstream.listen(0, '127.0.0.1', ok));
    gw = await startGateway(`
timeouts: {first_byte_ms: 10000, idle_ms: 400}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  b: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  c: {type: gemini, base_url: 'SIM_URL/gemini', api_key: k}
  quick: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k, timeouts: {first_byte_ms: 300}}
  silent: {type: openai, base_url: 'http://127.0.0.1:${upstream.address().port}/v1', api_key: k}
models:
  r/hangs:
    routes: [{provider: quick, model: 'echo~fault=hang'}, {provider: b, model: echo}]
  r/down:
    routes: [{provider: a, model: 'echo~fail=500'}, {provider: b, model: 'echo~fail=503'}]
  r/weighted:
    strategy: weighted
    routes: [{provider: a, model: echo, weight: 3}, {provider: b, model: echo, weight: 1}]
  r/fastest:
    strategy: lowest-latency
    routes: [{provider: a, model: 'echo~ttft=150'}, {provider: b, model: echo}]
  r/cheapest:
    strategy: lowest-cost
    routes:
      - {provider: a, model: echo, price: {input: 3, output: 15}}
      - {provider: c, model: echo, price: {input: 0.1, output: 0.4}}
      - {provider: b, model: echo, price: {input: 1, output: 5}}
  r/vision: {routes: [{provider: c, model: echo}]}
  r/agent: {routes: [{provider: b, model: echo}]}
  r/summary: {routes: [{provider: a, model: 'lorem~len=3'}]}
  r/slow: {routes: [{provider: silent, model: anything}]}
rules:
  - {if: {model: auto, has_images: true}, then: r/vision}
  - {if: {model: auto, has_tools: true}, then: r/agent}
  - {if: {model: auto, header: {x-use-case: summarize}}, then: r/summary}
  - {if: {model: auto}, then: a/echo}
`, sim);
    chat = (body, headers) => postJson(`${gw.url}/v1/chat/completions`, body, headers);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
    upstream?.close();
  });

  it('falls over a route that hangs once its first-byte timeout (its provider\'s own) passes', async () => {
    const started = Date.now();
    const r = await chat({ model: 'r/hangs', messages: user('x') });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-switchyard-provider'), 'b');
    assert.equal(r.headers.get('x-switchyard-attempts'), '2');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 3000, `answered after ${elapsed} ms`);
  });

  it('cuts a stream whose chunks stop coming (idle gap) with an error event and no [DONE]', async () => {
    const r = await chat({ model: 'a/lorem~len=5~delay=1500', stream: true, messages: user('x') });
    assert.equal(r.status, 200);
    const events = await sseData(r);
    assert.ok(!events.includes('[DONE]'));
    const last = JSON.parse(events.at(-1));
    assertSchema('ErrorResponse', last);
    assert.match(last.error.message, /timed out/);
  });

  it('ends a stream dropped mid-way with an error in the client\'s own format', async () => {
    const openai = await sseData(await chat({ model: 'a/lorem~len=40~fault=drop', stream: true, messages: user('x') }));
    assert.ok(!openai.includes('[DONE]'));
    assert.ok(JSON.parse(openai.at(-1)).error);
    const anthropic = await postJson(`${gw.url}/v1/messages`,
      { model: 'a/lorem~len=40~fault=drop', max_tokens: 100, stream: true, messages: user('x') });
    const text = await anthropic.text();
    assert.match(text, /event: error\ndata: \{"type":"error"/);
    assert.doesNotMatch(text, /message_stop/);
  });

  it('answers a clean 5xx error when every route is down', async () => {
    const r = await chat({ model: 'r/down', messages: user('x') });
    assert.ok(r.status >= 500 && r.status < 600, `status ${r.status}`);
    assert.equal(r.headers.get('x-switchyard-attempts'), '2');
    assertSchema('ErrorResponse', await r.json());
  });

  it('reports every attempt in provider_metadata.gateway.routing', async () => {
    const r = await chat({ model: 'r/hangs', messages: user('x') });
    const body = await r.json();
    assertSchema('CreateChatCompletionResponse', body);
    const routing = body.provider_metadata.gateway.routing;
    assert.equal(routing.originalModelId, 'r/hangs');
    assert.equal(routing.resolvedProvider, 'b');
    assert.deepEqual(routing.attempts.map((a) => [a.provider, a.success]), [['quick', false], ['b', true]]);
    assert.match(routing.attempts[0].error, /timed out/);
    assert.ok(routing.attempts[0].endTime - routing.attempts[0].startTime >= 290);
  });

  it('splits a weighted model by its weights', async () => {
    const served = { a: 0, b: 0 };
    for (let i = 0; i < 400; i++) {
      const r = await chat({ model: 'r/weighted', messages: user('x') });
      served[r.headers.get('x-switchyard-provider')]++;
      await r.arrayBuffer();
    }
    // 3:1 over 400 requests: 300 expected; binomial sd ~8.7, so the band is over 4 sd wide.
    assert.ok(served.a > 260 && served.a < 340, JSON.stringify(served));
  });

  it('sends most traffic to the route with the lowest time to first byte', async () => {
    const served = { a: 0, b: 0 };
    for (let i = 0; i < 40; i++) {
      const r = await chat({ model: 'r/fastest', messages: user('x') });
      served[r.headers.get('x-switchyard-provider')]++;
      await r.arrayBuffer();
    }
    assert.ok(served.b >= 35, JSON.stringify(served));
  });

  it('serves a lowest-cost model from its cheapest route', async () => {
    const r = await chat({ model: 'r/cheapest', messages: user('x') });
    assert.equal(r.headers.get('x-switchyard-provider'), 'c');
  });

  it('routes by what the request contains', async () => {
    const image = [{ role: 'user', content: [{ type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }];
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const served = async (body, headers) => {
      const r = await chat(body, headers);
      await r.arrayBuffer();
      return r.headers.get('x-switchyard-model');
    };
    assert.equal(await served({ model: 'auto', messages: image }), 'r/vision');
    assert.equal(await served({ model: 'auto', messages: user('x'), tools }), 'r/agent');
    assert.equal(await served({ model: 'auto', messages: user('x') }, { 'x-use-case': 'summarize' }), 'r/summary');
    assert.equal(await served({ model: 'auto', messages: user('x') }), 'a/echo');
    assert.equal(await served({ model: 'b/echo', messages: image }), 'b/echo', 'rules here only apply to `auto`');
  });

  it('takes fallbacks and provider preferences from the request, and does not send them upstream', async () => {
    let r = await chat({ model: 'a/echo~fail=500', models: ['b/echo'], messages: user('x') });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-switchyard-model'), 'b/echo');
    r = await chat({ model: 'a/echo~fail=500', providerOptions: { gateway: { models: ['c/echo'] } }, messages: user('x') });
    assert.equal(r.headers.get('x-switchyard-provider'), 'c');
    r = await chat({ model: 'r/cheapest', providerOptions: { gateway: { order: ['b', 'a'] } }, messages: user('x') });
    assert.equal(r.headers.get('x-switchyard-provider'), 'b');
    r = await chat({ model: 'r/cheapest', providerOptions: { gateway: { only: ['a'] } }, messages: user('x') });
    assert.equal(r.headers.get('x-switchyard-provider'), 'a');
    r = await chat({ model: 'r/cheapest', providerOptions: { gateway: { only: ['nobody'] } }, messages: user('x') });
    assert.equal(r.status, 503);
    assertSchema('ErrorResponse', await r.json());

    r = await chat({ model: 'a/inspect', models: ['b/echo'], providerOptions: { gateway: { order: ['a'] } }, messages: user('x') });
    const seen = JSON.parse((await r.json()).choices[0].message.content);
    assert.deepEqual(seen.keys.sort(), ['messages', 'model']);

    r = await chat({ model: 'a/echo', models: 'b/echo', messages: user('x') });
    assert.equal(r.status, 400);
    const error = await r.json();
    assertSchema('ErrorResponse', error);
    assert.equal(error.error.param, 'models');
  });

  it('cancels the upstream request when the client hangs up', async () => {
    const closed = new Promise((ok) => { upstreamClosed = ok; });
    const controller = new AbortController();
    const pending = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'r/slow', messages: user('x') }),
    }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 300));
    const abortedAt = Date.now();
    controller.abort();
    assert.equal(await pending, 'aborted');
    const closedAt = await Promise.race([closed, new Promise((r) => setTimeout(() => r(null), 3000))]);
    assert.ok(closedAt !== null, 'the upstream connection stayed open after the client left');
    assert.ok(closedAt - abortedAt < 1000, `closed ${closedAt - abortedAt} ms after the client left`);
  });
});
