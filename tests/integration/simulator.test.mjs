// The provider simulator speaks each provider's wire format well enough for that provider's
// official SDK: checked here with the SDKs pointed straight at it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startSim, assertSchema, postJson } from './harness.mjs';

const weather = { name: 'get_weather', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe('simulator', () => {
  let sim;
  before(async () => { sim = await startSim(); });
  after(async () => { await sim?.stop(); });

  describe('OpenAI format', () => {
    it('validates against the published schemas', async () => {
      const r = await postJson(`${sim.url}/openai/v1/chat/completions`,
        { model: 'lorem', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer k' });
      assertSchema('CreateChatCompletionResponse', await r.json());
      const e = await postJson(`${sim.url}/openai/v1/chat/completions`,
        { model: 'x~fail=500', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer k' });
      assert.equal(e.status, 500);
      assertSchema('ErrorResponse', await e.json());
    });

    it('refuses a request without a key', async () => {
      const r = await postJson(`${sim.url}/openai/v1/chat/completions`, { model: 'echo', messages: [] });
      assert.equal(r.status, 401);
    });

    it('is deterministic', async () => {
      const client = new OpenAI({ baseURL: `${sim.url}/openai/v1`, apiKey: 'k' });
      const ask = () => client.chat.completions.create({ model: 'lorem~len=12', messages: [{ role: 'user', content: 'q' }] });
      const [a, b] = await Promise.all([ask(), ask()]);
      assert.equal(a.choices[0].message.content, b.choices[0].message.content);
      assert.deepEqual(a.usage, b.usage);
    });

    it('honours the time to first token', async () => {
      const started = Date.now();
      const r = await postJson(`${sim.url}/openai/v1/chat/completions`,
        { model: 'echo~ttft=300', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer k' });
      await r.json();
      assert.ok(Date.now() - started >= 290);
    });

    it('rejects an unknown scenario option', async () => {
      const r = await postJson(`${sim.url}/openai/v1/chat/completions`,
        { model: 'echo~warp=9', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer k' });
      assert.equal(r.status, 400);
      assert.match((await r.json()).error.message, /unknown simulator option 'warp'/);
    });
    it('calls a tool only when asked', async () => {
      const tools = ['first', 'second'].map((name) => ({ type: 'function', function: { name, parameters: weather.schema } }));
      const ask = async (content, extra = {}) => {
        const r = await postJson(`${sim.url}/openai/v1/chat/completions`,
          { model: 'echo', tools, messages: [{ role: 'user', content }], ...extra }, { authorization: 'Bearer k' });
        const body = await r.json();
        assertSchema('CreateChatCompletionResponse', body);
        return body.choices[0];
      };
      const called = (choice) => choice.finish_reason === 'tool_calls' ? choice.message.tool_calls[0].function.name : null;
      assert.equal(called(await ask('weather?')), null);
      assert.equal((await ask('weather?')).message.content, 'weather?');
      assert.equal(called(await ask('weather? [call]')), 'first');
      assert.equal(called(await ask('weather? [call:second]')), 'second');
      assert.equal(called(await ask('weather?', { tool_choice: 'required' })), 'first');
      assert.equal(called(await ask('weather?', { tool_choice: { type: 'function', function: { name: 'second' } } })), 'second');
      assert.equal(called(await ask('weather? [call]', { tool_choice: 'none' })), null);
    });
  });

  describe('Anthropic format, through @anthropic-ai/sdk', () => {
    let client;
    before(() => { client = new Anthropic({ baseURL: `${sim.url}/anthropic`, apiKey: 'k', maxRetries: 0 }); });

    it('answers a message', async () => {
      const message = await client.messages.create({
        model: 'echo', max_tokens: 64, system: 'terse', messages: [{ role: 'user', content: 'hello claude' }],
      });
      assert.equal(message.content[0].text, 'hello claude');
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.usage.output_tokens, 2);
      assert.equal(message.usage.cache_read_input_tokens, 0);
    });

    it('streams the full event sequence', async () => {
      const stream = client.messages.stream({ model: 'lorem~len=4', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
      const final = await stream.finalMessage();
      assert.equal(final.content[0].text, 'The gateway routes every');
      assert.equal(final.usage.output_tokens, 4);

      const raw = await postJson(`${sim.url}/anthropic/v1/messages`,
        { model: 'lorem~len=2', max_tokens: 9, stream: true, messages: [{ role: 'user', content: 'x' }] },
        { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
      const names = (await raw.text()).split('\n').filter((l) => l.startsWith('event: ')).map((l) => l.slice(7));
      assert.deepEqual(names, ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta',
        'content_block_stop', 'message_delta', 'message_stop']);
    });

    it('streams a tool_use block with input_json_delta', async () => {
      const stream = client.messages.stream({
        model: 'echo', max_tokens: 64, tools: [{ name: weather.name, input_schema: weather.schema }],
        messages: [{ role: 'user', content: 'weather? [call]' }],
      });
      const final = await stream.finalMessage();
      assert.equal(final.stop_reason, 'tool_use');
      assert.equal(final.content[0].type, 'tool_use');
      assert.deepEqual(final.content[0].input, { city: 'sim' });
    });

    it('requires max_tokens and answers errors in Anthropic shape', async () => {
      await assert.rejects(client.messages.create({ model: 'echo', messages: [{ role: 'user', content: 'x' }] }),
        (e) => e instanceof Anthropic.BadRequestError && /max_tokens/.test(e.message));
      await assert.rejects(client.messages.create({ model: 'echo~fail=529', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
        (e) => e.status === 529 && e.error?.error?.type === 'overloaded_error');
    });
  });

  describe('Gemini format, through @google/genai', () => {
    let client;
    before(() => { client = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: `${sim.url}/gemini` } }); });

    it('generates content', async () => {
      const response = await client.models.generateContent({ model: 'echo', contents: 'hello gemini' });
      assert.equal(response.text, 'hello gemini');
      assert.equal(response.usageMetadata.candidatesTokenCount, 2);
      assert.equal(response.candidates[0].finishReason, 'STOP');
    });

    it('streams content', async () => {
      const stream = await client.models.generateContentStream({ model: 'lorem~len=3', contents: 'x' });
      let text = '';
      let usage;
      for await (const chunk of stream) {
        text += chunk.text ?? '';
        usage = chunk.usageMetadata ?? usage;
      }
      assert.equal(text, 'The gateway routes');
      assert.equal(usage.candidatesTokenCount, 3);
    });

    it('calls a function', async () => {
      const response = await client.models.generateContent({
        model: 'echo', contents: 'weather? [call]',
        config: { tools: [{ functionDeclarations: [{ name: weather.name, parameters: weather.schema }] }] },
      });
      assert.deepEqual(response.functionCalls[0], { name: 'get_weather', args: { city: 'sim' } });
    });

    it('answers errors in Google shape', async () => {
      await assert.rejects(client.models.generateContent({ model: 'echo~fail=429', contents: 'x' }),
        (e) => e.status === 429 && /RESOURCE_EXHAUSTED/.test(e.message));
    });
  });
});
