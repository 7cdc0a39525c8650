// No parameter dropped in silence: a chat request's `n` and `logprobs` reach a Gemini provider as
// candidateCount and responseLogprobs (its candidates come back as choices, its logprobsResult
// as logprobs), reach an OpenAI-compatible host as they are, and are refused by an Anthropic
// route, which cannot serve them: with a 400 naming the parameter when it is the only route, or
// by going on to a route that can.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startSim, startGateway, assertSchema } from './harness.mjs';

describe('n and logprobs', () => {
  let sim, gw, client;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
providers:
  sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  claude: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  gem: {type: gemini, base_url: 'SIM_URL/gemini', api_key: k}
models:
  team/either: {routes: [{provider: claude, model: echo}, {provider: gem, model: echo}]}
`, sim);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  for (const model of ['sim/echo', 'gem/echo']) {
    it(`answers n choices, each with its logprobs (${model})`, async () => {
      const answer = await client.chat.completions.create({
        model, n: 2, logprobs: true, top_logprobs: 1, messages: [{ role: 'user', content: 'two words' }],
      });
      assertSchema('CreateChatCompletionResponse', answer);
      assert.deepEqual(answer.choices.map((c) => [c.index, c.message.content]), [[0, 'two words'], [1, 'two words']]);
      for (const choice of answer.choices) {
        const tokens = choice.logprobs.content;
        assert.equal(tokens.map((t) => t.token).join(''), 'two words');
        assert.ok(tokens.every((t) => t.logprob < 0), JSON.stringify(tokens));
      }
    });
  }

  it('refuses n > 1 and logprobs on an Anthropic route, naming the parameter', async () => {
    for (const [extra, param] of [[{ n: 2 }, 'n'], [{ logprobs: true }, 'logprobs']]) {
      await assert.rejects(
        client.chat.completions.create({ model: 'claude/echo', ...extra, messages: [{ role: 'user', content: 'x' }] }),
        (e) => e instanceof OpenAI.BadRequestError && e.param === param && /Anthropic/.test(e.message));
    }
  });

  it('goes on to a route that can serve n when the first cannot', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'team/either', n: 2, messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-provider'), 'gem');
    assert.equal(data.choices.length, 2);
    const plain = await client.chat.completions.create({ model: 'team/either', messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    assert.equal(plain.response.headers.get('x-switchyard-provider'), 'claude');
  });
});
