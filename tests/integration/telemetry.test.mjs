// OpenTelemetry traces over OTLP/HTTP JSON (docs/observability.md, src/telemetry/otlp_json.h): a
// collector stub receives the spans; an OpenAI-compatible upstream stub keeps the headers it was
// sent, so the traceparent each attempt carries can be matched to that attempt's span.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startSim, startGateway, postJson, freePort, until } from './harness.mjs';

const user = (content) => [{ role: 'user', content }];
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const port = server.address().port;
  return { server, port, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

// An OTLP/HTTP collector: keeps each POSTed JSON body, answers 200 {}.
async function startCollector() {
  const posts = [];
  const s = await listen(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    posts.push({ method: req.method, path: req.url, type: req.headers['content-type'], body: JSON.parse(text) });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  const spans = () => posts.flatMap((p) => p.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
  return { ...s, url: `http://127.0.0.1:${s.port}`, posts, spans };
}

// An OpenAI-compatible provider that keeps every request's headers and body. Model `fail-503`
// answers 503; any other a chat completion of 7 + 3 tokens.
async function startUpstream() {
  const seen = [];
  const s = await listen(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text);
    seen.push({ path: req.url, headers: req.headers, body });
    if (body.model === 'fail-503') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'the stub is overloaded', type: 'server_error', code: null, param: null } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      id: 'chatcmpl-stub', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'stub answer', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    }));
  });
  // The upstream request that carried `marker` as its last message, for upstream model `model`.
  const find = (marker, model) => seen.filter((r) => r.body.model === model && r.body.messages?.at(-1)?.content === marker);
  return { ...s, url: `http://127.0.0.1:${s.port}/v1`, seen, find };
}

const gatewayYaml = (upstream, telemetry) => `
${telemetry ? `telemetry: ${telemetry}\n` : ''}circuit_breaker: {failures: 0}
providers:
  u: {type: openai, base_url: '${upstream.url}', api_key: k}
  sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
models:
  t/rescued:
    routes: [{provider: u, model: fail-503}, {provider: u, model: good}]
  t/plain:
    routes: [{provider: u, model: good}]
  t/stream:
    routes: [{provider: sim, model: 'lorem~len=4'}]
`;

const attr = (span, key) => span.attributes.find((a) => a.key === key)?.value;
const text = (span, key) => attr(span, key)?.stringValue;
const int = (span, key) => { const v = attr(span, key)?.intValue; return v === undefined ? undefined : String(v); };
const noParent = (span) => span.parentSpanId === undefined || span.parentSpanId === '';
const metric = async (gw, name) => {
  const line = (await (await fetch(`${gw.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

describe('OpenTelemetry traces (sample_ratio 1)', () => {
  let sim, upstream, collector, gw;
  const TRACE = hex(32), PARENT = hex(16);
  const requests = {};  // name -> {id, t0, t1, body}
  const chat = async (name, body, headers = {}) => {
    const t0 = Date.now();
    const r = await postJson(`${gw.url}/v1/chat/completions`, body, headers);
    const raw = await r.text();
    requests[name] = { id: r.headers.get('x-switchyard-request-id'), status: r.status, raw, t0, t1: Date.now() };
    assert.equal(r.status, 200, raw);
    return requests[name];
  };
  const serverSpan = (name) => collector.spans().find((s) => s.kind === 2 && text(s, 'switchyard.request_id') === requests[name].id);
  const attemptSpans = (server) => collector.spans().filter((s) => s.kind === 3 && s.parentSpanId === server.spanId);

  before(async () => {
    sim = await startSim();
    upstream = await startUpstream();
    collector = await startCollector();
    gw = await startGateway(gatewayYaml(upstream, `{otlp_endpoint: '${collector.url}', protocol: http/json, sample_ratio: 1.0}`), sim);
    await chat('rescued', { model: 't/rescued', messages: user('rescue me') }, { traceparent: `00-${TRACE}-${PARENT}-01` });
    await chat('plain', { model: 't/plain', messages: user('plain') });
    await chat('stream', { model: 't/stream', stream: true, stream_options: { include_usage: true }, messages: user('stream') });
    await until(() => {
      const done = ['rescued', 'plain', 'stream'].every((name) => serverSpan(name) && attemptSpans(serverSpan(name)).length >= 1);
      return done && attemptSpans(serverSpan('rescued')).length === 2 ? true : undefined;
    }, 'the spans of 3 requests at the collector', 10000, 50);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
    await upstream?.close();
    await collector?.close();
  });

  it('posts OTLP/JSON to /v1/traces with service.name switchyard', () => {
    for (const post of collector.posts) {
      assert.equal(post.method, 'POST');
      assert.equal(post.path, '/v1/traces');
      assert.match(post.type ?? '', /^application\/json/);
    }
    const resource = collector.posts[0].body.resourceSpans[0].resource;
    assert.equal(resource.attributes.find((a) => a.key === 'service.name')?.value?.stringValue, 'switchyard');
  });

  it("continues the client's trace: a SERVER span under the client's span, a CLIENT span per attempt", () => {
    const server = serverSpan('rescued');
    assert.equal(server.traceId, TRACE);
    assert.equal(server.parentSpanId, PARENT);
    assert.match(server.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(server.spanId, PARENT);
    assert.equal(server.name, 'chat t/rescued');
    assert.equal(text(server, 'gen_ai.operation.name'), 'chat');
    assert.equal(text(server, 'gen_ai.request.model'), 't/rescued');
    assert.equal(text(server, 'gen_ai.response.model'), 'good');
    assert.equal(text(server, 'gen_ai.provider.name'), 'openai');
    assert.equal(int(server, 'gen_ai.usage.input_tokens'), '7');
    assert.equal(int(server, 'gen_ai.usage.output_tokens'), '3');
    assert.deepEqual(attr(server, 'gen_ai.response.finish_reasons'), { arrayValue: { values: [{ stringValue: 'stop' }] } });
    assert.equal(int(server, 'http.response.status_code'), '200');
    assert.equal(text(server, 'switchyard.provider'), 'u');
    assert.equal(text(server, 'switchyard.model_id'), 't/rescued');
    assert.equal(attr(server, 'error.type'), undefined);
    assert.equal(server.status?.code, 1);

    const attempts = attemptSpans(server);
    assert.equal(attempts.length, 2);
    const failed = attempts.find((s) => text(s, 'gen_ai.request.model') === 'fail-503');
    const served = attempts.find((s) => text(s, 'gen_ai.request.model') === 'good');
    assert.ok(failed && served, JSON.stringify(attempts));
    for (const span of attempts) {
      assert.equal(span.traceId, TRACE);
      assert.match(span.spanId, /^[0-9a-f]{16}$/);
      assert.equal(text(span, 'gen_ai.operation.name'), 'chat');
      assert.equal(text(span, 'gen_ai.provider.name'), 'openai');
      assert.equal(text(span, 'switchyard.provider'), 'u');
    }
    assert.equal(new Set([server.spanId, failed.spanId, served.spanId]).size, 3, 'span ids repeat');
    assert.equal(failed.name, 'chat fail-503');
    assert.equal(text(failed, 'error.type'), '503');
    assert.equal(int(failed, 'http.response.status_code'), '503');
    assert.equal(failed.status?.code, 2);
    assert.equal(served.status?.code, 1);
    assert.equal(attr(served, 'error.type'), undefined);
    assert.equal(int(served, 'http.response.status_code'), '200');
    assert.ok(BigInt(failed.startTimeUnixNano) <= BigInt(served.startTimeUnixNano), 'the failed attempt came first');
  });

  it("sends each attempt a traceparent naming that attempt's span", () => {
    const attempts = attemptSpans(serverSpan('rescued'));
    for (const model of ['fail-503', 'good']) {
      const got = upstream.find('rescue me', model);
      assert.equal(got.length, 1, `${model}: ${got.length} upstream requests`);
      const span = attempts.find((s) => text(s, 'gen_ai.request.model') === model);
      assert.equal(got[0].headers.traceparent, `00-${TRACE}-${span.spanId}-01`, model);
    }
  });

  it('starts a new trace for a request without traceparent', () => {
    const server = serverSpan('plain');
    assert.match(server.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(server.traceId, '0'.repeat(32));
    assert.notEqual(server.traceId, TRACE);
    assert.ok(noParent(server), `parentSpanId ${server.parentSpanId}`);
    assert.equal(server.name, 'chat t/plain');
    const [attempt] = attemptSpans(server);
    assert.equal(attempt.traceId, server.traceId);
    const [got] = upstream.find('plain', 'good');
    assert.equal(got.headers.traceparent, `00-${server.traceId}-${attempt.spanId}-01`);
  });

  it('traces a streamed request with its usage and finish reason', () => {
    const chunks = requests.stream.raw.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)));
    const usage = chunks.at(-1).usage;
    const finish = chunks.map((c) => c.choices?.[0]?.finish_reason).filter(Boolean).at(-1);
    const server = serverSpan('stream');
    assert.equal(text(server, 'gen_ai.request.model'), 't/stream');
    assert.equal(text(server, 'gen_ai.response.model'), 'lorem~len=4');
    assert.equal(text(server, 'gen_ai.provider.name'), 'openai');
    assert.equal(int(server, 'gen_ai.usage.input_tokens'), String(usage.prompt_tokens));
    assert.equal(int(server, 'gen_ai.usage.output_tokens'), String(usage.completion_tokens));
    assert.deepEqual(attr(server, 'gen_ai.response.finish_reasons'), { arrayValue: { values: [{ stringValue: finish }] } });
    assert.equal(attemptSpans(server).length, 1);
  });

  it('gives every span its times as strings of digits, start before end, within the request', () => {
    for (const name of ['rescued', 'plain', 'stream']) {
      const server = serverSpan(name);
      for (const span of [server, ...attemptSpans(server)]) {
        assert.match(span.startTimeUnixNano, /^\d+$/, name);
        assert.match(span.endTimeUnixNano, /^\d+$/, name);
        assert.ok(BigInt(span.startTimeUnixNano) <= BigInt(span.endTimeUnixNano), `${name}: ${span.name} ends before it starts`);
      }
      const startMs = Number(BigInt(server.startTimeUnixNano) / 1000000n), endMs = Number(BigInt(server.endTimeUnixNano) / 1000000n);
      assert.ok(startMs >= requests[name].t0 - 1 && endMs <= requests[name].t1 + 1, `${name}: ${startMs}..${endMs} outside ${requests[name].t0}..${requests[name].t1}`);
    }
  });

  it('counts exported spans in /metrics', async () => {
    const exported = await until(async () => {
      const n = await metric(gw, 'switchyard_otel_spans_exported_total');
      return n === collector.spans().length ? n : undefined;
    }, 'switchyard_otel_spans_exported_total to count what the collector got', 15000, 50);
    assert.ok(exported >= 7, `${exported} spans`);  // 3 requests: 3 + 4 attempts
    assert.equal(await metric(gw, 'switchyard_otel_spans_failed_total'), 0);
    assert.equal(await metric(gw, 'switchyard_otel_spans_dropped_total'), 0);
    const before = exported;
    await chat('more', { model: 't/plain', messages: user('more') });
    await until(async () => ((await metric(gw, 'switchyard_otel_spans_exported_total')) === before + 2 ? true : undefined),
      'the exported count to grow by a request and its attempt', 10000, 50);
  });
});

describe('OpenTelemetry traces: sampling, a collector that is down, telemetry off', () => {
  let sim, upstream;
  before(async () => {
    sim = await startSim();
    upstream = await startUpstream();
  });
  after(async () => {
    await sim?.stop();
    await upstream?.close();
  });

  it('with sample_ratio 0 exports no unsampled trace, yet passes the trace upstream; a sampled parent is exported', async () => {
    const collector = await startCollector();
    const gw = await startGateway(gatewayYaml(upstream, `{otlp_endpoint: '${collector.url}', protocol: http/json, sample_ratio: 0}`), sim);
    try {
      const UNSAMPLED = hex(32), SAMPLED = hex(32);
      const send = async (content, traceparent) => {
        const r = await postJson(`${gw.url}/v1/chat/completions`, { model: 't/plain', messages: user(content) }, traceparent ? { traceparent } : {});
        assert.equal(r.status, 200);
        return r.headers.get('x-switchyard-request-id');
      };
      await send('unsampled parent', `00-${UNSAMPLED}-${hex(16)}-00`);
      await send('no parent');
      const sampledId = await send('sampled parent', `00-${SAMPLED}-${hex(16)}-01`);

      const [unsampled] = upstream.find('unsampled parent', 'good');
      assert.match(unsampled.headers.traceparent, new RegExp(`^00-${UNSAMPLED}-[0-9a-f]{16}-00$`));
      const [fresh] = upstream.find('no parent', 'good');
      assert.match(fresh.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      const freshTrace = fresh.headers.traceparent.split('-')[1];
      assert.notEqual(freshTrace, '0'.repeat(32));

      // The sampled request was finished last: once its spans are in, the others would be too.
      await until(() => (collector.spans().some((s) => text(s, 'switchyard.request_id') === sampledId) ? true : undefined),
        'the sampled request\'s spans', 10000, 50);
      const traces = new Set(collector.spans().map((s) => s.traceId));
      assert.deepEqual([...traces], [SAMPLED]);
      const [sampled] = upstream.find('sampled parent', 'good');
      const attempt = collector.spans().find((s) => s.kind === 3);
      assert.equal(sampled.headers.traceparent, `00-${SAMPLED}-${attempt.spanId}-01`);
      await until(async () => ((await metric(gw, 'switchyard_otel_spans_exported_total')) === 2 ? true : undefined),
        'exported spans: the sampled request and its attempt', 15000, 50);
    } finally {
      await gw.stop();
      await collector.close();
    }
  });

  it('serves while the collector is down, and counts the spans that could not be exported', async () => {
    const closed = await freePort();
    const gw = await startGateway(gatewayYaml(upstream, `{otlp_endpoint: 'http://127.0.0.1:${closed}', protocol: http/json, sample_ratio: 1.0}`), sim);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await postJson(`${gw.url}/v1/chat/completions`, { model: 't/rescued', messages: user(`down ${i}`) });
        assert.equal(r.status, 200);
        assert.equal((await r.json()).choices[0].message.content, 'stub answer');
      }
      const lost = await until(async () => {
        const n = (await metric(gw, 'switchyard_otel_spans_failed_total')) + (await metric(gw, 'switchyard_otel_spans_dropped_total'));
        return n >= 9 ? n : undefined;  // 3 requests, each with 2 attempts
      }, 'failed spans counted', 15000, 100);
      assert.equal(lost, 9);
      assert.equal(await metric(gw, 'switchyard_otel_spans_exported_total'), 0);
      const r = await postJson(`${gw.url}/v1/chat/completions`, { model: 't/plain', messages: user('still serving') });
      assert.equal(r.status, 200);
    } finally {
      await gw.stop();
    }
  });

  it("with telemetry off passes a client's traceparent upstream unchanged", async () => {
    const gw = await startGateway(gatewayYaml(upstream, ''), sim);
    try {
      const traceparent = `00-${hex(32)}-${hex(16)}-01`;
      const r = await postJson(`${gw.url}/v1/chat/completions`, { model: 't/plain', messages: user('telemetry off') }, { traceparent });
      assert.equal(r.status, 200);
      assert.equal(upstream.find('telemetry off', 'good')[0].headers.traceparent, traceparent);
    } finally {
      await gw.stop();
    }
  });
});
