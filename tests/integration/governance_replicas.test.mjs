// Several replicas: gateway processes sharing one real Redis (`state:`) and one real PostgreSQL
// (`storage:`), same config. A key's rate limit and budget hold across them under concurrent
// load, keys made or revoked on one are seen by the other, a circuit one opens is skipped by the
// other, and a Redis outage is met as governance.on_state_down says (open: counted per replica;
// closed: 503), with counting shared again once Redis is back. See docs/governance.md.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, startGateway, startPostgres, startRedis, postJson, clearOfMinuteEdge, until } from './harness.mjs';

const ADMIN = 'sk-admin-0123456789';
const BURST = 'sk-burst-0123456789', SPEND = 'sk-spend-0123456789', PLAIN = 'sk-plain-0123456789', CONC = 'sk-conc-01234567890';
const RPM = 64;  // BURST's limit: leases of 64/16 = 4 requests per replica
const BUDGET = 0.5;  // SPEND's, USD a day; r/priced costs $1000 per 1M tokens: ~$0.01 an answer
const user = (content) => [{ role: 'user', content }];
const as = (key) => ({ authorization: `Bearer ${key}` });



async function metric(gw, name) {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  assert.ok(line, `no ${name} in /metrics`);
  return Number(line.split(' ')[1]);
}

const chat = (gw, key, body) => postJson(`${gw.url}/v1/chat/completions`, body, as(key));

// The config every replica of a pair gets (SIM_URL aside, which names each one's simulator).
const config = ({ pg, redis, extra = '', keys = '' }) => `
storage: ${pg.url}
state: ${redis.url}
admin_key: ${ADMIN}
circuit_breaker: {failures: 2, cooldown_s: 30}
${extra}
auth:
  keys:
    - {key: ${PLAIN}, team: plain}
${keys}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  b: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
models:
  r/cheap:
    routes: [{provider: a, model: echo}]
  r/priced:
    routes: [{provider: a, model: 'lorem~len=8'}]
    price: {input: 1000, output: 1000}
  r/flaky:
    routes: [{provider: a, model: 'echo~fail=500~fail_first=2'}, {provider: b, model: echo}]
`;

describe('governance across two replicas on Redis and PostgreSQL', () => {
  let simA, simB, pg, redis, A, B;
  before(async () => {
    [simA, simB] = await Promise.all([startSim(), startSim()]);
    pg = await startPostgres();
    redis = await startRedis();
    const yaml = config({ pg, redis, keys: `
    - {key: ${BURST}, team: burst, limits: {rpm: ${RPM}}}
    - {key: ${SPEND}, team: spend, budget: {usd: ${BUDGET}, period: day, mode: hard}}
    - {key: ${CONC}, team: conc, limits: {concurrent: 1}}` });
    A = await startGateway(yaml, simA);
    B = await startGateway(yaml, simB);  // after A: the store's tables exist
  });
  after(async () => {
    await A?.stop();
    await B?.stop();
    await simA?.stop();
    await simB?.stop();
    await redis?.stop();
    try { pg?.stop(); } catch { /* already stopped */ }
  });

  it(`admits at most ${RPM} a minute across both replicas under a concurrent burst`, async () => {
    await clearOfMinuteEdge(15000);
    const send = async (gw, i) => {
      const r = await chat(gw, BURST, { model: 'r/cheap', messages: user(`burst ${i}`) });
      const at = Date.now();
      const body = await r.json();
      if (r.status === 200) {
        assert.equal(body.choices[0].message.content, `burst ${i}`);
      } else {
        assert.equal(r.status, 429, JSON.stringify(body));
        assert.equal(body.error.code, 'rate_limit_exceeded');
      }
      // x-ratelimit-reset-requests: "12s", "1m0s"; the window is the minute that ends then.
      const [, m, s] = r.headers.get('x-ratelimit-reset-requests').match(/^(?:(\d+)m)?(\d+)s$/);
      const window = Math.round((at + (Number(m ?? 0) * 60 + Number(s)) * 1000) / 60000);
      return { replica: gw === A ? 'A' : 'B', ok: r.status === 200, window };
    };
    const results = await Promise.all(Array.from({ length: 3 * RPM }, (_, i) => send(i % 2 ? B : A, i)));
    const perWindow = {};
    for (const r of results.filter((x) => x.ok)) perWindow[r.window] = (perWindow[r.window] ?? 0) + 1;
    const admitted = results.filter((r) => r.ok);
    const byReplica = { A: admitted.filter((r) => r.replica === 'A').length, B: admitted.filter((r) => r.replica === 'B').length };
    console.log(`# burst of ${results.length} split over two replicas, rpm ${RPM}: admitted per window ${JSON.stringify(perWindow)} (A ${byReplica.A}, B ${byReplica.B})`);
    for (const [window, count] of Object.entries(perWindow)) assert.ok(count <= RPM, `window ${window}: ${count} admitted over a limit of ${RPM}`);
    assert.ok(byReplica.A > 0 && byReplica.B > 0, 'both replicas admit');
    // Leases refuse early by at most one block (4) held idle by each other replica.
    assert.ok(admitted.length >= RPM - 8, `only ${admitted.length} of ${RPM} admitted`);
  });

  it('stops both replicas at a budget, streamed requests included, and measures the overshoot', async () => {
    let spent = 0, served = 0, streamed = 0;
    const send = async (gw, i) => {
      const stream = i % 2 === 1;
      const r = await chat(gw, SPEND, { model: 'r/priced', max_tokens: 10, stream, stream_options: stream ? { include_usage: true } : undefined, messages: user(`spend ${i}`) });
      if (r.status === 429) {
        const body = await r.json();
        assert.equal(body.error.code, 'insufficient_quota', JSON.stringify(body));
        return false;
      }
      assert.equal(r.status, 200);
      if (stream) {
        const chunks = (await r.text()).split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)));
        spent += chunks.at(-1).usage.cost;
        streamed++;
      } else {
        spent += (await r.json()).usage.cost;
      }
      served++;
      return true;
    };
    // Waves of 8 concurrent requests, half on each replica, half streamed, until a whole wave is refused.
    let waves = 0;
    for (; waves < 40; waves++) {
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => send(i % 4 < 2 ? A : B, i)));
      if (!outcomes.some(Boolean)) break;
    }
    assert.ok(waves < 40, 'the budget never stopped the requests');
    assert.ok(served >= 10 && streamed >= 5, `served ${served}, ${streamed} streamed`);
    for (const gw of [A, B])
      for (const stream of [false, true]) {
        const r = await chat(gw, SPEND, { model: 'r/priced', max_tokens: 10, stream, stream_options: stream ? { include_usage: true } : undefined, messages: user('spend 0') });
        assert.equal(r.status, 429, `${gw === A ? 'A' : 'B'}, stream: ${stream}`);
        assert.equal((await r.json()).error.code, 'insufficient_quota');
      }
    // /v1/credits counts both replicas' records (in PostgreSQL): the spend, then the overshoot.
    const credits = await until(async () => {
      const c = await (await fetch(`${B.url}/v1/credits`, { headers: as(SPEND) })).json();
      return Math.abs(Number(c.total_used) - spent) < 1e-5 ? c : undefined;
    }, `/v1/credits to count the ${served} answers`, 10000, 100);
    const overshoot = Number(credits.total_used) - BUDGET;
    console.log(`# budget $${BUDGET}: ${served} answers (${streamed} streamed) spent $${Number(credits.total_used).toFixed(6)}; overshoot $${overshoot.toFixed(6)} (${(100 * overshoot / BUDGET).toFixed(2)}%)`);
    // Every answer here costs less than its reservation (8 tokens out of a cap of 10; input
    // estimated at 4 bytes a token), so the documented bound on the overshoot is zero.
    assert.ok(overshoot <= 1e-6, `overshoot $${overshoot}`);
    assert.equal(credits.balance, Math.max(0, BUDGET - Number(credits.total_used)).toFixed(6));
  });

  it('serves a key made on replica A at replica B, and B refuses it within 1 s of its revocation on A', async () => {
    const made = await postJson(`${A.url}/v1/admin/keys`, { team: 'roaming', name: 'two replicas' }, as(ADMIN));
    assert.equal(made.status, 201);
    const key = await made.json();
    await until(async () => {
      const r = await chat(B, key.key, { model: 'r/cheap', messages: user('on B') });
      if (r.status === 200) return (await r.json()).choices[0].message.content;
      assert.equal(r.status, 401);
      await r.arrayBuffer();
    }, 'replica B to know the new key', 2000);
    assert.equal((await (await fetch(`${B.url}/v1/admin/keys/${key.id}`, { headers: as(ADMIN) })).json()).name, 'two replicas');

    const revoked = await fetch(`${A.url}/v1/admin/keys/${key.id}`, { method: 'DELETE', headers: as(ADMIN) });
    assert.equal(revoked.status, 200);
    const t0 = Date.now();
    const refused = await until(async () => {
      const r = await chat(B, key.key, { model: 'r/cheap', messages: user('still?') });
      const body = await r.json();
      if (r.status === 200) return undefined;
      return { status: r.status, body, ms: Date.now() - t0 };
    }, 'replica B to refuse the revoked key', 3000, 10);
    console.log(`# revoked on A, refused by B after ${refused.ms} ms`);
    assert.equal(refused.status, 401);
    assert.match(refused.body.error.message, /this API key was revoked/);
    assert.ok(refused.ms < 1000, `B refused it ${refused.ms} ms after the revocation`);
  });

  it('holds concurrent: 1 across both replicas while a stream is in flight, and frees the slot as it ends', async () => {
    // Streams of 1.5 s: longer than the second after which a replica gives back an idle lease.
    for (const [on, other] of [[A, B], [B, A], [A, B]]) {
      // The other replica may hold the slot idle in its lease for a second after its last
      // request (leases idle for a second go back): the documented early refusal, polled past.
      const slow = await until(async () => {
        const r = await chat(on, CONC, { model: 'a/lorem~ttft=0~delay=100~len=15', stream: true, messages: user('slow') });
        if (r.status === 200) return r;
        assert.equal(r.status, 429);
        await r.arrayBuffer();
      }, 'the slot to come back from the other replica', 3000, 50);
      const reader = slow.body.getReader();
      await reader.read();  // in flight
      for (const gw of [other, on]) {
        const refused = await chat(gw, CONC, { model: 'r/cheap', messages: user('second') });
        const body = await refused.json();
        assert.equal(refused.status, 429, JSON.stringify(body));
        assert.match(body.error.message, /1 requests at once/);
      }
      while (!(await reader.read()).done);
      // Nothing is in flight now: the next request is admitted (polled only for the moment
      // between the stream's last byte and the end of its request on the gateway).
      const ended = Date.now();
      const waited = await until(async () => {
        const r = await chat(on, CONC, { model: 'r/cheap', messages: user('next') });
        await r.arrayBuffer();
        return r.status === 200 ? Date.now() - ended : undefined;
      }, 'the slot to be free after the stream ended', 3000, 10);
      assert.ok(waited < 200, `the next request on the same replica was refused for ${waited} ms after the stream ended`);
    }
  });

  it("skips on replica B a route whose circuit replica A opened", async () => {
    // Each replica has its own simulator; the failing route fails its first 2 requests on each.
    // B's are used up here, directly, so the route is healthy from B: if B tries it, it answers
    // from provider a, and only a circuit shared by A makes B go to the fallback (provider b).
    for (let i = 0; i < 2; i++) {
      const r = await postJson(`${simB.url}/openai/v1/chat/completions`, { model: 'echo~fail=500~fail_first=2', messages: user('x') }, as('k'));
      assert.equal(r.status, 500);
      await r.arrayBuffer();
    }
    const before = await chat(B, PLAIN, { model: 'r/flaky', messages: user('healthy from B') });
    assert.deepEqual([before.status, before.headers.get('x-switchyard-provider'), before.headers.get('x-switchyard-attempts')], [200, 'a', '1']);
    await before.arrayBuffer();

    for (let i = 0; i < 2; i++) {  // two failures on A: its circuit opens
      const r = await chat(A, PLAIN, { model: 'r/flaky', messages: user('x') });
      assert.deepEqual([r.status, r.headers.get('x-switchyard-provider'), r.headers.get('x-switchyard-attempts')], [200, 'b', '2']);
      await r.arrayBuffer();
    }
    const opened = Date.now();
    const onA = await chat(A, PLAIN, { model: 'r/flaky', messages: user('x') });
    assert.deepEqual([onA.headers.get('x-switchyard-provider'), onA.headers.get('x-switchyard-attempts')], ['b', '1']);
    await onA.arrayBuffer();

    const skipped = await until(async () => {
      const r = await chat(B, PLAIN, { model: 'r/flaky', messages: user('from B') });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-switchyard-attempts'), '1');
      const provider = r.headers.get('x-switchyard-provider');
      await r.arrayBuffer();
      return provider === 'b' ? Date.now() - opened : undefined;
    }, "replica B to skip the route A's circuit opened", 3000, 20);
    console.log(`# circuit opened on A, skipped by B after ${skipped} ms`);
  });
});

describe('governance when Redis goes down and comes back', () => {
  const N = 5;
  const OUT = 'sk-out-0123456789ab', BACK = 'sk-back-0123456789a', CLOSED = 'sk-closed-01234567', CBACK = 'sk-cback-012345678';
  const EXACT = 'sk-exact-012345678';  // an exact budget: every request is counted on Redis itself, no lease
  const keys = `
    - {key: ${OUT}, team: out, limits: {rpm: ${N}}}
    - {key: ${BACK}, team: back, limits: {rpm: ${N}}}
    - {key: ${CLOSED}, team: closed, limits: {rpm: 1000}}
    - {key: ${CBACK}, team: cback, limits: {rpm: ${N}}}
    - {key: ${EXACT}, team: exact, budget: {usd: 1000, period: day, exact: true}}`;
  let sim, pg, redis, open1, open2, closed1, closed2;
  before(async () => {
    sim = await startSim();
    pg = await startPostgres();
    redis = await startRedis();
    open1 = await startGateway(config({ pg, redis, keys, extra: 'governance: {on_state_down: open}' }), sim);
    [open2, closed1, closed2] = await Promise.all([
      startGateway(config({ pg, redis, keys, extra: 'governance: {on_state_down: open}' }), sim),
      startGateway(config({ pg, redis, keys, extra: 'governance: {on_state_down: closed}' }), sim),
      startGateway(config({ pg, redis, keys, extra: 'governance: {on_state_down: closed}' }), sim),
    ]);
  });
  after(async () => {
    for (const gw of [open1, open2, closed1, closed2]) await gw?.stop();
    await sim?.stop();
    await redis?.stop();
    try { pg?.stop(); } catch { /* already stopped */ }
  });

  // How many of `count` requests on `key`, alternating over `gws`, each admits.
  async function admitted(gws, key, count) {
    const per = gws.map(() => 0);
    for (let i = 0; i < count; i++) {
      const r = await chat(gws[i % gws.length], key, { model: 'r/cheap', messages: user(`n${i}`) });
      const body = await r.json();
      if (r.status === 200) per[i % gws.length]++;
      else assert.equal(body.error.code, 'rate_limit_exceeded', `${r.status} ${JSON.stringify(body)}`);
    }
    return per;
  }

  it('fails open or closed as configured while Redis is down, and counts on Redis again once it is back', async () => {
    for (const gw of [open1, open2, closed1, closed2])
      assert.equal((await chat(gw, EXACT, { model: 'r/priced', max_tokens: 10, messages: user('up') })).status, 200);
    const unavailable = await metric(open1, 'switchyard_governance_state_unavailable_total');
    assert.equal(unavailable, 0);

    await clearOfMinuteEdge(25000);
    await redis.stop();
    // open: each replica counts on its own, so together they admit twice the limit.
    const during = await admitted([open1, open2], OUT, 2 * N + 4);
    console.log(`# Redis down, on_state_down open: rpm ${N} admitted ${during[0]} on one replica, ${during[1]} on the other`);
    assert.deepEqual(during, [N, N]);
    for (const gw of [open1, open2]) {
      const r = await chat(gw, EXACT, { model: 'r/priced', max_tokens: 10, stream: true, messages: user('still') });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
    const grown = await metric(open1, 'switchyard_governance_state_unavailable_total');
    assert.ok(grown > unavailable, `switchyard_governance_state_unavailable_total ${grown}`);
    // closed: 503 naming the cause, plain and streamed.
    for (const gw of [closed1, closed2])
      for (const stream of [false, true]) {
        const r = await chat(gw, CLOSED, { model: 'r/cheap', stream, messages: user('refused') });
        const body = await r.json();
        assert.equal(r.status, 503, JSON.stringify(body));
        assert.equal(body.error.code, 'governance_state_unavailable');
        assert.match(body.error.message, /shared state is unreachable/);
      }
    assert.ok(await metric(closed1, 'switchyard_governance_state_unavailable_total') >= 2);

    await redis.start();
    // Each replica tries Redis again a second after a failure: poll until each counts there.
    for (const gw of [closed1, closed2])
      await until(async () => {
        const r = await chat(gw, CLOSED, { model: 'r/cheap', messages: user('back?') });
        const body = await r.json();
        if (r.status === 200) return true;
        assert.equal(body.error.code, 'governance_state_unavailable');
      }, 'a closed replica to serve again once Redis is back', 5000, 100);
    for (const gw of [open1, open2])
      await until(async () => {
        const before = await metric(gw, 'switchyard_governance_state_unavailable_total');
        const r = await chat(gw, EXACT, { model: 'r/priced', max_tokens: 10, messages: user('back?') });
        assert.equal(r.status, 200);
        await r.arrayBuffer();
        return await metric(gw, 'switchyard_governance_state_unavailable_total') === before ? true : undefined;
      }, 'an open replica to count on Redis again', 5000, 100);

    // Counted on Redis again: the limit holds across the pair, not per replica.
    await clearOfMinuteEdge();
    for (const [pair, key] of [[[open1, open2], BACK], [[closed1, closed2], CBACK]]) {
      const after = await admitted(pair, key, 2 * N + 4);
      console.log(`# Redis back: rpm ${N} admitted ${after[0]} + ${after[1]} over two replicas`);
      assert.equal(after[0] + after[1], N);
    }
  });
});
