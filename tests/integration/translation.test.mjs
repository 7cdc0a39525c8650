// OpenAI clients reaching Anthropic and Gemini providers: the official OpenAI SDK through the
// gateway to the simulator's Anthropic and Gemini APIs, every body checked against OpenAI's schemas.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startSim, startGateway, assertSchema, sseData, postJson } from './harness.mjs';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', additionalProperties: false, properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('translation for OpenAI clients', () => {
  let sim, gw, client;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
providers:
  claude: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: anthropic-provider-key}
  gem: {type: gemini, base_url: 'SIM_URL/gemini', api_key: gemini-provider-key}
`, sim);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  for (const provider of ['claude', 'gem']) {
    describe(provider === 'claude' ? 'Anthropic provider' : 'Gemini provider', () => {
      it('answers a chat with a system prompt and an image', async () => {
        const r = await postJson(`${gw.url}/v1/chat/completions`, {
          model: `${provider}/echo`,
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: [{ type: 'text', text: 'describe this' }, { type: 'image_url', image_url: { url: pixel } }] },
          ],
        });
        assert.equal(r.status, 200);
        const body = await r.json();
        assertSchema('CreateChatCompletionResponse', body);
        assert.equal(body.choices[0].message.content, 'describe this');
        assert.equal(body.choices[0].finish_reason, 'stop');
        assert.equal(body.usage.completion_tokens, 2);
        assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + 2);
      });

      it('streams chunks that validate, with usage at the end', async () => {
        const r = await postJson(`${gw.url}/v1/chat/completions`, {
          model: `${provider}/lorem~len=5`, stream: true, stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'x' }],
        });
        const events = await sseData(r);
        assert.equal(events.at(-1), '[DONE]');
        const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
        chunks.forEach((c) => assertSchema('CreateChatCompletionStreamResponse', c));
        assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'The gateway routes every request');
        assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
        assert.equal(chunks.at(-1).usage.completion_tokens, 5);
      });

      it('returns tool calls through the SDK, plain and streamed', async () => {
        const messages = [{ role: 'user', content: 'weather in Oslo? [call]' }];
        const completion = await client.chat.completions.create({ model: `${provider}/echo`, tools: [weatherTool], messages });
        assert.equal(completion.choices[0].finish_reason, 'tool_calls');
        const call = completion.choices[0].message.tool_calls[0];
        assert.equal(call.function.name, 'get_weather');
        assert.deepEqual(JSON.parse(call.function.arguments), { city: 'sim' });

        const final = await client.chat.completions.stream({ model: `${provider}/echo`, tools: [weatherTool], messages }).finalChatCompletion();
        assert.equal(final.choices[0].finish_reason, 'tool_calls');
        assert.deepEqual(JSON.parse(final.choices[0].message.tool_calls[0].function.arguments), { city: 'sim' });
      });

      it('sends tool results back for the next turn', async () => {
        const completion = await client.chat.completions.create({
          model: `${provider}/echo`, tools: [weatherTool],
          messages: [
            { role: 'user', content: 'weather in Oslo?' },
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
            { role: 'tool', tool_call_id: 'call_1', content: '4 degrees' },
          ],
        });
        assert.match(completion.choices[0].message.content, /^Tool result: .*4 degrees/);
      });

      it("maps the provider's rate limit to the SDK's RateLimitError", async () => {
        await assert.rejects(client.chat.completions.create({ model: `${provider}/echo~fail=429`, messages: [{ role: 'user', content: 'x' }] }),
          (e) => e instanceof OpenAI.RateLimitError && /simulated failure 429/.test(e.message));
      });

      it('ends a stream the provider cut with an error, not [DONE]', async () => {
        const r = await postJson(`${gw.url}/v1/chat/completions`, {
          model: `${provider}/lorem~len=8~fault=drop`, stream: true, messages: [{ role: 'user', content: 'x' }],
        });
        const events = await sseData(r);
        assert.notEqual(events.at(-1), '[DONE]');
        assertSchema('ErrorResponse', JSON.parse(events.at(-1)));
      });

      if (provider === 'gem') {
        it('serves embeddings through batchEmbedContents, in input order', async () => {
          const r = await postJson(`${gw.url}/v1/embeddings`, { model: `${provider}/embed`, input: ['x', 'y'], dimensions: 4 });
          const body = await r.json();
          assert.equal(r.status, 200, JSON.stringify(body));
          assertSchema('CreateEmbeddingResponse', body);
          assert.deepEqual(body.data.map((d) => [d.index, d.embedding.length]), [[0, 4], [1, 4]]);
          assert.notDeepEqual(body.data[0].embedding, body.data[1].embedding);
        });
      } else {
        it('refuses embeddings with a clear error', async () => {
          const r = await postJson(`${gw.url}/v1/embeddings`, { model: `${provider}/embed`, input: 'x' });
          assert.equal(r.status, 400);
          assertSchema('ErrorResponse', await r.json());
        });
      }
    });
  }
});
