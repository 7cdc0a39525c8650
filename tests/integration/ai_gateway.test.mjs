// The Vercel AI Gateway protocol (POST /v4/ai/language-model, /v4/ai/embedding-model, GET
// /v4/ai/config, /v1/credits, /v1/generation, /v1/report) driven by the AI SDK's own gateway
// provider (`createGateway` from @ai-sdk/gateway) against the three provider types: OpenAI's
// (sim), Anthropic's (claude) and Gemini's (gem). Every call carries a gateway key: auth is on.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateText, streamText, generateObject, embed, embedMany, tool, stepCountIs } from 'ai';
import {
  createGateway, GatewayAuthenticationError, GatewayModelNotFoundError, GatewayInvalidRequestError,
} from '@ai-sdk/gateway';
import { z } from 'zod';
import { startSim, startGateway, recordOf, postJson } from './harness.mjs';

const KEY = 'sk-ai-gateway-alpha-0001';       // team alpha: every request of this file
const OTHER_KEY = 'sk-ai-gateway-beta-0001';  // team beta: never spends anything
const PROVIDERS = ['sim', 'claude', 'gem'];    // OpenAI, Anthropic and Gemini types
const LOREM6 = 'The gateway routes every request to';
const PRICE = { input: 2.0, output: 8.0 };     // USD per 1M tokens, of acme/priced
const costOf = (usage) => (usage.inputTokens * PRICE.input + usage.outputTokens * PRICE.output) / 1e6;
const near = (actual, expected, what) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12 + 1e-9 * Math.abs(expected), `${what}: ${actual} != ${expected}`);
const today = () => new Date().toISOString().slice(0, 10);
const Weather = z.object({ city: z.string(), temp: z.number() });
const weatherJson = JSON.stringify({ city: 'Oslo', temp: 4 });

const config = `
auth:
  keys:
    - {key: ${KEY}, team: alpha}
    - {key: ${OTHER_KEY}, team: beta}
providers:
  sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  claude: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  gem: {type: gemini, base_url: 'SIM_URL/gemini', api_key: k}
models:
  acme/priced:
    routes: [{provider: sim, model: echo}]
    price: {input: ${PRICE.input}, output: ${PRICE.output}}
  acme/everywhere:
    routes:
      - {provider: sim, model: echo}
      - {provider: claude, model: echo}
      - {provider: gem, model: echo}
  acme/broken:
    routes: [{provider: sim, model: 'down~fail=500'}]
  acme/embed:
    routes: [{provider: sim, model: embed}]
aliases:
  house-echo: acme/priced
`;

// A tool whose calls are counted: [call] in the prompt makes the simulator call it with city "sim".
function weatherTool(calls) {
  return tool({
    description: 'Weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return `sunny in ${city}`;
    },
  });
}

// streamText, with the errors it reports to onError (it never throws them) kept: `failed()`
// rethrows the first, so a test fails with the error the SDK saw rather than an empty stream.
function streaming(options) {
  const errors = [];
  const result = streamText({ ...options, onError: ({ error }) => errors.push(error) });
  result.failed = () => { if (errors.length) throw errors[0]; };
  return result;
}

describe('Vercel AI Gateway protocol (@ai-sdk/gateway)', () => {
  let sim, gw, gateway;
  const auth = { authorization: `Bearer ${KEY}` };
  before(async () => {
    sim = await startSim();
    gw = await startGateway(config, sim);
    gateway = createGateway({ baseURL: `${gw.url}/v4/ai`, apiKey: KEY });
  });
  after(async () => {
    // A gateway that died (a crash is a signal: exitCode stays null) fails the file with its log.
    const died = gw && (gw.proc.exitCode !== null || gw.proc.signalCode !== null);
    if (gw && !died) await gw.stop();
    await sim?.stop();
    if (died) throw new Error(`the gateway died (${gw.proc.exitCode ?? gw.proc.signalCode}):\n${gw.output().slice(-4000)}`);
  });

  for (const provider of PROVIDERS) {
    describe(`provider ${provider}`, () => {
      it('generateText answers with text, usage, finish reason and the generation id', async () => {
        const result = await generateText({ model: gateway(`${provider}/echo`), prompt: 'hello through the ai gateway', maxRetries: 0 });
        assert.equal(result.text, 'hello through the ai gateway');
        assert.equal(result.finishReason, 'stop');
        assert.ok(result.usage.inputTokens > 0, JSON.stringify(result.usage));
        assert.equal(result.usage.outputTokens, 5);  // the simulator's tokens: the five words echoed
        const meta = result.providerMetadata?.gateway;
        assert.match(meta?.generationId ?? '', /^gen_[0-9A-HJKMNP-TV-Z]{26}$/, JSON.stringify(result.providerMetadata));
        assert.equal(result.response.headers['x-switchyard-provider'], provider);
        assert.equal(meta.routing?.resolvedProvider, provider, JSON.stringify(meta));
        const record = await recordOf(gw, meta.generationId, auth);
        assert.equal(record.provider_name, provider);
        assert.equal(record.model, `${provider}/echo`);
      });

      it('streamText streams the text, then usage and finish reason', async () => {
        const result = streaming({ model: gateway(`${provider}/lorem~len=6`), prompt: 'go', maxRetries: 0 });
        const pieces = [];
        for await (const piece of result.textStream) pieces.push(piece);
        result.failed();
        assert.ok(pieces.length > 1, `streamed in pieces: ${JSON.stringify(pieces)}`);
        assert.equal(pieces.join(''), LOREM6);
        const usage = await result.usage;
        assert.equal(usage.outputTokens, 6);
        assert.ok(usage.inputTokens > 0, JSON.stringify(usage));
        assert.equal(usage.totalTokens, usage.inputTokens + usage.outputTokens);
        assert.equal(await result.finishReason, 'stop');
        const meta = (await result.providerMetadata)?.gateway;
        assert.match(meta?.generationId ?? '', /^gen_/);
        const record = await recordOf(gw, meta.generationId, auth);
        assert.equal(record.streamed, true);
        assert.equal(record.provider_name, provider);
        assert.deepEqual([record.native_tokens_prompt, record.native_tokens_completion], [usage.inputTokens, usage.outputTokens]);
      });

      it('generateObject returns an object that fits the zod schema', async () => {
        const result = await generateObject({
          model: gateway(`${provider}/echo`), schema: Weather, schemaName: 'weather', prompt: weatherJson, maxRetries: 0,
        });
        assert.deepEqual(result.object, { city: 'Oslo', temp: 4 });
      });

      it('runs a tool loop: the tool executes, the second step answers with its result', async () => {
        const calls = [];
        const result = await generateText({
          model: gateway(`${provider}/echo`),
          tools: { get_weather: weatherTool(calls) },
          stopWhen: stepCountIs(2),
          prompt: 'weather in Oslo? [call]',
          maxRetries: 0,
        });
        assert.deepEqual(calls, ['sim']);
        assert.equal(result.steps.length, 2);
        assert.equal(result.steps[0].finishReason, 'tool-calls');
        assert.equal(result.steps[0].toolCalls[0].toolName, 'get_weather');
        assert.deepEqual(result.steps[0].toolCalls[0].input, { city: 'sim' });
        assert.equal(result.finishReason, 'stop');
        assert.match(result.text, /^Tool result: .*sunny in sim/);
      });

      it('only: [provider] serves a model of three routes from that provider', async () => {
        const result = await generateText({
          model: gateway('acme/everywhere'), prompt: `only ${provider}`, maxRetries: 0,
          providerOptions: { gateway: { only: [provider] } },
        });
        assert.equal(result.text, `only ${provider}`);
        assert.equal(result.response.headers['x-switchyard-provider'], provider);
        const info = await infoOf(result.providerMetadata.gateway.generationId);
        assert.equal(info.providerName, provider);
      });
    });
  }

  // The generation's record, once written (records are written asynchronously), through the SDK.
  async function infoOf(id) {
    await recordOf(gw, id, auth);
    return gateway.getGenerationInfo({ id });
  }

  describe('a Gemini model that signs its function calls (echo~signed=1)', () => {
    it('completes a tool loop: the thoughtSignature goes out with the call and comes back', async () => {
      const calls = [];
      const result = await generateText({
        model: gateway('gem/echo~signed=1'),
        tools: { get_weather: weatherTool(calls) },
        stopWhen: stepCountIs(2),
        prompt: 'weather? [call]',
        maxRetries: 0,
      });
      assert.deepEqual(calls, ['sim']);
      assert.equal(result.steps.length, 2);
      assert.ok(result.steps[0].toolCalls[0].providerMetadata?.google?.thoughtSignature,
        `the call carries its signature: ${JSON.stringify(result.steps[0].toolCalls[0])}`);
      assert.match(result.text, /^Tool result: .*sunny in sim/);
    });

    it('streams a tool loop the same way', async () => {
      const calls = [];
      const result = streaming({
        model: gateway('gem/echo~signed=1'),
        tools: { get_weather: weatherTool(calls) },
        stopWhen: stepCountIs(2),
        prompt: 'weather? [call]',
        maxRetries: 0,
      });
      let text = '';
      for await (const piece of result.textStream) text += piece;
      result.failed();
      assert.deepEqual(calls, ['sim']);
      assert.equal((await result.steps).length, 2);
      assert.match(text, /^Tool result: .*sunny in sim/);
    });
  });

  describe('embeddings', () => {
    for (const provider of ['sim', 'gem']) {
      it(`embed and embedMany return one vector per value, in order (${provider})`, async () => {
        const model = gateway.embeddingModel(`${provider}/embed`);
        const one = await embed({ model, value: 'beta', maxRetries: 0 });
        assert.ok(one.embedding.length > 0 && one.embedding.every((x) => typeof x === 'number'), JSON.stringify(one.embedding));
        // An OpenAI-type provider tells the tokens; Gemini's embeddings answer tells none.
        if (provider === 'sim') assert.ok(one.usage.tokens > 0, JSON.stringify(one.usage));
        const many = await embedMany({ model, values: ['alpha', 'beta', 'gamma'], maxRetries: 0 });
        assert.equal(many.embeddings.length, 3);
        assert.deepEqual(many.embeddings[1], one.embedding, 'the second vector is the one of "beta"');
        assert.notDeepEqual(many.embeddings[0], many.embeddings[1]);
        const sized = await embed({ model, value: 'beta', dimensions: 4, maxRetries: 0 });
        assert.equal(sized.embedding.length, 4);
      });
    }

    it('embeds with a configured model id, and the answer names its generation', async () => {
      const result = await embedMany({ model: gateway.embeddingModel('acme/embed'), values: ['x', 'y'], maxRetries: 0 });
      assert.equal(result.embeddings.length, 2);
      assert.match(result.providerMetadata?.gateway?.generationId ?? '', /^gen_/, JSON.stringify(result.providerMetadata));
    });

    it('refuses embeddings on an Anthropic provider with a clear error', async () => {
      await assert.rejects(
        embed({ model: gateway.embeddingModel('claude/embed'), value: 'x', maxRetries: 0 }),
        (error) => {
          assert.ok(GatewayInvalidRequestError.isInstance(error), `${error?.name}: ${error?.message}`);
          assert.equal(error.statusCode, 400);
          assert.match(error.message, /embedding/i);
          return true;
        });
    });
  });

  describe('accounting: cost, generation info, spend report, credits', () => {
    it('getGenerationInfo gives the cost and tokens the answer reported', async () => {
      const result = await generateText({ model: gateway('acme/priced'), prompt: 'what does this cost?', maxRetries: 0 });
      const meta = result.providerMetadata.gateway;
      assert.equal(typeof meta.cost, 'string', `cost is a decimal string: ${JSON.stringify(meta)}`);
      near(Number(meta.cost), costOf(result.usage), 'providerMetadata.gateway.cost');
      const info = await infoOf(meta.generationId);
      assert.equal(info.id, meta.generationId);
      near(info.totalCost, costOf(result.usage), 'totalCost');
      assert.equal(info.promptTokens, result.usage.inputTokens);
      assert.equal(info.completionTokens, result.usage.outputTokens);
      assert.equal(info.providerName, 'sim');
      assert.equal(info.model, 'acme/priced');
      assert.equal(info.streamed, false);
      assert.equal(info.finishReason, 'stop');
      assert.equal(info.isByok, false);
      assert.ok(info.latency >= 0 && !Number.isNaN(Date.parse(info.createdAt)), JSON.stringify(info));
    });

    it('a streamed answer carries its cost in the finish part', async () => {
      const result = streaming({ model: gateway('acme/priced'), prompt: 'and streamed?', maxRetries: 0 });
      await result.consumeStream();
      result.failed();
      const usage = await result.usage;
      const meta = (await result.providerMetadata).gateway;
      near(Number(meta.cost), costOf(usage), 'streamed cost');
      const info = await infoOf(meta.generationId);
      assert.equal(info.streamed, true);
      near(info.totalCost, costOf(usage), 'totalCost');
    });

    it('an unpriced model has no cost (null), never 0', async () => {
      const result = await generateText({ model: gateway('sim/echo'), prompt: 'free?', maxRetries: 0 });
      assert.equal(result.providerMetadata.gateway.cost, null, JSON.stringify(result.providerMetadata.gateway));
    });

    it('getSpendReport totals the priced requests by model and by provider', async () => {
      await generateText({ model: gateway('sim/echo'), prompt: 'unpriced, for the report', maxRetries: 0 });
      const result = await generateText({ model: gateway('acme/priced'), prompt: 'for the report', maxRetries: 0 });
      await recordOf(gw, result.providerMetadata.gateway.generationId, auth);
      const byModel = await gateway.getSpendReport({ startDate: today(), endDate: today(), groupBy: 'model' });
      const row = byModel.results.find((r) => r.model === 'acme/priced');
      assert.ok(row, JSON.stringify(byModel));
      assert.ok(row.totalCost >= costOf(result.usage) - 1e-12, JSON.stringify(row));
      assert.ok(row.requestCount >= 1, JSON.stringify(row));
      assert.ok(row.inputTokens >= result.usage.inputTokens && row.outputTokens >= result.usage.outputTokens, JSON.stringify(row));
      const unpriced = byModel.results.find((r) => r.model === 'sim/echo');
      assert.ok(unpriced && unpriced.totalCost === 0 && unpriced.requestCount >= 1, JSON.stringify(unpriced));
      const byProvider = await gateway.getSpendReport({ startDate: today(), endDate: today(), groupBy: 'provider' });
      assert.ok(byProvider.results.some((r) => r.provider === 'sim' && r.totalCost > 0), JSON.stringify(byProvider));
      const total = (rows) => rows.reduce((sum, r) => sum + r.totalCost, 0);
      near(total(byProvider.results), total(byModel.results), 'the same spend grouped two ways');
    });

    // One request of user-42 tagged nightly (its usage), recorded, for the filter tests below,
    // after one of another user with another tag (which the filters must leave out).
    let tagged;
    async function taggedRequest() {
      if (tagged) return tagged;
      await generateText({
        model: gateway('acme/priced'), prompt: 'tagged otherwise', maxRetries: 0,
        providerOptions: { gateway: { user: 'user-7', tags: ['daily'] } },
      });
      const result = await generateText({
        model: gateway('acme/priced'), prompt: 'tagged', maxRetries: 0,
        providerOptions: { gateway: { user: 'user-42', tags: ['nightly'] } },
      });
      const record = await recordOf(gw, result.providerMetadata.gateway.generationId, auth);
      assert.equal(record.user, 'user-42');
      assert.deepEqual(record.tags, ['nightly']);
      tagged = result.usage;
      return tagged;
    }

    it('getSpendReport filters by user (userId)', async () => {
      const usage = await taggedRequest();
      const byUser = await gateway.getSpendReport({ startDate: today(), endDate: today(), groupBy: 'user', userId: 'user-42' });
      assert.deepEqual(byUser.results.map((r) => [r.user, r.requestCount]), [['user-42', 1]]);
      near(byUser.results[0].totalCost, costOf(usage), 'the user\'s spend');
    });

    it('getSpendReport filters by tags', async () => {
      const usage = await taggedRequest();
      const byTag = await gateway.getSpendReport({ startDate: today(), endDate: today(), groupBy: 'tag', tags: ['nightly'] });
      assert.deepEqual(byTag.results.map((r) => [r.tag, r.requestCount]), [['nightly', 1]]);
      near(byTag.results[0].totalCost, costOf(usage), 'the tag\'s spend');
    });

    it('getSpendReport filters by model', async () => {
      const byModel = await gateway.getSpendReport({ startDate: today(), endDate: today(), groupBy: 'provider', model: 'acme/priced' });
      assert.equal(byModel.results.length, 1, JSON.stringify(byModel));
      assert.equal(byModel.results[0].provider, 'sim');
      const all = await gateway.getSpendReport({ startDate: today(), endDate: today(), groupBy: 'model' });
      near(byModel.results[0].totalCost, all.results.find((r) => r.model === 'acme/priced').totalCost, 'acme/priced\'s spend');
    });

    it('getCredits: an unlimited balance and the team\'s spend so far', async () => {
      const result = await generateText({ model: gateway('acme/priced'), prompt: 'credits', maxRetries: 0 });
      await recordOf(gw, result.providerMetadata.gateway.generationId, auth);
      const credits = await gateway.getCredits();
      assert.equal(credits.balance, 'unlimited');
      assert.match(credits.totalUsed, /^\d+(\.\d+)?$/);
      const report = await gateway.getSpendReport({ startDate: today(), endDate: today() });
      const spent = report.results.reduce((sum, r) => sum + r.totalCost, 0);
      assert.ok(spent > 0);
      assert.ok(Math.abs(Number(credits.totalUsed) - spent) <= 1e-6, `credits ${credits.totalUsed} vs report ${spent}`);
    });

    it('another team sees none of it: no spend, and the generation is not found', async () => {
      const result = await generateText({ model: gateway('acme/priced'), prompt: 'private', maxRetries: 0 });
      const id = result.providerMetadata.gateway.generationId;
      await recordOf(gw, id, auth);
      const other = createGateway({ baseURL: `${gw.url}/v4/ai`, apiKey: OTHER_KEY });
      const credits = await other.getCredits();
      assert.equal(credits.balance, 'unlimited');
      assert.equal(Number(credits.totalUsed), 0);
      await assert.rejects(other.getGenerationInfo({ id }), (error) => {
        assert.equal(error.statusCode, 404, `${error?.name}: ${error?.message}`);
        return true;
      });
    });
  });

  describe('getAvailableModels', () => {
    it('lists the configured models with provider, type and pricing', async () => {
      const { models } = await gateway.getAvailableModels();
      const byId = new Map(models.map((m) => [m.id, m]));
      for (const id of ['acme/priced', 'acme/everywhere', 'acme/broken', 'acme/embed', 'house-echo'])
        assert.ok(byId.has(id), `${id} is listed: ${[...byId.keys()]}`);
      const priced = byId.get('acme/priced');
      assert.equal(priced.specification.provider, 'sim');
      assert.equal(priced.specification.specificationVersion, 'v4');
      assert.equal(typeof priced.name, 'string');
      assert.equal(priced.modelType, 'language');
      near(Number(priced.pricing.input), PRICE.input / 1e6, 'input price per token');
      near(Number(priced.pricing.output), PRICE.output / 1e6, 'output price per token');
      assert.equal(byId.get('house-echo').specification.provider, 'sim');
      assert.ok(byId.get('house-echo').pricing, 'an alias has its model\'s price');
      assert.equal(byId.get('acme/everywhere').pricing ?? null, null, 'an unpriced model has no pricing');
      assert.equal(byId.get('acme/embed').modelType, 'embedding');
    });

    it('a listed id works as a model: the alias answers', async () => {
      const result = await generateText({ model: gateway('house-echo'), prompt: 'via the alias', maxRetries: 0 });
      assert.equal(result.text, 'via the alias');
      assert.equal(result.response.headers['x-switchyard-provider'], 'sim');
    });
  });

  describe('providerOptions.gateway routing', () => {
    it('order puts providers first, in that order', async () => {
      for (const order of [['gem', 'claude'], ['claude', 'gem'], ['sim']]) {
        const result = await generateText({
          model: gateway('acme/everywhere'), prompt: 'ordered', maxRetries: 0,
          providerOptions: { gateway: { order } },
        });
        assert.equal(result.response.headers['x-switchyard-provider'], order[0], `order ${order}`);
        assert.equal(result.providerMetadata.gateway.routing.resolvedProvider, order[0]);
      }
    });

    it('models falls back to the next model when the first one fails', async () => {
      const result = await generateText({
        model: gateway('acme/broken'), prompt: 'rescued', maxRetries: 0,
        providerOptions: { gateway: { models: ['claude/echo'] } },
      });
      assert.equal(result.text, 'rescued');
      assert.equal(result.response.headers['x-switchyard-provider'], 'claude');
      const routing = result.providerMetadata.gateway.routing;
      assert.equal(routing.originalModelId, 'acme/broken');
      assert.equal(routing.resolvedModelId, 'claude/echo');
      assert.deepEqual(routing.attempts.map((a) => [a.provider, a.success]), [['sim', false], ['claude', true]]);
      assert.equal(routing.attempts[0].statusCode, 500);
      const info = await infoOf(result.providerMetadata.gateway.generationId);
      assert.equal(info.providerName, 'claude');
    });

    it('without a fallback, the failure reaches the caller as a retryable error', async () => {
      await assert.rejects(
        generateText({ model: gateway('acme/broken'), prompt: 'no rescue', maxRetries: 0 }),
        (error) => {
          assert.ok(error.statusCode >= 500, `${error?.name} ${error?.statusCode}: ${error?.message}`);
          assert.equal(error.isRetryable, true);
          assert.match(error.message, /simulated failure 500/);
          return true;
        });
    });
  });

  describe('ai\'s default provider', () => {
    it('resolves plain string model ids through AI_SDK_DEFAULT_PROVIDER = createGateway(...)', async () => {
      const saved = globalThis.AI_SDK_DEFAULT_PROVIDER;
      globalThis.AI_SDK_DEFAULT_PROVIDER = createGateway({ baseURL: `${gw.url}/v4/ai`, apiKey: KEY });
      try {
        const text = await generateText({ model: 'claude/echo', prompt: 'a plain string model id', maxRetries: 0 });
        assert.equal(text.text, 'a plain string model id');
        assert.equal(text.response.headers['x-switchyard-provider'], 'claude');
        const vector = await embed({ model: 'sim/embed', value: 'plain', maxRetries: 0 });
        assert.ok(vector.embedding.length > 0);
      } finally {
        globalThis.AI_SDK_DEFAULT_PROVIDER = saved;
      }
    });
  });

  describe('the earlier route prefixes', () => {
    for (const prefix of ['/v1/ai', '/v3/ai']) {
      it(`${prefix} serves the same protocol to this SDK`, async () => {
        const older = createGateway({ baseURL: `${gw.url}${prefix}`, apiKey: KEY });
        const result = await generateText({ model: older('gem/echo'), prompt: `through ${prefix}`, maxRetries: 0 });
        assert.equal(result.text, `through ${prefix}`);
        const { models } = await older.getAvailableModels();
        assert.ok(models.some((m) => m.id === 'acme/priced'), JSON.stringify(models.map((m) => m.id)));
      });
    }

    it('answers AI SDK 5 (specification version 2) with a string finishReason and flat usage', async () => {
      const r = await postJson(`${gw.url}/v1/ai/language-model`, {
        prompt: [{ role: 'user', content: [{ type: 'text', text: 'version two' }] }],
      }, {
        authorization: `Bearer ${KEY}`, 'ai-gateway-protocol-version': '0.0.1', 'ai-gateway-auth-method': 'api-key',
        'ai-language-model-specification-version': '2', 'ai-language-model-id': 'sim/echo', 'ai-language-model-streaming': 'false',
      });
      assert.equal(r.status, 200);
      const body = await r.json();
      assert.deepEqual(body.content, [{ type: 'text', text: 'version two' }]);
      assert.equal(body.finishReason, 'stop');
      assert.equal(typeof body.usage.inputTokens, 'number');
      assert.equal(body.usage.outputTokens, 2);
    });
  });

  describe('errors', () => {
    it('a wrong key is a GatewayAuthenticationError (401), for model calls and metadata alike', async () => {
      const wrong = createGateway({ baseURL: `${gw.url}/v4/ai`, apiKey: 'sk-not-a-gateway-key' });
      // generateText hands the provider's GatewayAuthenticationError to its wrapGatewayError, which
      // keeps the name and replaces the message with its advice on keys.
      await assert.rejects(generateText({ model: wrong('sim/echo'), prompt: 'x', maxRetries: 0 }), (error) => {
        assert.equal(error.name, 'GatewayAuthenticationError', error.message);
        assert.match(error.message, /Unauthenticated request to AI Gateway/);
        return true;
      });
      // The model itself, and the metadata calls, throw the provider's own class with the status.
      await assert.rejects(wrong('sim/echo').doGenerate({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }), (error) => {
        assert.ok(GatewayAuthenticationError.isInstance(error), `${error?.name}: ${error?.message}`);
        assert.equal(error.statusCode, 401);
        assert.match(error.message, /Invalid API key/);
        return true;
      });
      for (const call of [() => wrong.getAvailableModels(), () => wrong.getCredits()]) {
        await assert.rejects(call(), (error) => {
          assert.ok(GatewayAuthenticationError.isInstance(error), `${error?.name}: ${error?.message}`);
          assert.equal(error.statusCode, 401);
          return true;
        });
      }
    });

    it('an unknown model is a GatewayModelNotFoundError naming the model', async () => {
      await assert.rejects(generateText({ model: gateway('nowhere/no-such-model'), prompt: 'x', maxRetries: 0 }), (error) => {
        assert.ok(GatewayModelNotFoundError.isInstance(error), `${error?.name}: ${error?.message}`);
        assert.equal(error.statusCode, 404);
        assert.equal(error.modelId, 'nowhere/no-such-model');
        return true;
      });
    });
  });
});
