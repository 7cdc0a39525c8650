// Hardening regressions, end to end through the real binary over loopback: client text that
// could reach a message head, a URL path or a metric label is refused or encoded; duplicate keys
// are refused; provider keys never leak through upstream errors; a taken port stops a second
// gateway; usage riding on the last content chunk, deep tool schemas, oversized upstream events
// and non-JSON 2xx answers are handled; HTTP framing (Transfer-Encoding, HEAD) is strict; request
// ids reach the official SDKs; unknown endpoints, metric cardinality and client aborts are
// reported as what they are.
//
// Misbehaving upstreams are tiny node:http servers started here (`fakeOpenAI`, `fakeGemini`).
// Nothing waits a fixed time: records and exits are polled for with a deadline (`until`).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { BIN, startSim, startGateway, simConfig, assertSchema, sseData, postJson } from './harness.mjs';

const ADMIN = 'sk-admin-hardening-0001';
const SECRET = 'sk-upstream-secret-123456';  // the fake OpenAI provider's api_key
const user = (content) => [{ role: 'user', content }];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// Polls `probe` until it returns something truthy, or throws after `ms`.
async function until(what, probe, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

// A node:http server standing in for a provider. `handler(request, res)` answers; every request
// is kept in `seen` ({method, url, headers, body, json}) so tests can check what went upstream.
async function fakeUpstream(handler) {
  const seen = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const piece of req) body += piece;
    let json = null;
    try { json = JSON.parse(body); } catch { /* not JSON */ }
    const request = { method: req.method, url: req.url, headers: req.headers, body, json };
    seen.push(request);
    handler(request, res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => { server.closeAllConnections(); return new Promise((ok) => server.close(ok)); },
  };
}

const sendJson = (res, status, value, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
};
const openaiChunk = (delta, extra = {}) => JSON.stringify({
  id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model: 'fake',
  choices: [{ index: 0, delta, finish_reason: null }], ...extra,
});

// An OpenAI-type provider whose behaviour is picked by the upstream model name.
function fakeOpenAI() {
  return fakeUpstream((req, res) => {
    const model = req.json?.model;
    const credential = req.headers.authorization ?? '';
    switch (model) {
      case 'echo-auth-400':  // an upstream that quotes the credential it was sent in its error
      case 'echo-auth-500':
        return sendJson(res, model === 'echo-auth-400' ? 400 : 500, {
          error: { message: `upstream rejected the credential: ${credential}`, type: 'invalid_request_error', code: 'invalid_api_key' },
        });
      case 'usage-last': {  // usage on the last content chunk, not in a chunk of its own
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${openaiChunk({ role: 'assistant', content: 'Hello' })}\n\n`);
        res.write(`data: ${JSON.stringify({
          id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model: 'fake',
          choices: [{ index: 0, delta: { content: ' world' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        })}\n\n`);
        return res.end('data: [DONE]\n\n');
      }
      case 'huge-event-open':  // one event of 200 KB that never ends; the connection stays open
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${openaiChunk({ role: 'assistant', content: 'Hi' })}\n\n`);
        return res.write(`data: ${'x'.repeat(200_000)}`);
      case 'huge-event-whole':  // one complete event of 200 KB, then a proper end
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${openaiChunk({ role: 'assistant', content: 'Hi' })}\n\n`);
        res.write(`data: ${openaiChunk({ content: 'y'.repeat(200_000) })}\n\n`);
        return res.end('data: [DONE]\n\n');
      case 'html':  // a 200 from a captive portal or a misconfigured proxy
        return sendJson(res, 200, '<html><body>Please log in</body></html>', 'text/html');
      case 'not-json':
        return sendJson(res, 200, 'not json');
      default:
        return sendJson(res, 404, { error: { message: `fake has no model ${model}`, type: 'invalid_request_error' } });
    }
  });
}

// A Gemini-type provider that answers every generateContent with "ok"; tests read `seen` URLs.
function fakeGemini() {
  return fakeUpstream((req, res) => sendJson(res, 200, {
    candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
  }));
}

// A raw TCP client: for requests fetch refuses to send (bad header bytes, odd framing) and to see
// exactly which bytes come back. `received` holds everything read; `closed` resolves on close.
function rawClient(port) {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1');
    const client = { socket, received: Buffer.alloc(0), isClosed: false };
    client.closed = new Promise((done) => {
      socket.on('close', () => { client.isClosed = true; done(); });
    });
    socket.on('data', (d) => { client.received = Buffer.concat([client.received, d]); });
    socket.on('error', () => { /* a reset counts as a close; what arrived before stays */ });
    client.write = (bytes) => socket.write(bytes);
    client.waitFor = (what, predicate, ms = 5000) => until(what, () => predicate(client.received) || client.isClosed, ms);
    client.waitClosed = (ms = 5000) => until('the gateway to close the connection', () => client.isClosed, ms);
    socket.once('connect', () => ok(client));
    socket.once('error', fail);
  });
}

// Splits raw bytes into HTTP/1.1 responses (Content-Length, chunked or close-delimited bodies).
// `headOnly` is the number of leading responses that answer HEAD (no body, whatever the headers say).
function parseResponses(bytes, headOnly = 0) {
  const responses = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine, ...lines] = bytes.subarray(at, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine);
    if (!match) throw new Error(`not a status line at byte ${at}: ${JSON.stringify(statusLine)}`);
    const headers = {};
    for (const line of lines) headers[line.slice(0, line.indexOf(':')).trim().toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    at = end + 4;
    let body = Buffer.alloc(0);
    if (responses.length < headOnly) {
      // no body
    } else if (headers['content-length'] !== undefined) {
      body = bytes.subarray(at, at + Number(headers['content-length']));
      at += body.length;
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const pieces = [];
      for (;;) {
        const lineEnd = bytes.indexOf('\r\n', at);
        const size = parseInt(bytes.subarray(at, lineEnd).toString(), 16);
        at = lineEnd + 2;
        if (!size) { at += 2; break; }
        pieces.push(bytes.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(pieces);
    } else {
      body = bytes.subarray(at);
      at = bytes.length;
    }
    responses.push({ status: Number(match[1]), headers, body: body.toString() });
  }
  return { responses, rest: bytes.subarray(at) };
}

// A raw chat completion request with `extraHead` header lines (a Buffer, so any byte can go in).
function rawChat(body, extraHead = Buffer.alloc(0)) {
  const payload = Buffer.from(JSON.stringify(body));
  return Buffer.concat([
    Buffer.from(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${payload.length}\r\nConnection: close\r\n`),
    extraHead, Buffer.from('\r\n'), payload,
  ]);
}

// Sends one raw request and returns the responses written before the gateway closed.
async function rawExchange(port, bytes, ms = 5000) {
  const client = await rawClient(port);
  client.write(bytes);
  await client.waitClosed(ms);
  return parseResponses(client.received).responses;
}

// Reads a streamed response as the client sees it: JSON chunks, and whether it ended with [DONE].
async function openaiStream(response) {
  const events = await sseData(response);
  const done = events.at(-1) === '[DONE]';
  return { events, done, chunks: events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e)) };
}

// Asserts the OpenAI error shape {"error":{"message","type","param","code"}}.
function assertOpenAIError(body, param) {
  assertSchema('ErrorResponse', body);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'], JSON.stringify(body));
  assert.equal(body.error.type, 'invalid_request_error', JSON.stringify(body));
  if (param !== undefined) assert.equal(body.error.param, param, JSON.stringify(body));
  assert.ok(body.error.message.length > 0);
}

// Asserts Anthropic's error shape {"type":"error","error":{"type","message"}}.
function assertAnthropicError(body, mentions) {
  assert.equal(body.type, 'error', JSON.stringify(body));
  assert.equal(body.error.type, 'invalid_request_error', JSON.stringify(body));
  assert.equal(typeof body.error.message, 'string');
  if (mentions) assert.match(body.error.message, mentions);
}

const metricValue = (text, name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);

// A JSON schema whose own JSON is at least `objects` objects deep.
function nestedSchema(objects) {
  let schema = { type: 'string' };
  while (jsonDepth(schema) < objects) schema = { type: 'object', properties: { inner: schema } };
  return schema;
}
function jsonDepth(value) {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(jsonDepth));
}

// ---------------------------------------------------------------------------------------------
// One gateway with the simulator (`sim`), a fake OpenAI-type provider (`fake`, keyed with SECRET)
// and a fake Gemini-type provider (`gem`).
// ---------------------------------------------------------------------------------------------

describe('hardening', () => {
  let sim, openaiFake, geminiFake, gw;
  const url = (path) => `${gw.url}${path}`;
  const chat = (body, headers = {}) => postJson(url('/v1/chat/completions'), body, headers);
  const messages = (body, headers = {}) => postJson(url('/v1/messages'), body, headers);
  const rawPost = (path, text) => fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  // The stored record of a generation id, polled for until the writer has stored it.
  const generation = (id) => until(`the record of ${id}`, async () => {
    const r = await fetch(url(`/v1/generation?id=${id}`), { headers: { authorization: `Bearer ${ADMIN}` } });
    return r.status === 200 ? (await r.json()).data : null;
  });

  before(async () => {
    [sim, openaiFake, geminiFake] = await Promise.all([startSim(), fakeOpenAI(), fakeGemini()]);
    gw = await startGateway(simConfig(`
  fake:
    type: openai
    base_url: ${openaiFake.url}/v1
    api_key: ${SECRET}
  gem:
    type: gemini
    base_url: ${geminiFake.url}
    api_key: gem-provider-key
admin_key: ${ADMIN}
circuit_breaker: {failures: 0}
limits: {max_upstream_event_bytes: 65536}
models:
  priced/usage-last:
    routes: [{provider: fake, model: usage-last}]
    price: {input: 1.0, output: 2.0}
  rescue/html:
    routes: [{provider: fake, model: html}, {provider: sim, model: echo}]
`), sim);
  });
  after(async () => {
    await gw?.stop();
    await Promise.all([sim?.stop(), openaiFake?.close(), geminiFake?.close()]);
  });

  // 1. Model ids that could split a header or bloat a label are refused before routing.
  describe('model ids with control characters or too long', () => {
    const badIds = [
      ['CR/LF', 'sim/echo\r\nX-Injected: 1'],
      ['NUL', 'sim/echo\u0000tail'],
      ['257 bytes', `sim/${'e'.repeat(253)}`],
      ['CR/LF for a gemini provider', 'gem/x\r\nX-Injected: 1'],
      ['NUL for a gemini provider', 'gem/x\u0000y'],
    ];
    for (const [what, model] of badIds) {
      it(`refuses a model id with ${what}: 400 in OpenAI's shape on /v1/chat/completions`, async () => {
        const before = geminiFake.seen.length;
        const r = await chat({ model, messages: user('x') });
        assert.equal(r.status, 400);
        assertOpenAIError(await r.json(), 'model');
        assert.equal(r.headers.get('x-switchyard-model'), null, 'no x-switchyard-model header echoes the refused id');
        assert.equal(r.headers.get('x-injected'), null);
        assert.equal(geminiFake.seen.length, before, 'nothing went upstream');
      });
      it(`refuses a model id with ${what}: 400 in Anthropic's shape on /v1/messages`, async () => {
        const before = geminiFake.seen.length;
        const r = await messages({ model, max_tokens: 16, messages: user('x') });
        assert.equal(r.status, 400);
        assertAnthropicError(await r.json(), /model/);
        assert.equal(r.headers.get('x-switchyard-model'), null);
        assert.equal(r.headers.get('x-injected'), null);
        assert.equal(geminiFake.seen.length, before, 'nothing went upstream');
      });
    }

    it('still serves a model id of exactly 256 bytes (the limit is not off by one)', async () => {
      const model = `gem/${'e'.repeat(252)}`;
      assert.equal(Buffer.byteLength(model), 256);
      const r = await chat({ model, messages: user('fits') });
      assert.equal(r.status, 200, await r.clone().text());
      assert.equal(geminiFake.seen.at(-1).url, `/v1beta/models/${'e'.repeat(252)}:generateContent`);
    });
  });

  // 2. A Gemini model name is one percent-encoded path segment: it cannot walk to another URL.
  describe('gemini model path', () => {
    const cases = [
      ['../ and ?', '../../v1beta/files?x=1', '/v1beta/models/..%2F..%2Fv1beta%2Ffiles%3Fx=1:generateContent'],
      ['# and a space', 'a b#frag', '/v1beta/models/a%20b%23frag:generateContent'],
      ['an already percent-encoded slash', 'a%2F..%2Fb', '/v1beta/models/a%252F..%252Fb:generateContent'],
    ];
    for (const [what, upstreamModel, expectedPath] of cases) {
      it(`keeps a model name with ${what} inside one segment`, async () => {
        const before = geminiFake.seen.length;
        const r = await chat({ model: `gem/${upstreamModel}`, messages: user('x') });
        assert.equal(r.status, 200, await r.clone().text());
        assert.equal((await r.json()).choices[0].message.content, 'ok');
        const paths = geminiFake.seen.slice(before).map((s) => s.url);
        assert.deepEqual(paths, [expectedPath]);
        assert.equal(geminiFake.seen.slice(before)[0].headers['x-goog-api-key'], 'gem-provider-key');
      });
    }
    it('never lets a request reach another Gemini endpoint', () => {
      const escaped = geminiFake.seen.filter((s) => !/^\/v1beta\/models\/[^/?#]+:generateContent$/.test(s.url));
      assert.deepEqual(escaped.map((s) => s.url), []);
      assert.ok(geminiFake.seen.length >= 3);
    });
  });

  // 3. Two values for one key: which one counts depends on the parser, so the gateway refuses both.
  describe('duplicate top-level keys', () => {
    const chatBody = '"messages":[{"role":"user","content":"x"}]';
    it('accepts the same bodies without the duplicate (control)', async () => {
      assert.equal((await rawPost('/v1/chat/completions', `{"model":"sim/echo",${chatBody}}`)).status, 200);
      assert.equal((await rawPost('/v1/messages', `{"model":"sim/echo","max_tokens":8,${chatBody}}`)).status, 200);
    });
    for (const [key, text] of [
      ['model', `{"model":"sim/echo",${chatBody},"model":"other"}`],
      ['stream', `{"model":"sim/echo","stream":false,${chatBody},"stream":true}`],
    ]) {
      it(`refuses a duplicate "${key}" on /v1/chat/completions with 400 naming it`, async () => {
        const r = await rawPost('/v1/chat/completions', text);
        assert.equal(r.status, 400);
        const body = await r.json();
        assertOpenAIError(body, key);
        assert.match(body.error.message, new RegExp(key));
      });
      it(`refuses a duplicate "${key}" on /v1/messages with 400 naming it`, async () => {
        const r = await rawPost('/v1/messages', text.replace('{', '{"max_tokens":8,'));
        assert.equal(r.status, 400);
        assertAnthropicError(await r.json(), new RegExp(key));
      });
    }
  });

  // 4. Attribution headers are stored and shown on the dashboard: printable UTF-8 only, capped.
  describe('x-switchyard-use-case and x-switchyard-tags', () => {
    const cases = [
      ['invalid UTF-8 in the use case', 'x-switchyard-use-case', Buffer.from([0x73, 0xff, 0xfe, 0x74])],
      ['a tab in the use case', 'x-switchyard-use-case', Buffer.from('sup\tport')],
      ['invalid UTF-8 in a tag', 'x-switchyard-tags', Buffer.from([0x61, 0x2c, 0x20, 0xc3, 0x28])],
      ['a tab in a tag', 'x-switchyard-tags', Buffer.from('ok, ni\tghtly')],
    ];
    for (const [what, header, value] of cases) {
      it(`refuses ${what} with 400 naming the header`, async () => {
        const head = Buffer.concat([Buffer.from(`${header}: `), value, Buffer.from('\r\n')]);
        const responses = await rawExchange(gw.port, rawChat({ model: 'sim/echo', messages: user('x') }, head));
        assert.equal(responses.length, 1);
        assert.equal(responses[0].status, 400, responses[0].body);
        const body = JSON.parse(responses[0].body);
        assertOpenAIError(body, header);
      });
    }
    it('accepts valid UTF-8 in both headers (control, same raw path)', async () => {
      const head = Buffer.from('x-switchyard-use-case: caf\u00e9\r\nx-switchyard-tags: \u00e9t\u00e9, b\r\n', 'utf8');
      const responses = await rawExchange(gw.port, rawChat({ model: 'sim/echo', messages: user('x') }, head));
      assert.equal(responses[0].status, 200, responses[0].body);
      const record = await generation(responses[0].headers['x-switchyard-request-id']);
      assert.equal(record.use_case, 'caf\u00e9');
      assert.deepEqual(record.tags, ['\u00e9t\u00e9', 'b']);
    });
    it('refuses a use case over 128 bytes and accepts one of 128', async () => {
      const long = await chat({ model: 'sim/echo', messages: user('x') }, { 'x-switchyard-use-case': 'u'.repeat(129) });
      assert.equal(long.status, 400);
      assertOpenAIError(await long.json(), 'x-switchyard-use-case');
      const fits = await chat({ model: 'sim/echo', messages: user('x') }, { 'x-switchyard-use-case': 'u'.repeat(128) });
      assert.equal(fits.status, 200);
    });
  });

  // 5. An upstream that quotes the credential it got must not hand the provider key to clients.
  describe('provider key in upstream errors', () => {
    for (const [upstreamStatus, clientStatus] of [[400, 400], [500, 502]]) {
      it(`scrubs it from an upstream ${upstreamStatus} (client sees ${clientStatus}) and from the record`, async () => {
        const before = openaiFake.seen.length;
        const r = await chat({ model: `fake/echo-auth-${upstreamStatus}`, messages: user('x') });
        // The fake really did get (and quote) the secret, so a leak was possible.
        assert.equal(openaiFake.seen.slice(before)[0].headers.authorization, `Bearer ${SECRET}`);
        assert.equal(r.status, clientStatus);
        const text = await r.text();
        assert.ok(!text.includes(SECRET), `the client saw the provider key: ${text}`);
        const body = JSON.parse(text);
        assertSchema('ErrorResponse', body);
        assert.match(body.error.message, /rejected the credential/, 'the upstream message still comes through');
        const record = await generation(r.headers.get('x-switchyard-request-id'));
        assert.equal(record.status, clientStatus);
        assert.match(record.error, /rejected the credential/);
        assert.ok(!JSON.stringify(record).includes(SECRET), `the record holds the provider key: ${JSON.stringify(record)}`);
      });
    }
  });

  // 6. A second gateway on a taken address must not silently share it (SO_REUSEPORT) or hang.
  it('exits with code 1 naming the address when a second gateway is started on the same listen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-hardening-'));
    const config = join(dir, 'second.yaml');
    writeFileSync(config, `listen: 127.0.0.1:${gw.port}\nstorage: none\njournal: ${join(dir, 'j')}\n` +
      `providers:\n  sim: {type: openai, base_url: '${sim.url}/openai/v1', api_key: k}\n`);
    const second = spawn(BIN, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    second.stdout.on('data', (d) => { output += d; });
    second.stderr.on('data', (d) => { output += d; });
    const exit = new Promise((ok) => second.once('exit', (code, signal) => ok(code ?? signal)));
    try {
      const code = await Promise.race([exit, until('the second gateway to exit', () => second.exitCode !== null, 8000).then(() => exit)]);
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`127\\.0\\.0\\.1:${gw.port}`));
    } finally {
      if (second.exitCode === null) second.kill('SIGKILL');
    }
    assert.equal((await fetch(url('/healthz'))).status, 200, 'the first gateway still answers');
  });

  // 7. Usage on the last content chunk: the content stays, the usage goes unless asked for.
  describe('usage on the last content chunk', () => {
    it('keeps " world" and finish_reason but shows no usage to a client that did not ask', async () => {
      const r = await chat({ model: 'priced/usage-last', stream: true, messages: user('x') });
      assert.equal(r.status, 200);
      const { chunks, done } = await openaiStream(r);
      assert.ok(done, 'the stream ends with [DONE]');
      assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'Hello world');
      assert.ok(chunks.some((c) => c.choices[0]?.finish_reason === 'stop'), JSON.stringify(chunks));
      for (const c of chunks) assert.ok(!('usage' in c), `a chunk carries usage: ${JSON.stringify(c)}`);
    });
    it('shows the usage with its cost to a client that asked', async () => {
      const r = await chat({ model: 'priced/usage-last', stream: true, stream_options: { include_usage: true }, messages: user('x') });
      const { chunks, done } = await openaiStream(r);
      assert.ok(done);
      assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'Hello world');
      assert.ok(chunks.some((c) => c.choices[0]?.finish_reason === 'stop'));
      const usage = chunks.filter((c) => c.usage).map((c) => c.usage);
      assert.equal(usage.length, 1, JSON.stringify(chunks));
      assert.equal(usage[0].prompt_tokens, 3);
      assert.equal(usage[0].completion_tokens, 2);
      assert.ok(Math.abs(usage[0].cost - (3 * 1.0 + 2 * 2.0) / 1e6) < 1e-15, JSON.stringify(usage[0]));
    });
  });

  // 8. Deep tool schemas are legal JSON: they used to exceed a parser's depth and answer 500.
  describe('deeply nested tool schemas', () => {
    const schema = nestedSchema(40);
    it('streams a chat completion whose tool parameters are 40 objects deep', async () => {
      assert.ok(jsonDepth(schema) >= 40);
      const r = await chat({
        model: 'sim/echo', stream: true, messages: user('call it [call]'),
        tools: [{ type: 'function', function: { name: 'deep', parameters: schema } }],
      });
      assert.equal(r.status, 200, await r.clone().text());
      const { chunks, done } = await openaiStream(r);
      assert.ok(done, 'a valid stream ends with [DONE]');
      chunks.forEach((c) => assertSchema('CreateChatCompletionStreamResponse', c));
      assert.ok(chunks.some((c) => c.choices[0]?.finish_reason === 'tool_calls'), JSON.stringify(chunks.at(-1)));
    });
    it('streams an Anthropic message whose tool input_schema is 40 objects deep', async () => {
      const r = await messages({
        model: 'sim/echo', stream: true, max_tokens: 64, messages: user('call it [call]'),
        tools: [{ name: 'deep', description: 'deep', input_schema: schema }],
      });
      assert.equal(r.status, 200, await r.clone().text());
      const text = await r.text();
      assert.match(text, /event: message_stop/);
      assert.match(text, /"stop_reason":"tool_use"/);
      assert.doesNotMatch(text, /event: error/);
    });
  });

  // 9. One oversized upstream event ends the client's stream at once, visibly incomplete.
  describe('upstream event over limits.max_upstream_event_bytes', () => {
    for (const [what, model] of [['that never ends', 'fake/huge-event-open'], ['that ends', 'fake/huge-event-whole']]) {
      it(`ends the stream with an error event and no [DONE] for a 200 KB event ${what}`, async () => {
        const started = Date.now();
        const r = await chat({ model, stream: true, messages: user('x') });
        assert.equal(r.status, 200);
        const { events, done, chunks } = await openaiStream(r);
        const elapsed = Date.now() - started;
        assert.ok(elapsed < 3000, `the stream took ${elapsed} ms to end`);
        assert.ok(!done, `the stream ended with [DONE]: ${events.map((e) => e.slice(0, 80))}`);
        assert.equal(chunks[0].choices[0].delta.content, 'Hi', 'the events before it were relayed');
        const last = chunks.at(-1);
        assertSchema('ErrorResponse', last);
        assert.ok(!JSON.stringify(chunks).includes('x'.repeat(1000)) && !JSON.stringify(chunks).includes('y'.repeat(1000)),
          'the oversized event was not relayed');
      });
    }
  });

  // 10. A 2xx that is not the API's JSON is a failure of that route, not an answer.
  describe('non-JSON 200 answers', () => {
    it('falls over from an HTML 200 to the next route', async () => {
      const r = await chat({ model: 'rescue/html', messages: user('rescued') });
      assert.equal(r.status, 200, await r.clone().text());
      assert.equal(r.headers.get('x-switchyard-attempts'), '2');
      assert.equal(r.headers.get('x-switchyard-provider'), 'sim');
      assert.equal((await r.json()).choices[0].message.content, 'rescued');
    });
    for (const [what, model] of [['an HTML 200', 'fake/html'], ['a 200 application/json "not json"', 'fake/not-json']]) {
      it(`answers 502 in OpenAI's shape for ${what} with no other route`, async () => {
        const r = await chat({ model, messages: user('x') });
        assert.equal(r.status, 502);
        const body = await r.json();
        assertSchema('ErrorResponse', body);
        assert.equal(body.error.type, 'upstream_error');
      });
    }
  });

  // 11. HTTP framing: no request smuggling through Transfer-Encoding, no body on HEAD.
  describe('HTTP framing', () => {
    const smuggled = 'GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n';
    for (const coding of ['xchunked', 'chunked, identity']) {
      it(`refuses Transfer-Encoding: ${coding} with 400 and parses nothing after it`, async () => {
        const responses = await rawExchange(gw.port,
          `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nTransfer-Encoding: ${coding}\r\n\r\n${smuggled}`);
        assert.deepEqual(responses.map((r) => r.status), [400], 'exactly one answer, then the connection closes');
      });
    }
    it('answers HEAD /healthz with headers and no body, and serves the next request on the connection', async () => {
      const client = await rawClient(gw.port);
      client.write('HEAD /healthz HTTP/1.1\r\nHost: gw\r\n\r\n');
      await client.waitFor('the HEAD response head', (bytes) => bytes.includes('\r\n\r\n'));
      assert.ok(!client.isClosed, 'the connection stays open after HEAD');
      client.write('GET /healthz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
      await client.waitClosed();
      const { responses, rest } = parseResponses(client.received, 1);
      assert.deepEqual(responses.map((r) => r.status), [200, 200], client.received.toString());
      assert.equal(responses[0].body, '');
      assert.deepEqual(JSON.parse(responses[1].body), { status: 'ok' });
      assert.equal(rest.length, 0);
    });
  });

  // 12. The generation id is where each SDK looks for a request id.
  describe('request ids', () => {
    const checks = [
      ['a chat completion', () => chat({ model: 'sim/echo', messages: user('x') }), 200],
      ['a stream', () => chat({ model: 'sim/echo', stream: true, messages: user('x') }), 200],
      ['malformed JSON', () => rawPost('/v1/chat/completions', '{"model":'), 400],
      ['an unknown model', () => chat({ model: 'nobody/knows', messages: user('x') }), 404],
      ['an Anthropic message', () => messages({ model: 'sim/echo', max_tokens: 8, messages: user('x') }), 200],
      ['an unknown endpoint', () => fetch(url('/v1/nope')), 404],
      ['/healthz', () => fetch(url('/healthz')), 200],
    ];
    for (const [what, send, status] of checks) {
      it(`puts the generation id in x-request-id and request-id for ${what}`, async () => {
        const r = await send();
        assert.equal(r.status, status);
        await r.arrayBuffer();
        const id = r.headers.get('x-switchyard-request-id');
        assert.match(id ?? '', /^gen_[0-9A-HJKMNP-TV-Z]{26}$/);
        assert.equal(r.headers.get('x-request-id'), id);
        assert.equal(r.headers.get('request-id'), id);
      });
    }
    it('gives the openai SDK\'s APIError the generation id as requestID', async () => {
      const client = new OpenAI({ baseURL: url('/v1'), apiKey: 'unused', maxRetries: 0 });
      const error = await client.chat.completions.create({ model: 'nobody/knows', messages: user('x') }).then(
        () => assert.fail('expected a 404'), (e) => e);
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, 404);
      assert.match(error.requestID ?? '', /^gen_[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.equal(error.requestID, error.headers.get('x-switchyard-request-id'));
    });
    it('gives the Anthropic SDK\'s error the generation id as requestID', async () => {
      const client = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
      const error = await client.messages.create({ model: 'nobody/knows', max_tokens: 8, messages: user('x') }).then(
        () => assert.fail('expected a 404'), (e) => e);
      assert.ok(error instanceof Anthropic.APIError, String(error));
      assert.equal(error.status, 404);
      assert.match(error.requestID ?? '', /^gen_[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.equal(error.requestID, error.headers.get('x-switchyard-request-id'));
    });
  });

  // 13. A wrong URL is not a missing model: SDKs and users branch on the code.
  it('answers GET /v1/nope with 404 and code unknown_url', async () => {
    const r = await fetch(url('/v1/nope'));
    assert.equal(r.status, 404);
    const body = await r.json();
    assertSchema('ErrorResponse', body);
    assert.equal(body.error.code, 'unknown_url');
    assert.match(body.error.message, /\/v1\/nope/);
  });

  // 15. A client hanging up mid-stream is the client's doing, and the record says so.
  it('records a stream the client aborted as cancelled by the client', async () => {
    const controller = new AbortController();
    const r = await fetch(url('/v1/chat/completions'), {
      method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim/lorem~len=200~delay=20', stream: true, messages: user('x') }),
    });
    const id = r.headers.get('x-switchyard-request-id');
    assert.equal(r.status, 200);
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/^data: /gm) ?? []).length < 3) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream ended before 3 chunks');
      text += decoder.decode(value);
    }
    controller.abort();  // the user closes the tab: the connection goes away mid-stream
    const record = await generation(id);
    assert.ok(record.error, `the record has no error: ${JSON.stringify(record)}`);
    assert.match(record.error, /cancelled/, JSON.stringify(record));
    assert.doesNotMatch(record.error, /upstream/i, JSON.stringify(record));
    assert.equal(record.streamed, true);
  });
});

// 14. Model ids come partly from clients: their metric label sets must stay bounded.
describe('metrics cardinality', () => {
  const N = 3000, CONCURRENCY = 32;
  let sim, gw;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(simConfig(), sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it(`keeps /metrics bounded after ${N} distinct sim/random-N model ids`, async () => {
    const metrics = async () => (await fetch(`${gw.url}/metrics`)).text();
    const storedBefore = metricValue(await metrics(), 'switchyard_records_stored_total');
    let next = 0, ok = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const r = await postJson(`${gw.url}/v1/chat/completions`, { model: `sim/random-${i}~len=1`, messages: user('x') });
        await r.arrayBuffer();
        if (r.status === 200) ok++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.equal(ok, N);
    const text = await until('every record to be stored', async () => {
      const t = await metrics();
      return metricValue(t, 'switchyard_records_stored_total') >= storedBefore + N ? t : null;
    }, 10000);
    const lines = text.split('\n').length;
    assert.ok(lines < 60000, `/metrics has ${lines} lines`);
    assert.match(text, /switchyard_requests_total\{provider="sim",model="other",status="200"\} \d+/);
    assert.match(text, /model="sim\/random-0~len=1"/, 'the first ids keep their own label');
  });
});

// SIGTERM: requests in flight get the drain time; a stream still running after it ends with an
// error event (never just stops), and its record is stored before the gateway exits.
describe('shutdown with a stream still running', () => {
  const KEY = 'sk-admin-shutdown-0001';
  let sim;
  before(async () => { sim = await startSim(); });
  after(async () => { await sim?.stop(); });

  it('ends the stream with an error event after timeouts.drain_ms and keeps its record', async () => {
    const yaml = simConfig(`admin_key: ${KEY}\ntimeouts: {drain_ms: 300}\n`);
    const gw = await startGateway(yaml, sim);
    const r = await postJson(`${gw.url}/v1/chat/completions`,
      { model: 'sim/lorem~len=5000~delay=20', stream: true, messages: user('x') });
    assert.equal(r.status, 200);
    const id = r.headers.get('x-switchyard-request-id');
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('data: ')) text += decoder.decode((await reader.read()).value);
    const exited = gw.stop();  // SIGTERM while the stream has minutes to go
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    assert.equal(await exited, 0, gw.output());
    const events = text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
    assert.notEqual(events.at(-1), '[DONE]');
    assert.match(JSON.parse(events.at(-1)).error.message, /shutting down/);

    const again = await startGateway(yaml, sim, gw.dir);  // the same records
    try {
      const found = await fetch(`${again.url}/v1/generation?id=${id}`, { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(found.status, 200);
      const record = (await found.json()).data;
      assert.match(record.error, /shutting down/);
      assert.equal(record.streamed, true);
    } finally {
      await again.stop();
    }
  });
});
