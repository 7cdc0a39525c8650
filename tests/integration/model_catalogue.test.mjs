// The model catalogue as the OpenAI and Anthropic SDKs read it: models.list and models.retrieve,
// ids with a slash (sent percent-encoded), aliases, the price table's models of each family an
// enabled provider serves (bare names like claude-haiku-4-5), and no model that only a disabled
// provider serves.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startSim, startGateway } from './harness.mjs';

describe('GET /v1/models and /v1/models/{id}', () => {
  let sim, gw, openai, anthropic;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
providers:
  sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  claude: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  gone: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: '\${SWITCHYARD_TEST_UNSET_KEY}'}
models:
  team/chat: {routes: [{provider: sim, model: echo}]}
  team/claude: {routes: [{provider: claude, model: echo}]}
  team/gone: {routes: [{provider: gone, model: echo}]}
aliases:
  chat-latest: team/chat
`, sim);
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  // The configured ids and aliases, and the priced family models: Claude's (an Anthropic provider
  // is enabled), never Gemini's (no Gemini provider) nor OpenAI's (no provider at api.openai.com:
  // an OpenAI-compatible host does not serve OpenAI's models).
  function assertCatalogue(ids) {
    for (const id of ['chat-latest', 'team/chat', 'team/claude', 'claude-haiku-4-5']) assert.ok(ids.includes(id), id);
    assert.ok(!ids.includes('team/gone'));
    assert.ok(!ids.some((id) => id.startsWith('gemini-') || id.startsWith('gpt-')), ids.join());
    assert.equal(new Set(ids).size, ids.length);
  }

  it('lists the configured models, aliases and family models, not those only a disabled provider serves (OpenAI SDK)', async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    assertCatalogue(ids);
  });

  it('serves a bare family name from the catalogue: listed with its provider and price, and routed there', async () => {
    const model = await openai.models.retrieve('claude-haiku-4-5');
    assert.equal(model.owned_by, 'claude');
    assert.deepEqual(model.routes, ['claude/claude-haiku-4-5']);
    assert.deepEqual([model.context_window, model.max_output_tokens, model.capabilities.tools, model.capabilities.embeddings],
      [200000, 64000, true, false]);
    assert.deepEqual(model.pricing, { input: 1, output: 5 });
    // Not in the price table either: any name of the family goes to its providers.
    const { data, response } = await openai.chat.completions
      .create({ model: 'claude-sonnet-9~len=3', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-provider'), 'claude');
    assert.equal(data.choices[0].message.content.split(' ').length, 3);
    await assert.rejects(openai.chat.completions.create({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'hi' }] }),
      (e) => e instanceof OpenAI.NotFoundError);
  });

  it('retrieves one model, its id with a slash (OpenAI SDK)', async () => {
    const model = await openai.models.retrieve('team/chat');
    assert.equal(model.id, 'team/chat');
    assert.equal(model.object, 'model');
    assert.equal(model.owned_by, 'sim');
    const alias = await openai.models.retrieve('chat-latest');
    assert.equal(alias.alias_of, 'team/chat');
    await assert.rejects(openai.models.retrieve('team/gone'), (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  });

  it("lists and retrieves in Anthropic's shape for the Anthropic SDK", async () => {
    const ids = [];
    for await (const model of anthropic.models.list()) {
      assert.equal(model.type, 'model');
      assert.ok(!Number.isNaN(Date.parse(model.created_at)), model.created_at);
      ids.push(model.id);
    }
    assertCatalogue(ids);
    const model = await anthropic.models.retrieve('team/claude');
    assert.deepEqual([model.type, model.id, model.display_name], ['model', 'team/claude', 'team/claude']);
    await assert.rejects(anthropic.models.retrieve('nobody/knows'), (e) => e instanceof Anthropic.NotFoundError);
  });
});
