// The Anthropic-compatible API: the official Anthropic SDK through the gateway, to Anthropic
// providers (pass-through) and to OpenAI and Gemini providers (translation).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startSim, startGateway, postJson, recordOf } from './harness.mjs';

const KEY = 'sk-gateway-anthropic-1';
const weather = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe('Anthropic-compatible /v1/messages', () => {
  let sim, gw, client;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
auth:
  keys: [{key: ${KEY}, team: agents}]
providers:
  claude: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: anthropic-provider-key}
  gpt: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: openai-provider-key}
  gem: {type: gemini, base_url: 'SIM_URL/gemini', api_key: gemini-provider-key}
models:
  team/inspect:
    routes: [{provider: claude, model: inspect}]
`, sim);
    client = new Anthropic({ baseURL: gw.url, apiKey: KEY, maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it('passes Anthropic requests through with the provider key and upstream model', async () => {
    const message = await client.messages.create({ model: 'team/inspect', max_tokens: 32, messages: [{ role: 'user', content: 'x' }] });
    const seen = JSON.parse(message.content[0].text);
    assert.deepEqual([seen.model, seen.auth], ['inspect', 'anthropic-provider-key']);
  });

  it("answers Claude Code's HEAD / probe", async () => {
    const r = await fetch(`${gw.url}/`, { method: 'HEAD' });
    assert.equal(r.status, 200);
  });

  it('takes the gateway key in x-api-key too, and refuses a wrong one in Anthropic shape', async () => {
    const ok = await postJson(`${gw.url}/v1/messages`, { model: 'claude/echo', max_tokens: 8, messages: [{ role: 'user', content: 'hey' }] },
      { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' });
    assert.equal(ok.status, 200);
    const bad = await postJson(`${gw.url}/v1/messages`, { model: 'claude/echo', max_tokens: 8, messages: [{ role: 'user', content: 'hey' }] },
      { 'x-api-key': 'sk-wrong-key-000' });
    assert.equal(bad.status, 401);
    assert.deepEqual(Object.keys(await bad.json()), ['type', 'error']);
  });

  for (const provider of ['claude', 'gpt', 'gem']) {
    describe(`to the ${provider} provider`, () => {
      it("takes Claude Code's mid-conversation system message, ?beta=true and metadata.user_id", async () => {
        // Claude Code 2.1 (beta mid-conversation-system-2026-04-07) puts instructions between turns.
        const r = await postJson(`${gw.url}/v1/messages?beta=true`, {
          model: `${provider}/echo`, max_tokens: 64, metadata: { user_id: 'user_0a1b_account_c2d3_session_e4f5' },
          messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'first' },
            { role: 'system', content: 'Answer briefly from now on.' }, { role: 'user', content: 'second' }],
        }, { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'mid-conversation-system-2026-04-07' });
        const message = await r.json();
        assert.equal(r.status, 200, JSON.stringify(message));
        assert.equal(message.content[0].text, 'second');
        const record = await recordOf(gw, r.headers.get('x-request-id'), { authorization: `Bearer ${KEY}` });
        assert.equal(record.user, 'user_0a1b_account_c2d3', 'the user, without the session');
      });

      it('answers a message', async () => {
        const message = await client.messages.create({
          model: `${provider}/echo`, max_tokens: 64, system: 'be brief', messages: [{ role: 'user', content: 'hello from claude code' }],
        });
        assert.equal(message.type, 'message');
        assert.equal(message.content[0].type, 'text');
        assert.equal(message.content[0].text, 'hello from claude code');
        assert.equal(message.stop_reason, 'end_turn');
        assert.equal(message.usage.output_tokens, 4);
      });

      it('streams the full event sequence', async () => {
        const stream = client.messages.stream({ model: `${provider}/lorem~len=5`, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
        const final = await stream.finalMessage();
        assert.equal(final.content[0].text, 'The gateway routes every request');
        assert.equal(final.stop_reason, 'end_turn');
        assert.equal(final.usage.output_tokens, 5);
      });

      it('calls a tool, streamed with input_json_delta', async () => {
        const stream = client.messages.stream({
          model: `${provider}/echo`, max_tokens: 64, tools: [weather], messages: [{ role: 'user', content: 'weather in Oslo? [call]' }],
        });
        const final = await stream.finalMessage();
        assert.equal(final.stop_reason, 'tool_use');
        const use = final.content.find((b) => b.type === 'tool_use');
        assert.equal(use.name, 'get_weather');
        assert.deepEqual(use.input, { city: 'sim' });
      });

      it('sends a tool result for the next turn', async () => {
        const message = await client.messages.create({
          model: `${provider}/echo`, max_tokens: 64, tools: [weather],
          messages: [
            { role: 'user', content: 'weather in Oslo?' },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '4 degrees' }] },
          ],
        });
        assert.match(message.content[0].text, /^Tool result: .*4 degrees/);
      });

      it('answers provider errors in Anthropic shape', async () => {
        await assert.rejects(client.messages.create({ model: `${provider}/echo~fail=429`, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
          (e) => e instanceof Anthropic.RateLimitError && e.error?.type === 'error' && /429/.test(e.message));
      });
    });
  }

  it('refuses a request without max_tokens, naming the field', async () => {
    const r = await postJson(`${gw.url}/v1/messages`, { model: 'gpt/echo', messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': KEY });
    assert.equal(r.status, 400);
    const body = await r.json();
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /^max_tokens/);
  });

  for (const provider of ['claude', 'gem']) {
    it(`counts tokens with the ${provider} provider's own count`, async () => {
      const count = await client.messages.countTokens({ model: `${provider}/echo`, messages: [{ role: 'user', content: 'a'.repeat(400) }] });
      assert.equal(count.input_tokens, 100);  // the simulator's count: 4 characters a token
    });
  }

  it('estimates tokens for other providers', async () => {
    const count = await client.messages.countTokens({ model: 'gpt/echo', messages: [{ role: 'user', content: 'a'.repeat(400) }] });
    assert.ok(count.input_tokens > 100 && count.input_tokens < 130, `got ${count.input_tokens}`);
  });
});
