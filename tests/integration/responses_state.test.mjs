// The Responses API's state (store, previous_response_id, item_reference, GET/DELETE
// /v1/responses/{id}, input_items) through the real binary and simulator: two gateways sharing one
// PostgreSQL, one gateway on SQLite (teams, store: false, across providers), and the signed
// reasoning that Anthropic and Gemini need back in a tool loop, sent back by the openai SDK with
// store: false.
//
// The simulator's `echo` answers the last user text it received, and its prompt token count is
// the characters it received over four: a continuation whose input is empty echoes the earlier
// turn's user text (which only the stored conversation can have brought), and a longer history
// counts more input tokens.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { startSim, startGateway, startPostgres, postJson } from './harness.mjs';

const X = 'sk-team-x-0123456789', Y = 'sk-team-y-0123456789', ADMIN = 'sk-admin-0123456789';
const bearer = (key) => ({ authorization: `Bearer ${key}` });

const providers = `
providers:
  o: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  a: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  g: {type: gemini, base_url: 'SIM_URL/gemini', api_key: k}
  r: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k, responses_api: true}
`;
const teams = `
auth:
  keys:
    - {key: ${X}, team: x}
    - {key: ${Y}, team: y}
admin_key: ${ADMIN}
`;

const weatherTool = {
  type: 'function', name: 'get_weather', description: 'Current weather for a city', strict: true,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};
const CODE = 'The code word is PELICAN.';
const QUESTION = 'What was the code word?';

const client = (gw, key) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key ?? 'unused-without-auth', maxRetries: 0 });
const textOf = (response) => response.output.filter((i) => i.type === 'message')
  .flatMap((i) => i.content).filter((c) => c.type === 'output_text').map((c) => c.text).join('');
const itemText = (item) => (typeof item.content === 'string' ? item.content : item.content.map((c) => c.text).join(''));

// POST /v1/responses read whole: {status, headers, body}.
async function respond(gw, body, headers = {}) {
  const r = await postJson(`${gw.url}/v1/responses`, body, headers);
  return { status: r.status, headers: r.headers, body: await r.json() };
}
async function getJson(url, headers = {}, method = 'GET') {
  const r = await fetch(url, { method, headers });
  return { status: r.status, body: await r.json() };
}
// The response `id` as GET /v1/responses/{id} on `gw` answers it once it is there. Stored
// responses are written asynchronously (on the gateway's blocking pool, after the answer has been
// sent), so a reader on another gateway of the same store — or a test that is not about the
// moment right after the answer — polls, bounded, instead of sleeping a fixed time.
async function whenStored(gw, id, headers = {}) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await getJson(`${gw.url}/v1/responses/${id}`, headers);
    if (r.status === 200) return r.body;
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.ok(Date.now() < deadline, `${id} not readable on ${gw.url} within 5 s`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}
// The record of generation `id` once the writer has stored it (polled, bounded): the request has
// finished everything it does after its answer.
async function whenRecorded(gw, id, headers = {}) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await fetch(`${gw.url}/v1/generation?id=${id}`, { headers });
    if (r.status === 200) return (await r.json()).data;
    assert.ok(Date.now() < deadline, `no record of ${id} within 5 s`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}
function assertNotFound(r, id, param, code = 'response_not_found') {
  assert.equal(r.status, 404, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code);
  assert.equal(r.body.error.param, param);
  assert.equal(r.body.error.type, 'invalid_request_error');
  if (id) assert.match(r.body.error.message, new RegExp(id));
}

describe('Responses state: two gateways sharing one PostgreSQL', () => {
  let sim, pg, gwA, gwB;
  before(async () => {
    sim = await startSim();
    pg = await startPostgres();
    const yaml = `storage: ${pg.url}\n${teams}${providers}`;
    gwA = await startGateway(yaml, sim);
    gwB = await startGateway(yaml, sim);
  });
  after(async () => {
    await gwA?.stop();
    await gwB?.stop();
    await sim?.stop();
    try { pg?.stop(); } catch { /* already stopped */ }
  });

  it('continues on gateway B a response stored on A, reads it and its input items from B, and deletes it from B for A too', async () => {
    const a = client(gwA, X), b = client(gwB, X);
    const first = await a.responses.create({ model: 'o/echo', input: CODE });  // store: true by default
    assert.equal(first.store, true);
    assert.equal(first.output_text, CODE);

    // A writes the response to PostgreSQL after it has answered: B polls until it can read it.
    const seen = await whenStored(gwB, first.id, bearer(X));
    assert.equal(seen.id, first.id);

    const second = await b.responses.create({ model: 'o/echo', input: QUESTION, previous_response_id: first.id });
    assert.equal(second.output_text, QUESTION);
    assert.equal(second.previous_response_id, first.id);
    assert.ok(second.usage.input_tokens > first.usage.input_tokens,
      `the earlier turn went upstream too: ${second.usage.input_tokens} vs ${first.usage.input_tokens} input tokens`);
    // With nothing new, echo answers the last user text the provider received: the first turn's,
    // which reached the provider only through the stored conversation.
    const recalled = await b.responses.create({ model: 'o/echo', input: [], previous_response_id: first.id });
    assert.equal(recalled.output_text, CODE);

    // GET /v1/responses/{id} from B, through the SDK: the response as A answered it.
    const retrieved = await b.responses.retrieve(first.id);
    assert.equal(retrieved.id, first.id);
    assert.equal(retrieved.object, 'response');
    assert.equal(retrieved.status, 'completed');
    assert.equal(retrieved.model, 'o/echo');
    assert.equal(retrieved.previous_response_id, null);
    assert.deepEqual(retrieved.output, first.output);
    assert.equal(retrieved.usage.input_tokens, first.usage.input_tokens);

    // Input items, newest first: the second turn's are its question after the whole first turn.
    await whenStored(gwB, second.id, bearer(X));  // B's own write is asynchronous too
    const items = await getJson(`${gwB.url}/v1/responses/${second.id}/input_items`, bearer(X));
    assert.equal(items.status, 200, JSON.stringify(items.body));
    const list = items.body;
    assert.equal(list.object, 'list');
    assert.equal(list.has_more, false);
    assert.deepEqual(list.data.map((i) => [i.role, itemText(i)]), [['user', QUESTION], ['assistant', CODE], ['user', CODE]]);
    assert.equal(list.data[1].id, first.output[0].id, 'the first answer keeps its item id');
    assert.equal(list.first_id, list.data[0].id);
    assert.equal(list.last_id, list.data.at(-1).id);
    assert.ok(list.data.every((i) => typeof i.id === 'string' && i.id), 'every listed item has an id');
    const sdkItems = [];
    for await (const item of b.responses.inputItems.list(first.id)) sdkItems.push(item);
    assert.deepEqual(sdkItems.map((i) => [i.role, itemText(i)]), [['user', CODE]]);
    // And the other way: A reads what B stored.
    assert.equal((await whenStored(gwA, second.id, bearer(X))).previous_response_id, first.id);

    // DELETE from B; then neither gateway knows it.
    const deleted = await getJson(`${gwB.url}/v1/responses/${first.id}`, bearer(X), 'DELETE');
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.deepEqual(deleted.body, { id: first.id, object: 'response.deleted', deleted: true });
    assertNotFound(await getJson(`${gwB.url}/v1/responses/${first.id}`, bearer(X)), first.id, 'response_id');
    assertNotFound(await getJson(`${gwA.url}/v1/responses/${first.id}`, bearer(X)), first.id, 'response_id');
    await assert.rejects(a.responses.create({ model: 'o/echo', input: QUESTION, previous_response_id: first.id }), (e) =>
      e instanceof OpenAI.NotFoundError && e.code === 'response_not_found' && e.param === 'previous_response_id');
    // Deleting the first turn leaves the second, which holds its own copy of the conversation.
    const third = await a.responses.create({ model: 'o/echo', input: [], previous_response_id: second.id });
    assert.equal(third.output_text, QUESTION);
  });
});

describe('Responses state on SQLite', () => {
  let sim, gw;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`${teams}${providers}`, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it("keeps a team's response from another team's key and shows it to the admin key", async () => {
    const mine = await respond(gw, { model: 'o/echo', input: 'only for team x' }, bearer(X));
    assert.equal(mine.status, 200);
    const { id } = mine.body;
    await whenStored(gw, id, bearer(X));

    const asY = bearer(Y);
    assertNotFound(await getJson(`${gw.url}/v1/responses/${id}`, asY), id, 'response_id');
    assertNotFound(await getJson(`${gw.url}/v1/responses/${id}/input_items`, asY), id, 'response_id');
    assertNotFound(await getJson(`${gw.url}/v1/responses/${id}`, asY, 'DELETE'), id, 'response_id');
    assertNotFound(await respond(gw, { model: 'o/echo', input: 'x', previous_response_id: id }, asY), id, 'previous_response_id');
    assertNotFound(await respond(gw, { model: 'o/echo', input: [{ type: 'item_reference', id: mine.body.output[0].id }] }, asY),
      mine.body.output[0].id, 'input[0]', 'item_not_found');
    await assert.rejects(client(gw, Y).responses.retrieve(id), (e) => e instanceof OpenAI.NotFoundError && e.code === 'response_not_found');
    assert.equal((await getJson(`${gw.url}/v1/responses/${id}`)).status, 401, 'no key, no response');

    const asAdmin = await getJson(`${gw.url}/v1/responses/${id}`, bearer(ADMIN));
    assert.equal(asAdmin.status, 200);
    assert.equal(asAdmin.body.id, id);
    assert.equal(textOf(asAdmin.body), 'only for team x');
    const adminItems = await getJson(`${gw.url}/v1/responses/${id}/input_items`, bearer(ADMIN));
    assert.deepEqual(adminItems.body.data.map(itemText), ['only for team x']);
    // Team y's DELETE was a 404 and removed nothing.
    assert.equal((await getJson(`${gw.url}/v1/responses/${id}`, bearer(X))).status, 200);
  });

  it('keeps nothing for a request with store: false', async () => {
    const unstored = await respond(gw, { model: 'o/echo', input: 'forget me', store: false }, bearer(X));
    assert.equal(unstored.status, 200);
    assert.equal(unstored.body.store, false);
    // A barrier without a fixed sleep: a stored response answered after it is readable, so the
    // earlier one would have been written by now had it been kept.
    const later = await respond(gw, { model: 'o/echo', input: 'keep me' }, bearer(X));
    await whenStored(gw, later.body.id, bearer(X));
    const { id } = unstored.body;
    assertNotFound(await getJson(`${gw.url}/v1/responses/${id}`, bearer(X)), id, 'response_id');
    assertNotFound(await getJson(`${gw.url}/v1/responses/${id}`, bearer(ADMIN)), id, 'response_id');
    assertNotFound(await getJson(`${gw.url}/v1/responses/${id}/input_items`, bearer(X)), id, 'response_id');
    assertNotFound(await respond(gw, { model: 'o/echo', input: 'x', previous_response_id: id }, bearer(X)), id, 'previous_response_id');
    assertNotFound(await respond(gw, { model: 'o/echo', input: [{ type: 'item_reference', id: unstored.body.output[0].id }] }, bearer(X)),
      unstored.body.output[0].id, 'input[0]', 'item_not_found');
  });

  it('keeps nothing with `responses: {store: false}` in the config: previous_response_id is a 404', async () => {
    const off = await startGateway(`responses: {store: false}\n${teams}${providers}`, sim);
    try {
      const answered = await respond(off, { model: 'o/echo', input: CODE }, bearer(X));
      assert.equal(answered.status, 200);
      const { id } = answered.body;
      // The request has finished (its record, written after the answer, is stored).
      await whenRecorded(off, id, bearer(X));
      assertNotFound(await getJson(`${off.url}/v1/responses/${id}`, bearer(X)), id, 'response_id');
      assertNotFound(await getJson(`${off.url}/v1/responses/${id}`, bearer(ADMIN)), id, 'response_id');
      assertNotFound(await getJson(`${off.url}/v1/responses/${id}/input_items`, bearer(X)), id, 'response_id');
      assertNotFound(await respond(off, { model: 'o/echo', input: QUESTION, previous_response_id: id }, bearer(X)), id, 'previous_response_id');
      await assert.rejects(client(off, X).responses.create({ model: 'a/echo', input: QUESTION, previous_response_id: id }), (e) =>
        e instanceof OpenAI.NotFoundError && e.code === 'response_not_found' && e.param === 'previous_response_id');
      // An item reference cannot be resolved without stored responses: refused, naming the input.
      const ref = await respond(off, { model: 'o/echo', input: [{ type: 'item_reference', id: answered.body.output[0].id }] }, bearer(X));
      assert.equal(ref.status, 400, JSON.stringify(ref.body));
      assert.equal(ref.body.error.param, 'input');
      assert.match(ref.body.error.message, /item references need stored responses/);
    } finally {
      await off.stop();
    }
  });

  it('continues a conversation begun on Anthropic on Gemini, and then on an OpenAI chat host', async () => {
    const x = client(gw, X);
    const first = await x.responses.create({ model: 'a/echo', input: CODE }).withResponse();
    assert.equal(first.response.headers.get('x-switchyard-provider'), 'a');
    await whenStored(gw, first.data.id, bearer(X));

    const second = await x.responses.create({ model: 'g/echo', input: QUESTION, previous_response_id: first.data.id }).withResponse();
    assert.equal(second.response.headers.get('x-switchyard-provider'), 'g');
    assert.equal(second.data.output_text, QUESTION);
    assert.equal(second.data.previous_response_id, first.data.id);
    assert.ok(second.data.usage.input_tokens > first.data.usage.input_tokens,
      `${second.data.usage.input_tokens} vs ${first.data.usage.input_tokens} input tokens`);
    // Gemini received the Anthropic turn (its input grew by it, above). Continuing with no new
    // input would end the contents with the model's turn, which Gemini continues as a prefill.

    await whenStored(gw, second.data.id, bearer(X));
    const third = await x.responses.create({ model: 'o/echo', input: [], previous_response_id: second.data.id });
    assert.equal(third.output_text, QUESTION, 'the second turn, from Gemini, reached the chat host');
    assert.ok(third.usage.input_tokens > second.data.usage.input_tokens);
  });

  it('resolves an item_reference to an earlier output item, and answers 404 naming input[N] for an unknown one', async () => {
    const earlier = await respond(gw, { model: 'a/echo', input: CODE }, bearer(X));
    const [message] = earlier.body.output;
    assert.equal(message.type, 'message');
    await whenStored(gw, earlier.body.id, bearer(X));

    const without = await respond(gw, { model: 'o/echo', input: [{ role: 'user', content: QUESTION }] }, bearer(X));
    const withRef = await respond(gw, {
      model: 'o/echo', input: [{ role: 'user', content: CODE }, { type: 'item_reference', id: message.id }, { role: 'user', content: QUESTION }],
    }, bearer(X));
    assert.equal(withRef.status, 200, JSON.stringify(withRef.body));
    assert.equal(withRef.body.output[0].content[0].text, QUESTION);
    // The referenced assistant message went upstream: its 25 characters are counted.
    const plain = await respond(gw, {
      model: 'o/echo', input: [{ role: 'user', content: CODE }, { role: 'assistant', content: CODE }, { role: 'user', content: QUESTION }],
    }, bearer(X));
    assert.ok(withRef.body.usage.input_tokens > without.body.usage.input_tokens);
    assert.equal(withRef.body.usage.input_tokens, plain.body.usage.input_tokens, 'as if the message itself had been sent');

    const unknown = `msg_${earlier.body.id}_7`;  // a stored response, but no such item
    assertNotFound(await respond(gw, { model: 'o/echo', input: [{ role: 'user', content: 'x' }, { type: 'item_reference', id: unknown }] }, bearer(X)),
      unknown, 'input[1]', 'item_not_found');
    assertNotFound(await respond(gw, {
      model: 'o/echo', input: [{ role: 'user', content: 'x' }, { type: 'item_reference', id: message.id }, { type: 'item_reference', id: 'msg_nowhere' }],
    }, bearer(X)), 'msg_nowhere', 'input[2]', 'item_not_found');
  });

  it('resolves item_references to a Gemini function call and the reasoning item carrying its signature', async () => {
    // Gemini (signed=1) refuses a function call without the signature it gave: only the stored
    // reasoning item can have brought it back.
    const model = 'g/echo~signed=1';
    const input = [{ role: 'user', content: 'Weather in Oslo? [call]' }];
    const first = await respond(gw, { model, input, tools: [weatherTool] }, bearer(X));
    assert.deepEqual(first.body.output.map((i) => i.type), ['function_call', 'reasoning']);
    const [call, reasoning] = first.body.output;
    await whenStored(gw, first.body.id, bearer(X));
    const result = { type: 'function_call_output', call_id: call.call_id, output: 'sunny' };
    const ref = (item) => ({ type: 'item_reference', id: item.id });

    const answered = await respond(gw, { model, tools: [weatherTool], input: [...input, ref(call), ref(reasoning), result] }, bearer(X));
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    assert.match(textOf(answered.body), /^Tool result: .*sunny/);
    const unsigned = await respond(gw, { model, tools: [weatherTool], input: [...input, ref(call), result] }, bearer(X));
    assert.equal(unsigned.status, 400, JSON.stringify(unsigned.body));
    assert.match(unsigned.body.error.message, /thought_signature/);
  });

  it('continues right after the answer on the same gateway, without waiting', async () => {
    for (const stream of [false, true]) {
      const r = await postJson(`${gw.url}/v1/responses`, { model: 'o/echo', input: CODE, stream }, bearer(X));
      assert.equal(r.status, 200);
      await r.text();
      const id = r.headers.get('x-request-id');
      const next = await respond(gw, { model: 'o/echo', input: [], previous_response_id: id }, bearer(X));
      assert.equal(next.status, 200, `stream: ${stream}: ${JSON.stringify(next.body)}`);
      assert.equal(textOf(next.body), CODE);
      const read = await getJson(`${gw.url}/v1/responses/${id}`, bearer(X));
      assert.equal(read.status, 200, `stream: ${stream}: ${JSON.stringify(read.body)}`);
    }
  });
});

describe('Continuing a conversation: routing options and other providers', () => {
  let sim, gw;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`${teams}${providers}\nlimits: {max_body_bytes: 200000}\n`, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it("keeps the request's own routing options (providerOptions.gateway.only) when it continues a conversation", async () => {
    const first = await respond(gw, { model: 'o/echo', input: CODE }, bearer(X));
    await whenStored(gw, first.body.id, bearer(X));
    // `only` names no provider that serves a/echo: the continuation must be refused, not routed.
    const refused = await respond(gw, { model: 'a/echo', input: QUESTION, previous_response_id: first.body.id,
      providerOptions: { gateway: { only: ['g'] } } }, bearer(X));
    assert.notEqual(refused.status, 200, JSON.stringify(refused.body));
    const allowed = await respond(gw, { model: 'a/echo', input: QUESTION, previous_response_id: first.body.id,
      providerOptions: { gateway: { only: ['a'] } } }, bearer(X));
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assert.equal(allowed.headers.get('x-switchyard-provider'), 'a');
  });

  it("continues a Claude conversation with signed reasoning on a provider that serves Responses itself", async () => {
    // The native provider would refuse encrypted reasoning it did not issue: the gateway's own
    // reasoning items are left out of what it is sent.
    const first = await respond(gw, { model: 'a/echo~signed=1', input: CODE, reasoning: { effort: 'low' } }, bearer(X));
    assert.equal(first.status, 200);
    assert.ok(first.body.output.some((i) => i.type === 'reasoning' && i.encrypted_content), JSON.stringify(first.body.output));
    await whenStored(gw, first.body.id, bearer(X));
    const next = await respond(gw, { model: 'r/echo', input: QUESTION, previous_response_id: first.body.id }, bearer(X));
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.equal(textOf(next.body), QUESTION);
    // Sent back by the client itself, the same items pass too.
    const resent = await respond(gw, { model: 'r/echo', input: [{ role: 'user', content: CODE }, ...first.body.output,
      { role: 'user', content: QUESTION }] }, bearer(X));
    assert.equal(resent.status, 200, JSON.stringify(resent.body));
  });

  it('refuses a conversation that its stored items would make larger than limits.max_body_bytes', async () => {
    const big = 'x'.repeat(120000);
    const first = await respond(gw, { model: 'o/echo', input: big }, bearer(X));
    assert.equal(first.status, 200);
    await whenStored(gw, first.body.id, bearer(X));
    // The stored input and its echoed answer are ~240 KB together: over the 200 KB limit.
    const next = await respond(gw, { model: 'o/echo', input: 'again', previous_response_id: first.body.id }, bearer(X));
    assert.equal(next.status, 413, JSON.stringify(next.body));
    assert.match(next.body.error.message, /limits\.max_body_bytes/);
    // However small the items, one request may hold at most 256 references.
    const small = await respond(gw, { model: 'o/echo', input: 'tiny' }, bearer(X));
    await whenStored(gw, small.body.id, bearer(X));
    const many = await respond(gw, { model: 'o/echo',
      input: Array.from({ length: 300 }, () => ({ type: 'item_reference', id: small.body.output[0].id })) }, bearer(X));
    assert.equal(many.status, 400, JSON.stringify(many.body));
    assert.equal(many.body.error.param, 'input[256]');
  });
});

describe('Signed reasoning round trips through the openai SDK (store: false, every item sent back)', () => {
  let sim, gw, sdk;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(providers, sim);
    sdk = client(gw);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  // Anthropic signs its thinking (a reasoning item before the call); Gemini signs its function
  // calls (their signatures in a reasoning item after the calls).
  const cases = [
    { provider: 'a', order: ['reasoning', 'function_call'], refusal: /Expected `thinking` or `redacted_thinking`, but found `tool_use`/ },
    { provider: 'g', order: ['function_call', 'reasoning'], refusal: /missing a thought_signature/ },
  ];
  const input = [{ role: 'user', content: 'What is the weather in Oslo? [call]' }];
  const request = (model, items, stream) => ({ model, input: items, tools: [weatherTool], reasoning: { effort: 'low' }, store: false, stream });
  // A streamed answer's output items as response.completed carries them; checked against the
  // response.output_item.done events.
  async function streamed(body) {
    const stream = await sdk.responses.create(body);
    const done = [];
    let completed;
    for await (const event of stream) {
      if (event.type === 'response.output_item.done') done.push(event.item);
      if (event.type === 'response.completed') completed = event.response;
    }
    assert.ok(completed, 'the stream ends with response.completed');
    assert.deepEqual(completed.output, done, 'response.completed carries the items the stream delivered');
    return completed;
  }

  for (const { provider, order, refusal } of cases) {
    const model = `${provider}/echo~signed=1`;
    for (const stream of [false, true]) {
      it(`${provider === 'a' ? 'Anthropic' : 'Gemini'}: signed reasoning comes back and must be sent back (${stream ? 'streamed' : 'plain'})`, async () => {
        const create = (items) => (stream ? streamed(request(model, items, true)) : sdk.responses.create(request(model, items, false)));
        const first = await create(input);
        assert.deepEqual(first.output.map((i) => i.type), order, JSON.stringify(first.output));
        const reasoning = first.output.find((i) => i.type === 'reasoning');
        const call = first.output.find((i) => i.type === 'function_call');
        assert.equal(typeof reasoning.encrypted_content, 'string');
        assert.ok(reasoning.encrypted_content.length > 0);
        assert.equal(call.name, 'get_weather');
        assert.deepEqual(JSON.parse(call.arguments), { city: 'sim' });
        const result = { type: 'function_call_output', call_id: call.call_id, output: '4 degrees and sleet' };

        const second = await create([...input, ...first.output, result]);
        assert.match(textOf(second), /^Tool result: .*4 degrees and sleet/);

        const withoutReasoning = [...input, ...first.output.filter((i) => i.type !== 'reasoning'), result];
        await assert.rejects(create(withoutReasoning), (e) => {
          assert.ok(e instanceof OpenAI.APIError, String(e));
          assert.equal(e.status, 400, String(e));
          assert.match(e.message, refusal);
          return true;
        });
      });
    }
  }
});

// Found while writing these tests: the stored response is registered (for the same gateway's
// next request) only after the answer has gone to the client, so a request on another connection
// (another of the gateway's threads) right after the answer may not find it; and a DELETE does not
// stop the write still to come, so the response deleted comes back. A large input widens the
// window, and each request here goes on a new connection (as curl's do), so that these fail
// reliably while the bugs last. (On one keep-alive connection the gateway reads the next request
// only once it has registered the last, which is why the tests above do not see the first.)
describe('gateway bugs: the moment right after the answer', () => {
  let sim, gw;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(providers, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });
  // The window after the answer grows with the request (a few per cent of tries at 2 MB on two
  // cores, a third or more at 6 MB).
  const big = (text, size = 2_000_000) => ({ model: 'o/echo', input: [{ role: 'user', content: 'p'.repeat(size) }, { role: 'user', content: text }] });
  // One request on a connection of its own: {status, body}.
  const fresh = (method, path, body) => new Promise((ok, fail) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(`${gw.url}${path}`, {
      method, agent: false,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(payload);
  });

  it('continues right after the answer to a large request (previous_response_id finds it at once)', async () => {
    const failures = [];
    for (let i = 0; i < 16; i++) {
      const first = await fresh('POST', '/v1/responses', big(`turn ${i}`, 6_000_000));
      assert.equal(first.status, 200);
      const next = await fresh('POST', '/v1/responses', { model: 'o/echo', input: [], previous_response_id: first.body.id });
      if (next.status !== 200) failures.push(`${i}: ${next.status} ${next.body.error?.code}`);
    }
    assert.deepEqual(failures, [], 'an immediate continuation was refused');
  });

  it('deletes a response right after its answer: DELETE says deleted and GET is then a 404', async () => {
    const failures = [];
    for (let i = 0; i < 16; i++) {
      const first = await fresh('POST', '/v1/responses', big(`turn ${i}`));
      assert.equal(first.status, 200);
      const deleted = await fresh('DELETE', `/v1/responses/${first.body.id}`);
      const read = await fresh('GET', `/v1/responses/${first.body.id}`);
      if (deleted.status !== 200 || read.status !== 404) failures.push(`${i}: DELETE ${deleted.status}, then GET ${read.status}`);
    }
    assert.deepEqual(failures, [], 'a deleted response was still there (or not there to delete)');
  });
});
