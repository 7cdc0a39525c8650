// The official OpenAI SDK for Node, pointed at the gateway by changing only its base URL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startSim, startGateway, simConfig } from './harness.mjs';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
    },
  },
};

describe('OpenAI SDK through the gateway', () => {
  let sim, gw, client;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(simConfig(), sim);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused-without-auth', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it('creates a chat completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'sim/echo', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'ping pong' }],
    });
    assert.equal(completion.choices[0].message.content, 'ping pong');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.ok(completion.usage.prompt_tokens > 0);
  });

  it('streams a chat completion with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'sim/lorem~len=6', stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'go' }],
    });
    let text = '';
    let usage;
    let finish;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'The gateway routes every request to');
    assert.equal(finish, 'stop');
    assert.equal(usage.completion_tokens, 6);
  });

  it('returns a tool call with JSON arguments', async () => {
    const completion = await client.chat.completions.create({
      model: 'sim/echo', tools: [weatherTool], messages: [{ role: 'user', content: 'weather in Oslo? [call]' }],
    });
    const choice = completion.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls[0].function.name, 'get_weather');
    assert.deepEqual(JSON.parse(choice.message.tool_calls[0].function.arguments), { city: 'sim', unit: 'celsius' });
  });

  it('streams a tool call whose argument pieces reassemble', async () => {
    const runner = client.chat.completions.stream({
      model: 'sim/echo', tools: [weatherTool], messages: [{ role: 'user', content: 'weather in Oslo? [call]' }],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'sim', unit: 'celsius' });
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
  });

  it('completes a multi-turn tool conversation', async () => {
    const completion = await client.chat.completions.create({
      model: 'sim/echo', tools: [weatherTool],
      messages: [
        { role: 'user', content: 'weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo","unit":"celsius"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '4 degrees' },
      ],
    });
    assert.equal(completion.choices[0].message.content, 'Tool result: 4 degrees');
  });

  it('creates embeddings (the SDK asks for base64 and decodes it)', async () => {
    const result = await client.embeddings.create({ model: 'sim/embed', input: ['one', 'two', 'three'], dimensions: 6 });
    assert.equal(result.data.length, 3);
    assert.equal(result.data[2].embedding.length, 6);
    const norm = Math.hypot(...result.data[0].embedding);
    assert.ok(Math.abs(norm - 1) < 1e-5, `unit vectors expected, norm ${norm}`);
  });

  it('lists models', async () => {
    const page = await client.models.list();
    assert.ok(Array.isArray(page.data));
  });

  it('raises the SDK error classes with the gateway status and message', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'nobody/knows', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof OpenAI.NotFoundError && /not found/.test(e.message));
    await assert.rejects(
      client.chat.completions.create({ model: 'sim/echo~fail=429', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof OpenAI.RateLimitError && e.status === 429);
  });

  it('surfaces a stream cut by the upstream as an error, not a short answer', async () => {
    const stream = await client.chat.completions.create({
      model: 'sim/lorem~len=10~fault=drop', stream: true, messages: [{ role: 'user', content: 'x' }],
    });
    await assert.rejects(async () => {
      for await (const chunk of stream) void chunk;
    }, (e) => e instanceof OpenAI.APIError);
  });
});
