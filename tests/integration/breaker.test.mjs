// Circuit breaking through the real binary: a route that keeps failing stops being tried.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, startGateway, postJson } from './harness.mjs';

describe('circuit breaker', () => {
  let sim, gw;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
circuit_breaker: {failures: 2, cooldown_s: 60}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
models:
  r/flaky:
    routes: [{provider: a, model: 'echo~fail=500'}, {provider: a, model: echo}]
`, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it('stops hammering a failing route once its circuit opens', async () => {
    const attempts = [];
    for (let i = 0; i < 5; i++) {
      const r = await postJson(`${gw.url}/v1/chat/completions`, { model: 'r/flaky', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(r.status, 200);
      attempts.push(r.headers.get('x-switchyard-attempts'));
      await r.arrayBuffer();
    }
    // Two failures open the circuit; from then on the healthy route answers at the first attempt.
    assert.deepEqual(attempts, ['2', '2', '1', '1', '1']);
  });
});
