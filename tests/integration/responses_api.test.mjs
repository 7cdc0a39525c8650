// The OpenAI Responses API (POST /v1/responses) through the gateway, driven by the SDKs that
// speak it (openai, @openai/agents, @ai-sdk/openai, LangChain) against four kinds of provider:
// an OpenAI-compatible chat host (translated to chat), a host that serves Responses itself
// (`responses_api: true`, passed through as bytes), Anthropic and Gemini (both translated).
// Every answer and every stream event the SDKs receive is checked against the Open Responses
// OpenAPI schema (vendored in schemas/openresponses-openapi.json).
import { describe, it, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { Agent, Runner, run, tool, OpenAIProvider, setDefaultOpenAIClient, setTracingDisabled, getDefaultModel } from '@openai/agents';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, generateObject, tool as aiTool, stepCountIs } from 'ai';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { startSim, startGateway, postJson } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// The four provider kinds, by provider name in the config below.
const KINDS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const translated = (kind) => kind !== 'openai-responses';
// The Agents SDK's default model (gpt-5.6-luna in @openai/agents 0.20; OPENAI_DEFAULT_MODEL
// overrides it, and getDefaultModel() follows): a gateway model of that id serves agents that name
// no model. It goes to the Responses host; a rule sends it to another kind by request header.
const DEFAULT_MODEL = getDefaultModel();

const config = `
providers:
  openai-chat: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  openai-responses: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k, responses_api: true}
  anthropic: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  gemini: {type: gemini, base_url: 'SIM_URL/gemini', api_key: k}
models:
  '${DEFAULT_MODEL}':
    routes: [{provider: openai-responses, model: echo}]
${KINDS.map((kind) => `  priced/${kind}:
    routes: [{provider: ${kind}, model: echo}]
    price: {input: 2.0, output: 8.0}`).join('\n')}
rules:
${KINDS.filter(translated).map((kind) => `  - {if: {model: '${DEFAULT_MODEL}', header: {x-provider-kind: ${kind}}}, then: ${kind}/echo}`).join('\n')}
`;

// --- The Open Responses schema -------------------------------------------------------------------

const spec = JSON.parse(readFileSync(join(here, 'schemas/openresponses-openapi.json'), 'utf8'));
// The vendored spec says a json_schema text format's `schema` must be null ({"type": "null"}), which
// no answer echoing a real schema can meet; openresponses/openresponses has since fixed it to
// "object or null" (schema/components/schemas/JsonSchemaResponseFormat.json). Apply that fix only
// while the copy still has the mistake.
const jsonSchemaFormat = spec.components.schemas.JsonSchemaResponseFormat.properties;
if (jsonSchemaFormat.schema?.type === 'null') jsonSchemaFormat.schema = { anyOf: [{ type: 'object' }, { type: 'null' }] };
// OpenAPI 3.1 schemas are JSON Schema 2020-12. `discriminator` and `example` are annotations here
// (strict: false); every oneOf still has to match exactly one member.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ ...spec, $id: 'oresp' });
const validator = (name) => ajv.getSchema(`oresp#/components/schemas/${name}`);
// Each streaming event schema, by the `type` it fixes.
const eventSchemas = new Map(Object.entries(spec.components.schemas)
  .filter(([name]) => name.endsWith('StreamingEvent'))
  .map(([name, schema]) => [schema.properties.type.enum[0], name]));
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

// Violations of `name` by `value`, as readable strings (none: []).
function violations(name, value, where = name) {
  const validate = validator(name);
  return validate(value) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
}

// An SSE body as [{name, data}] with data parsed.
function parseEvents(text) {
  return text.split(/\r?\n\r?\n/).filter((block) => block.trim()).map((block) => {
    const lines = block.split(/\r?\n/);
    const name = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
    const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
    return { name, data: JSON.parse(data) };
  });
}

// What a Responses event stream must be: every event valid for the schema of its type and named
// by it, sequence numbers strictly increasing, response.created first, one terminal event, last
// (a failure may end with response.failed and then an `error` event, which the SDKs raise).
function streamViolations(events) {
  const found = [];
  events.forEach(({ name, data }, i) => {
    const where = `event ${i} (${data.type})`;
    const schema = eventSchemas.get(data.type);
    if (!schema) found.push(`${where}: no Open Responses event has this type`);
    else found.push(...violations(schema, data, where));
    if (name !== undefined && name !== data.type) found.push(`${where}: named '${name}' in the SSE event line`);
    if (i > 0 && !(data.sequence_number > events[i - 1].data.sequence_number)) found.push(`${where}: sequence_number does not increase`);
    const last = i === events.length - 1 ||
      (i === events.length - 2 && data.type === 'response.failed' && events[i + 1].data.type === 'error');
    if (TERMINAL.has(data.type) !== last) found.push(`${where}: ${TERMINAL.has(data.type) ? 'terminal event before the end' : 'the stream ends without a terminal event'}`);
  });
  if (events[0]?.data.type !== 'response.created') found.push('the stream does not begin with response.created');
  return found;
}

// A fetch for SDKs that checks, on the side, every /v1/responses answer they get: bodies against
// ResponseResource (errors against OpenAI's error shape), streams event by event. `verify()` waits
// for the checks, asserts there was no violation and returns the exchanges since the last call.
function checkedWire() {
  let pending = [], found = [], exchanges = [];
  async function check(response, exchange) {
    const text = await response.text();
    if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      exchange.events = parseEvents(text).map((e) => e.data);
      found.push(...streamViolations(parseEvents(text)));
    } else if (response.ok) {
      exchange.body = JSON.parse(text);
      found.push(...violations('ResponseResource', exchange.body));
    } else {
      exchange.body = JSON.parse(text);
      const error = exchange.body.error;
      if (!error || typeof error.message !== 'string' || typeof error.type !== 'string' || !('param' in error) || !('code' in error))
        found.push(`HTTP ${response.status}: not OpenAI's error shape: ${text}`);
    }
  }
  return {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.endsWith('/v1/responses')) {
        const exchange = {
          status: response.status,
          id: response.headers.get('x-request-id'),
          provider: response.headers.get('x-switchyard-provider'),
          request: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
        };
        exchanges.push(exchange);
        pending.push(check(response.clone(), exchange));
      }
      return response;
    },
    // The violations so far (and the exchanges), without asserting.
    async drain() {
      await Promise.all(pending);
      const result = { found, exchanges };
      pending = [];
      found = [];
      exchanges = [];
      return result;
    },
    async verify() {
      const { found: seen, exchanges: done } = await this.drain();
      assert.deepEqual(seen, [], 'every answer and event matches the Open Responses schema');
      assert.ok(done.length > 0, 'the SDK called POST /v1/responses');
      return done;
    },
  };
}

// --- Fixtures ------------------------------------------------------------------------------------

const weatherParameters = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
};
const weatherTool = { type: 'function', name: 'get_weather', description: 'Current weather for a city', parameters: weatherParameters, strict: true };
const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, temp: { type: 'number' } },
  required: ['city', 'temp'],
  additionalProperties: false,
};
const Weather = z.object({ city: z.string(), temp: z.number() });
const weatherJson = JSON.stringify({ city: 'Oslo', temp: 4 });
// The simulator's `lorem` answer, token by token.
const LOREM = ['The', ' gateway', ' routes', ' every', ' request', ' to', ' a', ' healthy'];
const textOf = (response) => response.output.filter((i) => i.type === 'message')
  .flatMap((i) => i.content).filter((c) => c.type === 'output_text').map((c) => c.text).join('');

describe('OpenAI Responses API /v1/responses', () => {
  let sim, gw;
  // The stored record of a generation id, polled for until the writer has stored it.
  async function record(id) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const r = await fetch(`${gw.url}/v1/generation?id=${id}`);
      if (r.status === 200) return (await r.json()).data;
      assert.equal(r.status, 404, `GET /v1/generation: ${r.status}`);
      assert.ok(Date.now() < deadline, `no record of ${id} within 5 s`);
      await new Promise((ok) => setTimeout(ok, 25));
    }
  }
  // A raw POST /v1/responses, read whole: {status, headers, body} or {status, headers, events}.
  async function respond(body) {
    const r = await postJson(`${gw.url}/v1/responses`, body);
    const text = await r.text();
    const isStream = (r.headers.get('content-type') ?? '').startsWith('text/event-stream');
    return { status: r.status, headers: r.headers, ...(isStream ? { events: parseEvents(text) } : { body: JSON.parse(text) }) };
  }

  before(async () => {
    sim = await startSim();
    gw = await startGateway(config, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  describe('openai SDK: client.responses', () => {
    const wire = checkedWire();
    beforeEach(() => wire.drain());  // exchanges a failed test left unchecked are not the next test's
    let client;
    before(() => {
      client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused-without-auth', maxRetries: 0, fetch: wire.fetch });
    });

    for (const kind of KINDS) {
      describe(kind, () => {
        it('answers with output_text, usage and the generation id as response id', async () => {
          const { data, response } = await client.responses.create({
            model: `${kind}/echo`, instructions: 'Repeat the user.', input: 'hello from the responses api',
          }).withResponse();
          assert.equal(data.object, 'response');
          assert.equal(data.status, 'completed');
          assert.equal(data.output_text, 'hello from the responses api');
          assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0, JSON.stringify(data.usage));
          assert.equal(data.usage.total_tokens, data.usage.input_tokens + data.usage.output_tokens);
          assert.match(data.id, /^gen_[0-9A-HJKMNP-TV-Z]{26}$/);
          assert.equal(data.id, response.headers.get('x-request-id'));
          assert.equal(response.headers.get('x-switchyard-provider'), kind);
          await wire.verify();
          const stored = await record(data.id);
          assert.equal(stored.endpoint, '/v1/responses');
          assert.equal(stored.provider_name, kind);
          assert.equal(stored.streamed, false);
          assert.deepEqual([stored.native_tokens_prompt, stored.native_tokens_completion], [data.usage.input_tokens, data.usage.output_tokens]);
        });

        it('streams events in order whose text deltas make the final text', async () => {
          const stream = await client.responses.create({ model: `${kind}/lorem~len=8`, input: 'go', stream: true });
          const events = [];
          for await (const event of stream) events.push(event);
          const numbers = events.map((e) => e.sequence_number);
          numbers.forEach((n, i) => assert.ok(i === 0 || n > numbers[i - 1], `sequence numbers ${numbers}`));
          assert.equal(events[0].type, 'response.created');
          assert.equal(events.at(-1).type, 'response.completed');
          const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
          assert.deepEqual(deltas, LOREM);
          const final = events.at(-1).response;
          assert.equal(textOf(final), LOREM.join(''));
          assert.equal(final.usage.output_tokens, LOREM.length);
          assert.equal(final.id, events[0].response.id);
          const [exchange] = await wire.verify();
          assert.equal(final.id, exchange.id);
        });

        it('calls a function tool and answers its output on the next turn', async () => {
          const input = [{ role: 'user', content: 'What is the weather in Oslo? [call]' }];
          const first = await client.responses.create({ model: `${kind}/echo`, input, tools: [weatherTool] });
          const call = first.output.find((item) => item.type === 'function_call');
          assert.ok(call, JSON.stringify(first.output));
          assert.equal(call.name, 'get_weather');
          assert.deepEqual(JSON.parse(call.arguments), { city: 'sim' });
          const second = await client.responses.create({
            model: `${kind}/echo`, tools: [weatherTool],
            input: [...input, ...first.output, { type: 'function_call_output', call_id: call.call_id, output: '4 degrees and sleet' }],
          });
          assert.match(second.output_text, /^Tool result: .*4 degrees and sleet/);
          await wire.verify();
        });

        it('continues a conversation from the output items of the last answer', async () => {
          const input = [{ role: 'user', content: 'first question' }];
          const first = await client.responses.create({ model: `${kind}/echo`, input });
          const second = await client.responses.create({
            model: `${kind}/echo`, input: [...input, ...first.output, { role: 'user', content: [{ type: 'input_text', text: 'second question' }] }],
          });
          assert.equal(first.output_text, 'first question');
          assert.equal(second.output_text, 'second question');
          assert.ok(second.usage.input_tokens > first.usage.input_tokens, 'the earlier turns went upstream too');
          await wire.verify();
        });

        it('streams a function call whose argument deltas make its arguments', async () => {
          const stream = client.responses.stream({ model: `${kind}/echo`, input: 'weather? [call]', tools: [weatherTool] });
          let args = '';
          stream.on('response.function_call_arguments.delta', (e) => { args += e.delta; });
          const final = await stream.finalResponse();
          const call = final.output.find((item) => item.type === 'function_call');
          assert.equal(call.name, 'get_weather');
          assert.equal(args, call.arguments);
          assert.deepEqual(JSON.parse(call.arguments), { city: 'sim' });
          await wire.verify();
        });

        it('answers in a json_schema text format', async () => {
          const response = await client.responses.create({
            model: `${kind}/echo`, input: weatherJson,
            text: { format: { type: 'json_schema', name: 'weather', description: 'A city and its temperature', strict: true, schema: weatherSchema } },
          });
          assert.deepEqual(JSON.parse(response.output_text), { city: 'Oslo', temp: 4 });
          await wire.verify();
        });

        it('parses a zodTextFormat answer with responses.parse', async () => {
          const response = await client.responses.parse({
            model: `${kind}/echo`, input: weatherJson,
            text: { format: zodTextFormat(Weather, 'weather', { description: 'A city and its temperature' }) },
          });
          assert.deepEqual(response.output_parsed, { city: 'Oslo', temp: 4 });
          await wire.verify();
        });

        it('prices the answer in usage.cost, plain and streamed, as the record does', async () => {
          const expected = (usage) => (usage.input_tokens * 2.0 + usage.output_tokens * 8.0) / 1e6;
          const plain = await client.responses.create({ model: `priced/${kind}`, input: 'what does this cost?' });
          assert.ok(Math.abs(plain.usage.cost - expected(plain.usage)) < 1e-12, JSON.stringify(plain.usage));
          const stream = await client.responses.create({ model: `priced/${kind}`, input: 'and streamed?', stream: true });
          let done;
          for await (const event of stream) if (event.type === 'response.completed') done = event.response;
          assert.ok(Math.abs(done.usage.cost - expected(done.usage)) < 1e-12, JSON.stringify(done.usage));
          await wire.verify();
          for (const answer of [plain, done]) {
            const stored = await record(answer.id);
            assert.ok(Math.abs(stored.total_cost - answer.usage.cost) < 1e-12, `${stored.total_cost} vs ${answer.usage.cost}`);
          }
          assert.equal((await record(done.id)).streamed, true);
        });

        it('raises BadRequestError naming `input` when it is missing', async () => {
          await assert.rejects(client.responses.create({ model: `${kind}/echo` }), (e) =>
            e instanceof OpenAI.BadRequestError && e.status === 400 && e.type === 'invalid_request_error' && e.param === 'input');
          await wire.verify();
        });
      });
    }

    it('passes reasoning items through from a Responses host, plain and streamed', async () => {
      const reasoning = { effort: 'low', summary: 'auto' };
      const plain = await client.responses.create({ model: 'openai-responses/echo', input: 'think first', reasoning });
      assert.deepEqual(plain.output.map((i) => i.type), ['reasoning', 'message']);
      assert.ok(plain.usage.output_tokens_details.reasoning_tokens > 0);
      const stream = await client.responses.create({ model: 'openai-responses/echo', input: 'think first', reasoning, stream: true });
      const types = [];
      for await (const event of stream) types.push(event.type);
      assert.ok(types.includes('response.reasoning_summary_text.delta'), types.join(' '));
      await wire.verify();
    });

    it('raises NotFoundError for an unknown model', async () => {
      await assert.rejects(client.responses.create({ model: 'nobody/knows', input: 'x' }), (e) =>
        e instanceof OpenAI.NotFoundError && e.code === 'model_not_found' && e.param === 'model');
      await wire.verify();
    });
  });

  describe('@openai/agents', () => {
    const wire = checkedWire();
    beforeEach(() => wire.drain());  // exchanges a failed test left unchecked are not the next test's
    // A runner whose model provider talks to the gateway with the header that picks `kind` for
    // the default model (none for the Responses host, which serves it by default).
    const runners = {};
    before(() => {
      setTracingDisabled(true);
      setDefaultOpenAIClient(new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused-without-auth', maxRetries: 0, fetch: wire.fetch }));
      for (const kind of KINDS) {
        const openAIClient = new OpenAI({
          baseURL: `${gw.url}/v1`, apiKey: 'unused-without-auth', maxRetries: 0, fetch: wire.fetch,
          defaultHeaders: translated(kind) ? { 'x-provider-kind': kind } : {},
        });
        runners[kind] = new Runner({ modelProvider: new OpenAIProvider({ openAIClient, useResponses: true }) });
      }
    });
    const weatherAgent = (onCall) => new Agent({
      name: 'Weather',
      instructions: 'Answer weather questions with the get_weather tool.',
      tools: [tool({
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => {
          onCall(city);
          return `sunny in ${city}`;
        },
      })],
    });

    it(`run() with setDefaultOpenAIClient asks for the SDK's default model (${DEFAULT_MODEL})`, async () => {
      const result = await run(new Agent({ name: 'Echo', instructions: 'Repeat the user.' }), 'hello agents');
      assert.equal(result.finalOutput, 'hello agents');
      const [exchange] = await wire.verify();
      assert.equal(exchange.request.model, DEFAULT_MODEL);
      assert.equal(exchange.provider, 'openai-responses');
      const stored = await record(exchange.id);
      assert.deepEqual([stored.model_requested, stored.endpoint], [DEFAULT_MODEL, '/v1/responses']);
    });

    for (const kind of KINDS) {
      describe(kind, () => {
        it('runs a tool and answers with its result', async () => {
          let called;
          const result = await runners[kind].run(weatherAgent((city) => { called = city; }), 'Weather in Oslo? [call]');
          assert.equal(called, 'sim');
          assert.match(result.finalOutput, /^Tool result: .*sunny in sim/);
          const exchanges = await wire.verify();
          assert.deepEqual(exchanges.map((e) => [e.request.model, e.provider]), [[DEFAULT_MODEL, kind], [DEFAULT_MODEL, kind]]);
          assert.ok(exchanges[1].request.input.some((item) => item.type === 'function_call_output'));
        });

        it('streams a run to its final output', async () => {
          let called;
          const result = await runners[kind].run(weatherAgent((city) => { called = city; }), 'Weather in Oslo? [call]', { stream: true });
          let textDeltas = 0;
          for await (const event of result) {
            if (event.type === 'raw_model_stream_event' && event.data.type === 'output_text_delta') textDeltas++;
          }
          await result.completed;
          assert.equal(called, 'sim');
          assert.ok(textDeltas > 0);
          assert.match(result.finalOutput, /^Tool result: .*sunny in sim/);
          const exchanges = await wire.verify();
          assert.ok(exchanges.every((e) => e.request.stream === true && e.events.at(-1).type === 'response.completed'));
        });

        // The answers are checked in the next test, so that a schema mismatch of a known gateway
        // bug does not hide whether the structured output itself works.
        let structuredAnswers;
        it('gives structured output for a zod outputType', async () => {
          const agent = new Agent({ name: 'Structured', instructions: 'Answer in JSON.', outputType: Weather });
          const result = await runners[kind].run(agent, weatherJson);
          assert.deepEqual(result.finalOutput, { city: 'Oslo', temp: 4 });
          structuredAnswers = await wire.drain();
          assert.equal(structuredAnswers.exchanges.length, 1);
        });

        it('gives structured output in answers that match the schema', () => {
          assert.deepEqual(structuredAnswers.found, []);
        });
      });
    }
  });

  describe('@ai-sdk/openai (the Responses API by default)', () => {
    const wire = checkedWire();
    beforeEach(() => wire.drain());  // exchanges a failed test left unchecked are not the next test's
    let openai;
    before(() => {
      openai = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused-without-auth', fetch: wire.fetch });
    });

    for (const kind of KINDS) {
      describe(kind, () => {
        it('generateText answers with usage', async () => {
          const result = await generateText({ model: openai(`${kind}/echo`), prompt: 'hello from vercel' });
          assert.equal(result.text, 'hello from vercel');
          assert.equal(result.finishReason, 'stop');
          assert.ok(result.usage.inputTokens > 0 && result.usage.outputTokens > 0);
          const [exchange] = await wire.verify();
          assert.equal(result.response.id, exchange.id);
        });

        it('streamText streams the text with usage', async () => {
          const result = streamText({ model: openai(`${kind}/lorem~len=8`), prompt: 'go' });
          const parts = [];
          for await (const part of result.textStream) parts.push(part);
          assert.equal(parts.join(''), LOREM.join(''));
          assert.equal((await result.usage).outputTokens, LOREM.length);
          assert.equal(await result.finishReason, 'stop');
          await wire.verify();
        });

        it('generateObject answers an object that fits the schema', async () => {
          const result = await generateObject({
            model: openai(`${kind}/echo`), schema: Weather, schemaName: 'weather', schemaDescription: 'A city and its temperature',
            prompt: weatherJson,
          });
          assert.deepEqual(result.object, { city: 'Oslo', temp: 4 });
          const [exchange] = await wire.verify();
          assert.equal(exchange.request.text.format.type, 'json_schema');
        });

        it('generateText runs a tool loop to the tool result', async () => {
          let called;
          const result = await generateText({
            model: openai(`${kind}/echo`),
            tools: {
              get_weather: aiTool({
                description: 'Current weather for a city',
                inputSchema: z.object({ city: z.string() }),
                execute: async ({ city }) => {
                  called = city;
                  return `sunny in ${city}`;
                },
              }),
            },
            stopWhen: stepCountIs(3),
            prompt: 'Weather in Oslo? [call]',
          });
          assert.equal(called, 'sim');
          assert.equal(result.steps.length, 2);
          assert.equal(result.steps[0].finishReason, 'tool-calls');
          assert.match(result.text, /^Tool result: .*sunny in sim/);
          await wire.verify();
        });
      });
    }
  });

  describe('LangChain ChatOpenAI with useResponsesApi', () => {
    const wire = checkedWire();
    beforeEach(() => wire.drain());  // exchanges a failed test left unchecked are not the next test's
    const model = (kind) => new ChatOpenAI({
      model: `${kind}/echo`, useResponsesApi: true, apiKey: 'unused-without-auth', maxRetries: 0,
      configuration: { baseURL: `${gw.url}/v1`, fetch: wire.fetch },
    });

    for (const kind of KINDS) {
      describe(kind, () => {
        it('invokes', async () => {
          const message = await model(kind).invoke('hello from langchain');
          assert.equal(message.text, 'hello from langchain');
          assert.ok(message.usage_metadata.input_tokens > 0 && message.usage_metadata.output_tokens > 0);
          const [exchange] = await wire.verify();
          assert.equal(message.id, exchange.id);
        });

        it('streams', async () => {
          let text = '';
          let usage;
          for await (const chunk of await model(kind).stream('stream from langchain')) {
            text += chunk.text;
            usage = chunk.usage_metadata ?? usage;
          }
          assert.equal(text, 'stream from langchain');
          assert.ok(usage?.output_tokens > 0, JSON.stringify(usage));
          await wire.verify();
        });
      });
    }
  });

  describe('errors and records', () => {
    it('refuses a request without input: 400 in OpenAI shape naming `input`', async () => {
      const r = await respond({ model: 'openai-chat/echo' });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.type, 'invalid_request_error');
      assert.equal(r.body.error.param, 'input');
      assert.equal(typeof r.body.error.message, 'string');
      assert.ok('code' in r.body.error);
    });

    it('answers 404 model_not_found for an unknown model', async () => {
      const r = await respond({ model: 'nobody/knows', input: 'x' });
      assert.equal(r.status, 404);
      assert.equal(r.body.error.code, 'model_not_found');
    });

    for (const kind of KINDS) {
      const ending = translated(kind) ? 'response.failed' : 'error';
      it(`ends a stream its provider cuts short with ${ending}, never response.completed (${kind})`, async () => {
        const r = await respond({ model: `${kind}/lorem~len=10~fault=drop`, input: 'x', stream: true });
        assert.equal(r.status, 200);
        assert.deepEqual(streamViolations(r.events), []);
        const types = r.events.map((e) => e.data.type);
        assert.ok(types.includes('response.output_text.delta'), 'some text arrived before the cut');
        assert.ok(!types.includes('response.completed'), types.join(' '));
        // Translated: response.failed, then an `error` event the SDKs raise; native: `error`.
        const last = r.events.at(translated(kind) ? -2 : -1).data;
        assert.equal(last.type, ending);
        assert.equal(r.events.at(-1).data.type, 'error');
        if (translated(kind)) {
          assert.equal(last.response.status, 'failed');
          assert.match(last.response.error.message, /failed in the middle of its answer/);
          assert.equal(last.response.id, r.headers.get('x-request-id'));
        } else {
          assert.match(last.error.message, /failed in the middle of its answer/);
        }
        const stored = await record(r.headers.get('x-request-id'));
        assert.equal(stored.endpoint, '/v1/responses');
        assert.equal(stored.streamed, true);
        assert.match(stored.error, /failed in the middle of its answer/);
      });
    }
  });

  // Bugs found while writing these tests, each with its smallest reproduction.
  describe('fixed gateway bugs', () => {
    for (const kind of KINDS.filter(translated)) {
      it(`echoes a json_schema text format with every member Open Responses requires (${kind})`, async () => {
        const format = { type: 'json_schema', name: 'weather', strict: true, schema: weatherParameters };
        const r = await respond({ model: `${kind}/echo`, input: '{"city":"Oslo"}', text: { format } });
        assert.equal(r.status, 200);
        assert.deepEqual(violations('ResponseResource', r.body), []);
        assert.equal(r.body.text.format.description, null);
      });

      it(`marks the message a failed stream cut short as incomplete, not completed (${kind})`, async () => {
        const r = await respond({ model: `${kind}/lorem~len=10~fault=drop`, input: 'x', stream: true });
        const failed = r.events.at(-2).data;
        assert.equal(r.events.at(-1).data.type, 'error');
        assert.equal(failed.type, 'response.failed');
        for (const item of failed.response.output) assert.notEqual(item.status, 'completed', JSON.stringify(item));
      });

      it(`refuses previous_response_id where no response is stored (${kind})`, async () => {
        const r = await respond({ model: `${kind}/echo`, input: 'what was the code word?', previous_response_id: 'resp_0123456789abcdef' });
        assert.ok(r.status === 400 || r.status === 404, `answered ${r.status}: ${JSON.stringify(r.body.output ?? r.body)}`);
        assert.equal(r.body.error.param, 'previous_response_id');
      });
    }
  });
});
