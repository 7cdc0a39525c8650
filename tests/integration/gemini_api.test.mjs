// Google's Gemini API (POST /v1[beta]/{model}:generateContent, :streamGenerateContent?alt=sse,
// :countTokens, :embedContent, :batchEmbedContents) driven by Google's SDK (@google/genai, which
// calls /v1) and the AI SDK's Google provider (@ai-sdk/google, pointed at /v1beta), against the
// three provider types: OpenAI's (sim) and Anthropic's (claude) translated, Gemini's (gem) passed
// through. The key goes in x-goog-api-key, and the gateway checks it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GoogleGenAI, ApiError, Type } from '@google/genai';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { generateText, streamText, embed, embedMany, tool, stepCountIs } from 'ai';
import { z } from 'zod';
import { startSim, startGateway } from './harness.mjs';

const KEY = 'gemini-client-key-0001';
const PROVIDERS = ['sim', 'claude', 'gem'];  // OpenAI, Anthropic and Gemini types
// A configured model id (no slash) per provider, each serving the simulator's echo.
const CONFIGURED = { sim: 'house-openai', claude: 'house-anthropic', gem: 'house-gemini' };
const LOREM6 = 'The gateway routes every request to';

const config = `
auth:
  keys:
    - {key: ${KEY}, team: gteam}
providers:
  sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  claude: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  gem: {type: gemini, base_url: 'SIM_URL/gemini', api_key: k}
models:
${PROVIDERS.map((p) => `  ${CONFIGURED[p]}:\n    routes: [{provider: ${p}, model: echo}]`).join('\n')}
  house-embed:
    routes: [{provider: sim, model: embed}]
  signed-gemini:
    routes: [{provider: gem, model: 'echo~signed=1'}]
`;

const weatherDeclaration = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
};
const weatherTools = [{ functionDeclarations: [weatherDeclaration] }];

// What genai throws for an HTTP error: an ApiError with the status, and the body as its message.
function apiError(status, rpcStatus) {
  return (error) => {
    assert.ok(error instanceof ApiError, `${error?.name}: ${error?.message}`);
    assert.equal(error.status, status, error.message);
    const body = JSON.parse(error.message);
    assert.equal(body.error.code, status);
    assert.equal(body.error.status, rpcStatus);
    assert.equal(typeof body.error.message, 'string');
    return true;
  };
}

function countingTool(calls) {
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

describe('Gemini API', () => {
  let sim, gw, ai, google;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(config, sim);
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: gw.url } });
    google = createGoogleGenerativeAI({ baseURL: `${gw.url}/v1beta`, apiKey: KEY });
  });
  after(async () => {
    // A gateway that died (a crash is a signal: exitCode stays null) fails the file with its log.
    const died = gw && (gw.proc.exitCode !== null || gw.proc.signalCode !== null);
    if (gw && !died) await gw.stop();
    await sim?.stop();
    if (died) throw new Error(`the gateway died (${gw.proc.exitCode ?? gw.proc.signalCode}):\n${gw.output().slice(-4000)}`);
  });

  describe('@google/genai', () => {
    for (const provider of PROVIDERS) {
      describe(`provider ${provider}`, () => {
        it('generateContent answers with text, finishReason and usageMetadata', async () => {
          const response = await ai.models.generateContent({ model: `${provider}/echo`, contents: 'hello from google genai' });
          assert.equal(response.text, 'hello from google genai');
          assert.equal(response.candidates.length, 1);
          assert.equal(response.candidates[0].finishReason, 'STOP');
          assert.equal(response.candidates[0].content.role, 'model');
          const usage = response.usageMetadata;
          assert.ok(usage.promptTokenCount > 0, JSON.stringify(usage));
          assert.equal(usage.candidatesTokenCount, 4);  // the four words echoed
          assert.equal(usage.totalTokenCount, usage.promptTokenCount + usage.candidatesTokenCount);
          assert.equal(response.sdkHttpResponse.headers['x-switchyard-provider'], provider);
        });

        it(`generateContent with a configured model id (${CONFIGURED[provider]})`, async () => {
          const response = await ai.models.generateContent({
            model: CONFIGURED[provider], contents: 'configured id', config: { systemInstruction: 'Repeat the user.', temperature: 0.2 },
          });
          assert.equal(response.text, 'configured id');
          assert.equal(response.sdkHttpResponse.headers['x-switchyard-provider'], provider);
          assert.equal(response.sdkHttpResponse.headers['x-switchyard-model'], CONFIGURED[provider]);
        });

        it('generateContentStream: the chunks make the text, the last one finishes with usage', async () => {
          const stream = await ai.models.generateContentStream({ model: `${provider}/lorem~len=6`, contents: 'go' });
          const chunks = [];
          for await (const chunk of stream) chunks.push(chunk);
          assert.ok(chunks.length > 1, `streamed in ${chunks.length} chunk(s)`);
          assert.equal(chunks.map((c) => c.text ?? '').join(''), LOREM6);
          for (const chunk of chunks) assert.equal(chunk.candidates[0].content.role, 'model', JSON.stringify(chunk));
          assert.deepEqual(chunks.slice(0, -1).map((c) => c.candidates[0].finishReason), chunks.slice(0, -1).map(() => undefined),
            'only the last chunk finishes');
          const last = chunks.at(-1);
          assert.equal(last.candidates[0].finishReason, 'STOP');
          assert.equal(last.usageMetadata.candidatesTokenCount, 6);
          assert.ok(last.usageMetadata.promptTokenCount > 0, JSON.stringify(last.usageMetadata));
        });

        it('calls a function and answers its functionResponse', async () => {
          const model = `${provider}/echo`;
          const prompt = { role: 'user', parts: [{ text: 'weather in Oslo? [call]' }] };
          const first = await ai.models.generateContent({ model, contents: [prompt], config: { tools: weatherTools } });
          assert.equal(first.functionCalls?.length, 1, JSON.stringify(first.candidates));
          const [call] = first.functionCalls;
          assert.equal(call.name, 'get_weather');
          assert.deepEqual(call.args, { city: 'sim' });
          assert.equal(first.candidates[0].finishReason, 'STOP');
          // As Google's documentation does it: the model's turn as it came, then the result by name.
          const second = await ai.models.generateContent({
            model,
            contents: [
              prompt,
              first.candidates[0].content,
              { role: 'user', parts: [{ functionResponse: { name: call.name, response: { temp: 4 } } }] },
            ],
            config: { tools: weatherTools },
          });
          assert.equal(second.functionCalls, undefined);
          assert.match(second.text, /^Tool result: .*"temp":\s?4/);
        });

        it('runs a function call round trip in a chat session', async () => {
          const chat = ai.chats.create({ model: CONFIGURED[provider], config: { tools: weatherTools } });
          const first = await chat.sendMessage({ message: 'weather? [call]' });
          const [call] = first.functionCalls ?? [];
          assert.equal(call?.name, 'get_weather', JSON.stringify(first.candidates));
          const functionResponse = { name: call.name, response: { forecast: 'sunny' } };
          if (call.id) functionResponse.id = call.id;
          const second = await chat.sendMessage({ message: [{ functionResponse }] });
          assert.match(second.text, /^Tool result: .*sunny/);
          const history = chat.getHistory();
          assert.deepEqual(history.map((c) => c.role), ['user', 'model', 'user', 'model'], 'the chat recorded every turn');
          assert.ok(history[1].parts.some((p) => p.functionCall), JSON.stringify(history[1]));
        });

        it('countTokens counts a longer text as more tokens', async () => {
          const short = await ai.models.countTokens({ model: `${provider}/echo`, contents: 'hi' });
          const long = await ai.models.countTokens({ model: `${provider}/echo`, contents: 'count these words please '.repeat(20) });
          assert.ok(Number.isInteger(short.totalTokens) && short.totalTokens > 0, JSON.stringify(short));
          assert.ok(long.totalTokens > short.totalTokens, `${long.totalTokens} > ${short.totalTokens}`);
        });
      });
    }

    for (const model of ['sim/embed', 'gem/embed', 'house-embed']) {
      it(`embedContent: one content and several, one values array each, in order (${model})`, async () => {
        const one = await ai.models.embedContent({ model, contents: 'beta' });
        assert.equal(one.embeddings.length, 1);
        assert.ok(one.embeddings[0].values.length > 0 && one.embeddings[0].values.every((x) => typeof x === 'number'),
          JSON.stringify(one.embeddings));
        const many = await ai.models.embedContent({ model, contents: ['alpha', 'beta', 'gamma'] });
        assert.equal(many.embeddings.length, 3);
        assert.deepEqual(many.embeddings[1].values, one.embeddings[0].values, 'the second is the vector of "beta"');
        assert.notDeepEqual(many.embeddings[0].values, many.embeddings[1].values);
        const sized = await ai.models.embedContent({ model, contents: ['a', 'b'], config: { outputDimensionality: 4 } });
        assert.deepEqual(sized.embeddings.map((e) => e.values.length), [4, 4]);
      });
    }

    it('embedContent on an Anthropic provider is a 400 INVALID_ARGUMENT', async () => {
      await assert.rejects(ai.models.embedContent({ model: 'claude/embed', contents: 'x' }), apiError(400, 'INVALID_ARGUMENT'));
    });

    describe('a Gemini model that signs its function calls (echo~signed=1)', () => {
      const prompt = { role: 'user', parts: [{ text: 'weather? [call]' }] };
      const result = { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 4 } } }] };

      it('keeps the thoughtSignature, so the round trip succeeds', async () => {
        const first = await ai.models.generateContent({ model: 'signed-gemini', contents: [prompt], config: { tools: weatherTools } });
        const part = first.candidates[0].content.parts.find((p) => p.functionCall);
        assert.ok(part?.thoughtSignature, `the call comes with its signature: ${JSON.stringify(first.candidates[0].content)}`);
        const second = await ai.models.generateContent({
          model: 'signed-gemini', contents: [prompt, first.candidates[0].content, result], config: { tools: weatherTools },
        });
        assert.match(second.text, /^Tool result: .*"temp":\s?4/);
      });

      it('and a history without it is refused by the model (the check above is live)', async () => {
        const first = await ai.models.generateContent({ model: 'signed-gemini', contents: [prompt], config: { tools: weatherTools } });
        const unsigned = { role: 'model', parts: first.candidates[0].content.parts.map(({ thoughtSignature, ...rest }) => rest) };
        await assert.rejects(
          ai.models.generateContent({ model: 'signed-gemini', contents: [prompt, unsigned, result], config: { tools: weatherTools } }),
          (error) => {
            apiError(400, 'INVALID_ARGUMENT')(error);
            assert.match(error.message, /thought_signature/);
            return true;
          });
      });

      it('streams the signed call, and the chat sends it back', async () => {
        const chat = ai.chats.create({ model: 'signed-gemini', config: { tools: weatherTools } });
        const chunks = [];
        for await (const chunk of await chat.sendMessageStream({ message: 'weather? [call]' })) chunks.push(chunk);
        const calls = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []).filter((p) => p.functionCall);
        assert.equal(calls.length, 1, JSON.stringify(chunks));
        assert.ok(calls[0].thoughtSignature);
        const second = await chat.sendMessage({ message: [{ functionResponse: { name: 'get_weather', response: { temp: 4 } } }] });
        assert.match(second.text, /^Tool result: .*"temp":\s?4/);
      });
    });

    it('a wrong key is ApiError 401 UNAUTHENTICATED', async () => {
      const wrong = new GoogleGenAI({ apiKey: 'not-a-gateway-key', httpOptions: { baseUrl: gw.url } });
      await assert.rejects(wrong.models.generateContent({ model: 'sim/echo', contents: 'x' }), apiError(401, 'UNAUTHENTICATED'));
      await assert.rejects(
        (async () => { for await (const chunk of await wrong.models.generateContentStream({ model: 'gem/echo', contents: 'x' })) void chunk; })(),
        apiError(401, 'UNAUTHENTICATED'));
    });

    it('an unknown model is ApiError 404 NOT_FOUND', async () => {
      await assert.rejects(ai.models.generateContent({ model: 'nowhere/no-such-model', contents: 'x' }), apiError(404, 'NOT_FOUND'));
    });
  });

  describe('@ai-sdk/google', () => {
    for (const provider of PROVIDERS) {
      describe(`provider ${provider}`, () => {
        for (const model of [`${provider}/echo`, CONFIGURED[provider]]) {
          it(`generateText answers with text and usage (${model})`, async () => {
            const result = await generateText({ model: google(model), prompt: 'hello from the ai sdk', maxRetries: 0 });
            assert.equal(result.text, 'hello from the ai sdk');
            assert.equal(result.finishReason, 'stop');
            assert.ok(result.usage.inputTokens > 0, JSON.stringify(result.usage));
            assert.equal(result.usage.outputTokens, 5);
            assert.equal(result.response.headers['x-switchyard-provider'], provider);
          });
        }

        it('streamText streams the text with usage', async () => {
          const result = streaming({ model: google(`${provider}/lorem~len=6`), prompt: 'go', maxRetries: 0 });
          const pieces = [];
          for await (const piece of result.textStream) pieces.push(piece);
          result.failed();
          assert.ok(pieces.length > 1, `streamed in pieces: ${JSON.stringify(pieces)}`);
          assert.equal(pieces.join(''), LOREM6);
          const usage = await result.usage;
          assert.equal(usage.outputTokens, 6);
          assert.ok(usage.inputTokens > 0, JSON.stringify(usage));
          assert.equal(await result.finishReason, 'stop');
        });

        it('runs a tool loop to the tool\'s result', async () => {
          const calls = [];
          const result = await generateText({
            model: google(`${provider}/echo`),
            tools: { get_weather: countingTool(calls) },
            stopWhen: stepCountIs(2),
            prompt: 'weather in Oslo? [call]',
            maxRetries: 0,
          });
          assert.deepEqual(calls, ['sim']);
          assert.equal(result.steps.length, 2);
          assert.equal(result.steps[0].finishReason, 'tool-calls');
          assert.match(result.text, /^Tool result: .*sunny in sim/);
        });
      });
    }

    for (const model of ['sim/embed', 'gem/embed', 'house-embed']) {
      it(`embed and embedMany (${model})`, async () => {
        const one = await embed({ model: google.embedding(model), value: 'beta', maxRetries: 0 });
        assert.ok(one.embedding.length > 0 && one.embedding.every((x) => typeof x === 'number'), JSON.stringify(one.embedding));
        const many = await embedMany({ model: google.embedding(model), values: ['alpha', 'beta', 'gamma'], maxRetries: 0 });
        assert.equal(many.embeddings.length, 3);
        assert.deepEqual(many.embeddings[1], one.embedding, 'the second is the vector of "beta"');
      });
    }

    describe('a Gemini model that signs its function calls (gem/echo~signed=1)', () => {
      it('generateText completes a tool loop (the signature comes back)', async () => {
        const calls = [];
        const result = await generateText({
          model: google('gem/echo~signed=1'),
          tools: { get_weather: countingTool(calls) },
          stopWhen: stepCountIs(2),
          prompt: 'weather? [call]',
          maxRetries: 0,
        });
        assert.deepEqual(calls, ['sim']);
        assert.ok(result.steps[0].toolCalls[0].providerMetadata?.google?.thoughtSignature, JSON.stringify(result.steps[0].toolCalls));
        assert.match(result.text, /^Tool result: .*sunny in sim/);
      });

      it('streamText completes a tool loop too', async () => {
        const calls = [];
        const result = streaming({
          model: google('gem/echo~signed=1'),
          tools: { get_weather: countingTool(calls) },
          stopWhen: stepCountIs(2),
          prompt: 'weather? [call]',
          maxRetries: 0,
        });
        let text = '';
        for await (const piece of result.textStream) text += piece;
        result.failed();
        assert.deepEqual(calls, ['sim']);
        assert.match(text, /^Tool result: .*sunny in sim/);
      });
    });
  });
});
