// The Vercel AI SDK (`ai` with @ai-sdk/openai-compatible) pointed at the gateway: generateText
// with tools and streamText, against an OpenAI-format and a translated (Anthropic) provider.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateText, streamText, tool, stepCountIs } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { z } from 'zod';
import { startSim, startGateway } from './harness.mjs';

describe('Vercel AI SDK through the gateway', () => {
  let sim, gw, gateway;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
providers:
  sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  claude: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
`, sim);
    gateway = createOpenAICompatible({ name: 'switchyard', baseURL: `${gw.url}/v1`, apiKey: 'unused', includeUsage: true });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  for (const model of ['sim/echo', 'claude/echo']) {
    it(`generateText runs a tool and answers with its result (${model})`, async () => {
      let called;
      const result = await generateText({
        model: gateway(model),
        tools: {
          get_weather: tool({
            description: 'Weather for a city',
            inputSchema: z.object({ city: z.string() }),
            execute: async ({ city }) => {
              called = city;
              return `sunny in ${city}`;
            },
          }),
        },
        stopWhen: stepCountIs(2),
        prompt: 'weather in Oslo? [call]',
      });
      assert.equal(called, 'sim');
      assert.equal(result.steps.length, 2);
      assert.equal(result.steps[0].finishReason, 'tool-calls');
      assert.match(result.text, /^Tool result: .*sunny in sim/);
    });

    it(`streamText streams the answer with usage (${model})`, async () => {
      const result = streamText({ model: gateway(`${model.split('/')[0]}/lorem~len=6`), prompt: 'go' });
      let text = '';
      for await (const part of result.textStream) text += part;
      assert.equal(text, 'The gateway routes every request to');
      assert.equal((await result.usage).outputTokens, 6);
      assert.equal(await result.finishReason, 'stop');
    });
  }
});
