// The gateway's own HTTP behaviour, through the real binary and simulator over loopback.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startSim, startGateway, simConfig, assertSchema, sseData, postJson } from './harness.mjs';

const KEY = 'sk-test-team-acme-0001';
const user = (content) => [{ role: 'user', content }];

describe('gateway', () => {
  let sim, gw, chat;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(simConfig(`
  offline:
    type: openai
    base_url: https://api.example.invalid/v1
    api_key: \${SWITCHYARD_TEST_UNSET_VARIABLE}
auth:
  keys:
    - {key: ${KEY}, team: acme}
timeouts: {connect_ms: 1000, first_byte_ms: 700, total_ms: 5000, client_ms: 1500}
limits: {max_body_bytes: 65536}
models:
  team/inspect:
    routes:
      - {provider: sim, model: inspect}
  team/offline:
    routes:
      - {provider: offline, model: gpt-4o}
`), sim);
    chat = (body, headers = {}) =>
      postJson(`${gw.url}/v1/chat/completions`, body, { authorization: `Bearer ${KEY}`, ...headers });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it('answers a chat completion in OpenAI format with a generation id', async () => {
    const r = await chat({ model: 'sim/echo', messages: user('hello gateway') });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('x-switchyard-request-id'), /^gen_[0-9A-HJKMNP-TV-Z]{26}$/);
    const body = await r.json();
    assertSchema('CreateChatCompletionResponse', body);
    assert.equal(body.choices[0].message.content, 'hello gateway');
    assert.equal(body.usage.completion_tokens, 2);
  });

  it('sends the provider key and upstream model upstream, never the client key', async () => {
    const r = await chat({ model: 'team/inspect', messages: user('x') });
    assert.equal(r.status, 200);
    const seen = JSON.parse((await r.json()).choices[0].message.content);
    assert.deepEqual([seen.model, seen.auth], ['inspect', 'sim-provider-key']);
  });

  it('keeps every other byte of the request as the client sent it', async () => {
    // Unknown fields and odd spacing survive: the body is spliced, not re-serialised.
    const raw = '{ "messages" : [{"role":"user","content":"a\\u00e9b"}],\n "model":  "team/inspect" , "x_vendor": {"k": [1, 2.50]} }';
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: raw,
    });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse((await r.json()).choices[0].message.content).model, 'inspect');
  });

  it('streams server-sent events and honours include_usage', async () => {
    const r = await chat({ model: 'sim/lorem~len=5', stream: true, stream_options: { include_usage: true }, messages: user('x') });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/event-stream/);
    assert.ok(r.headers.get('x-switchyard-request-id'));
    const events = await sseData(r);
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    chunks.forEach((c) => assertSchema('CreateChatCompletionStreamResponse', c));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, 'The gateway routes every request');
    assert.equal(chunks.at(-1).usage.completion_tokens, 5);
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
  });

  it('streams without a usage chunk when the client did not ask', async () => {
    const events = await sseData(await chat({ model: 'sim/lorem~len=3', stream: true, messages: user('x') }));
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    assert.ok(chunks.every((c) => c.usage === undefined));
  });

  it('relays each event as it arrives instead of buffering the stream', async () => {
    const started = Date.now();
    const r = await chat({ model: 'sim/lorem~len=4~ttft=50~delay=400', stream: true, messages: user('x') });
    const reader = r.body.getReader();
    const { value } = await reader.read();
    const firstAt = Date.now() - started;
    assert.match(new TextDecoder().decode(value), /"content":"The"/);
    assert.ok(firstAt < 1000, `first token after ${firstAt} ms; the whole answer takes 1250 ms`);
    await reader.cancel();
  });

  it('ends a stream cut by the upstream with an error event and no [DONE]', async () => {
    const events = await sseData(await chat({ model: 'sim/lorem~len=8~fault=drop', stream: true, messages: user('x') }));
    assert.notEqual(events.at(-1), '[DONE]');
    const last = JSON.parse(events.at(-1));
    assertSchema('ErrorResponse', last);
    assert.equal(last.error.type, 'upstream_error');
  });

  it('answers embeddings in OpenAI format', async () => {
    const r = await postJson(`${gw.url}/v1/embeddings`, { model: 'sim/embed', input: ['a', 'b'], dimensions: 4 },
      { authorization: `Bearer ${KEY}` });
    assert.equal(r.status, 200);
    const body = await r.json();
    assertSchema('CreateEmbeddingResponse', body);
    assert.equal(body.data.length, 2);
    assert.equal(body.data[1].embedding.length, 4);
  });

  it('lists configured models', async () => {
    const r = await fetch(`${gw.url}/v1/models`, { headers: { 'x-api-key': KEY } });
    assert.equal(r.status, 200);
    const body = await r.json();
    assertSchema('ListModelsResponse', body);
    // team/offline's only provider has no key: a client cannot use it, so it is not listed; nor are
    // the price table's models, which no provider here serves (none is at api.openai.com).
    assert.deepEqual(body.data.map((m) => m.id).sort(), ['team/inspect']);
  });

  const errorCases = [
    ['malformed JSON', { raw: '{"model":' }, 400, 'invalid_request_error'],
    ['missing model', { body: { messages: user('x') } }, 400, 'invalid_request_error'],
    ['missing messages', { body: { model: 'sim/echo' } }, 400, 'invalid_request_error'],
    ['no key', { body: { model: 'sim/echo', messages: user('x') }, headers: { authorization: '' } }, 401, 'authentication_error'],
    ['a wrong key', { body: { model: 'sim/echo', messages: user('x') }, headers: { authorization: 'Bearer sk-wrong-key-123' } }, 401, 'authentication_error'],
    ['an unknown model', { body: { model: 'nobody/knows', messages: user('x') } }, 404, 'invalid_request_error'],
    ['a provider without its key', { body: { model: 'team/offline', messages: user('x') } }, 503, 'upstream_error'],
    ['an upstream 500', { body: { model: 'sim/echo~fail=500', messages: user('x') } }, 502, 'upstream_error'],
    ['an upstream 503', { body: { model: 'sim/echo~fail=503', messages: user('x') } }, 503, 'upstream_error'],
    ['an upstream reset', { body: { model: 'sim/echo~fault=reset', messages: user('x') } }, 502, 'upstream_error'],
    ['an upstream that never answers', { body: { model: 'sim/echo~fault=hang', messages: user('x') } }, 504, 'upstream_error'],
    ['an unreachable upstream', { body: { model: 'team/offline', messages: user('x') } }, 503, 'upstream_error'],
  ];
  for (const [what, request, status, type] of errorCases) {
    it(`answers ${status} ${type} for ${what}`, async () => {
      const headers = { authorization: `Bearer ${KEY}`, ...request.headers };
      const r = request.raw !== undefined
        ? await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers, body: request.raw })
        : await postJson(`${gw.url}/v1/chat/completions`, request.body, headers);
      assert.equal(r.status, status);
      assert.ok(r.headers.get('x-switchyard-request-id'));
      const body = await r.json();
      assertSchema('ErrorResponse', body);
      assert.equal(body.error.type, type);
      assert.ok(body.error.message.length > 0);
    });
  }

  it('passes an upstream 429 back with its message and retry-after', async () => {
    const r = await chat({ model: 'sim/echo~fail=429~retry_after=7', messages: user('x') });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '7');
    const body = await r.json();
    assertSchema('ErrorResponse', body);
    assert.equal(body.error.message, 'simulated failure 429');
  });

  it('passes an upstream 400 back as it came', async () => {
    const r = await chat({ model: 'sim/echo~fail=400', messages: user('x') });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.message, 'simulated failure 400');
  });

  it('refuses an oversized body from its Content-Length without reading it', async () => {
    const reply = await rawExchange(gw.port,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"model":`);
    assert.match(reply, /^HTTP\/1\.1 413 /);
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
    assertSchema('ErrorResponse', body);
  });

  it('refuses an oversized body sent in chunks, without a Content-Length', async () => {
    const piece = new TextEncoder().encode('x'.repeat(10000));
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(piece);
        else controller.close();
      },
    });
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body, duplex: 'half',
    });
    assert.equal(r.status, 413);
    assertSchema('ErrorResponse', await r.json());
  });

  it('times out a client that stalls mid-request', async () => {
    const started = Date.now();
    const reply = await rawExchange(gw.port, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Le');
    assert.equal(reply, '');
    assert.ok(Date.now() - started < 5000);
  });

  it('answers 404 for an unknown endpoint and 405 for a wrong method', async () => {
    const missing = await fetch(`${gw.url}/v1/nothing`);
    assert.equal(missing.status, 404);
    assertSchema('ErrorResponse', await missing.json());
    const wrong = await fetch(`${gw.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(wrong.status, 405);
    assertSchema('ErrorResponse', await wrong.json());
  });

  it('serves many requests on one keep-alive connection', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await chat({ model: 'sim/echo', messages: user(`n${i}`) });
      assert.equal((await r.json()).choices[0].message.content, `n${i}`);
    }
  });
});

// Sends raw bytes and returns everything the server wrote before closing.
function rawExchange(port, text) {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (d) => { reply += d; });
    socket.on('close', () => ok(reply));
    socket.on('error', fail);
    socket.setTimeout(10000, () => { socket.destroy(); fail(new Error('no close within 10 s')); });
  });
}
