// The request log (GET /v1/logs), traffic over time (GET /v1/timeseries), the access log, the
// refusal and GenAI metrics, and --log-level, as docs/observability.md describes them: one mix of
// traffic (served, streamed, failed, rescued, refused, cancelled; two teams) on SQLite and on
// PostgreSQL, then what an operator reads about it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, startSim, startGateway, startPostgres, postJson, clearOfMinuteEdge, until } from './harness.mjs';

const ADMIN = 'sk-admin-0123456789';
const A = 'sk-lab-a-0123456789';    // team lab-a
const AR = 'sk-lab-a-rpm-012345';   // team lab-a, 2 requests a minute
const B = 'sk-lab-b-0123456789';    // team lab-b
const NOBODY = 'sk-nobody-01234567';  // no such key
const as = (key) => ({ authorization: `Bearer ${key}` });
const user = (content) => [{ role: 'user', content }];

// An OpenAI-compatible upstream that never answers: `arrived` resolves when a request reaches it,
// so a client can leave while the gateway waits on it.
async function startHangingUpstream() {
  let arrive;
  const arrived = new Promise((ok) => { arrive = ok; });
  const server = createServer((req) => { req.resume(); req.on('end', () => arrive()); });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`, arrived,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

const config = (storage, hangUrl, accessLog) => `
${storage ? `storage: ${storage}\n` : ''}admin_key: ${ADMIN}
access_log: ${accessLog}
threads: 2
circuit_breaker: {failures: 0}
auth:
  keys:
    - {key: ${A}, team: lab-a}
    - {key: ${AR}, team: lab-a, limits: {rpm: 2}}
    - {key: ${B}, team: lab-b}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  b: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  h: {type: openai, base_url: '${hangUrl}', api_key: k}
models:
  r/one:
    routes: [{provider: a, model: echo}]
    price: {input: 1000, output: 1000}
  r/two:
    routes: [{provider: b, model: 'lorem~len=5~ttft=300'}]
  r/broken:
    routes: [{provider: a, model: 'echo~fail=503'}, {provider: b, model: 'echo~fail=502'}]
  r/rescued:
    routes: [{provider: a, model: 'echo~fail=503'}, {provider: b, model: echo}]
  r/slow:
    routes: [{provider: b, model: 'lorem~len=3~ttft=450'}]
  r/hang:
    routes: [{provider: h, model: hang}]
`;

// What each request of the mix is, as the client sent it and the docs say it is recorded.
const TRAFFIC = {
  ok1: { team: 'lab-a', outcome: 'ok', model: 'r/one', provider: 'a' },
  stream: { team: 'lab-a', outcome: 'ok', model: 'r/two', provider: 'b' },
  broken: { team: 'lab-a', outcome: 'error', model: 'r/broken', provider: 'b' },
  rescued: { team: 'lab-a', outcome: 'ok', model: 'r/rescued', provider: 'b' },
  malformed: { team: 'lab-a', outcome: 'rejected', status: 400 },
  unknown: { team: 'lab-a', outcome: 'rejected', status: 404 },
  ok2: { team: 'lab-b', outcome: 'ok', model: 'r/one', provider: 'a' },
  slow: { team: 'lab-b', outcome: 'ok', model: 'r/slow', provider: 'b' },
  badkey: { team: '', outcome: 'rejected', status: 401 },
  rl1: { team: 'lab-a', outcome: 'ok', model: 'r/one', provider: 'a' },
  rl2: { team: 'lab-a', outcome: 'ok', model: 'r/one', provider: 'a' },
  rl3: { team: 'lab-a', outcome: 'rejected', status: 429 },
  cancelled: { team: 'lab-a', outcome: 'cancelled', status: 499, model: 'r/hang', provider: 'h' },
};
const ALL = Object.keys(TRAFFIC);
const PHASE1 = ['ok1', 'stream', 'broken', 'rescued', 'malformed', 'unknown'];
const where = (test) => ALL.filter((name) => test(TRAFFIC[name], name));

for (const kind of ['sqlite', 'postgres']) {
  describe(`request log, traffic over time and access log (${kind})`, () => {
    let sim, hang, pg, gw, dir, split;
    const sent = {};  // name -> {id, status, json, t0, t1}
    let all;          // every entry, newest first (admin, one page)
    const byName = (name) => all.find((e) => e.id === sent[name].id);
    const get = (path, key = ADMIN) => fetch(`${gw.url}${path}`, { headers: as(key) });
    const logs = async (query = '', key = ADMIN) => {
      const r = await get(`/v1/logs${query ? `?${query}` : ''}`, key);
      assert.equal(r.status, 200, `${query}: ${await r.clone().text()}`);
      return r.json();
    };
    const idsOf = (entries) => entries.map((e) => e.id).sort();
    const idsNamed = (names) => names.map((n) => sent[n].id).sort();

    const send = async (name, key, body, headers = {}, raw = undefined) => {
      const t0 = Date.now();
      const r = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...as(key), ...headers }, body: raw ?? JSON.stringify(body),
      });
      const text = await r.text();
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      sent[name] = { id: r.headers.get('x-switchyard-request-id'), status: r.status, text, json, headers: r.headers, t0, t1: Date.now() };
      assert.match(sent[name].id ?? '', /^gen_/, `${name}: no request id`);
      return sent[name];
    };

    before(async () => {
      sim = await startSim();
      hang = await startHangingUpstream();
      if (kind === 'postgres') pg = await startPostgres();
      dir = mkdtempSync(join(tmpdir(), 'switchyard-logs-'));
      gw = await startGateway(config(pg?.url, hang.url, join(dir, 'access.log')), sim, dir);

      // Phase 1: team lab-a on key A.
      assert.equal((await send('ok1', A, { model: 'r/one', user: 'alice', messages: user('first') },
        { 'x-switchyard-tags': 't1, shared', 'x-switchyard-use-case': 'summarize' })).status, 200);
      assert.equal((await send('stream', A, { model: 'r/two', stream: true, stream_options: { include_usage: true }, messages: user('s') })).status, 200);
      assert.ok((await send('broken', A, { model: 'r/broken', messages: user('b') })).status >= 500);
      assert.equal((await send('rescued', A, { model: 'r/rescued', messages: user('r') })).status, 200);
      assert.equal((await send('malformed', A, null, {}, '{"model": "r/one", "messages": [')).status, 400);
      assert.equal((await send('unknown', A, { model: 'nope/x', messages: user('u') })).status, 404);
      // A clean edge in time between the phases, for the start and end filters.
      split = Date.now() + 5;
      await until(() => (Date.now() >= split + 5 ? true : undefined), 'the clock', 1000, 1);

      // Phase 2: team lab-b, a bad key, a key over its rate limit, a client that leaves.
      assert.equal((await send('ok2', B, { model: 'r/one', user: 'bob', messages: user('second') }, { 'x-switchyard-tags': 't2' })).status, 200);
      assert.equal((await send('slow', B, { model: 'r/slow', messages: user('slow') })).status, 200);
      assert.equal((await send('badkey', NOBODY, { model: 'r/two', messages: user('k') })).status, 401);
      await clearOfMinuteEdge();
      for (const name of ['rl1', 'rl2', 'rl3'])
        await send(name, AR, { model: 'r/one', user: 'carol', messages: user(name) }, { 'x-switchyard-tags': 'burst' });
      assert.deepEqual(['rl1', 'rl2', 'rl3'].map((n) => sent[n].status), [200, 200, 429]);

      const controller = new AbortController();
      const t0 = Date.now();
      const pending = fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json', ...as(A) },
        body: JSON.stringify({ model: 'r/hang', messages: user('bye') }),
      }).then(() => 'answered', () => 'aborted');
      await hang.arrived;  // the gateway is waiting on the upstream
      controller.abort();
      assert.equal(await pending, 'aborted');
      sent.cancelled = { id: null, status: 499, t0, t1: Date.now() };

      // Every request is recorded (the recorder writes every 200 ms): 13 entries.
      all = await until(async () => {
        const page = await logs('limit=1000');
        return page.data.length >= ALL.length ? page.data : undefined;
      }, 'all 13 records in /v1/logs', 10000, 50);
      const hung = all.filter((e) => e.model_requested === 'r/hang' || e.model === 'r/hang');
      assert.equal(hung.length, 1, JSON.stringify(hung));
      sent.cancelled.id = hung[0].id;
    });
    after(async () => {
      await gw?.stop();
      await sim?.stop();
      await hang?.close();
      try { pg?.stop(); } catch { /* already stopped */ }
    });

    it('lists every request, newest first, each once', () => {
      assert.equal(all.length, ALL.length, JSON.stringify(all.map((e) => [e.id, e.model_requested, e.status])));
      assert.deepEqual(idsOf(all), idsNamed(ALL));
      for (let i = 1; i < all.length; i++)
        assert.ok(Date.parse(all[i - 1].created_at) >= Date.parse(all[i].created_at), `${all[i - 1].created_at} before ${all[i].created_at}`);
      // A request answered before another was sent (by at least a millisecond) is listed after it.
      const position = (name) => all.findIndex((e) => e.id === sent[name].id);
      for (const earlier of ALL)
        for (const later of ALL)
          if (sent[earlier].t1 < sent[later].t0)
            assert.ok(position(later) < position(earlier), `${later} (sent after ${earlier} was answered) is listed after it`);
    });

    it("shows each entry in /v1/generation's shape plus key_id and outcome", async () => {
      const e = byName('ok1');
      const body = sent.ok1.json;
      assert.equal(e.id, sent.ok1.id);
      assert.match(e.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.ok(Date.parse(e.created_at) >= Math.floor(sent.ok1.t0 / 1000) * 1000 && Date.parse(e.created_at) <= sent.ok1.t1, e.created_at);
      assert.equal(e.model, 'r/one');
      assert.equal(e.model_requested, 'r/one');
      assert.equal(e.provider_name, 'a');
      assert.equal(e.upstream_model, 'echo');
      assert.equal(e.streamed, false);
      assert.equal(e.finish_reason, 'stop');
      assert.equal(typeof e.latency, 'number');
      assert.equal(e.priced, true);
      assert.equal(e.total_cost, body.usage.cost);
      assert.equal(e.native_tokens_prompt, body.usage.prompt_tokens);
      assert.equal(e.native_tokens_completion, body.usage.completion_tokens);
      assert.equal(e.team, 'lab-a');
      assert.equal(e.user, 'alice');
      assert.deepEqual([...e.tags].sort(), ['shared', 't1']);
      assert.equal(e.use_case, 'summarize');
      assert.equal(e.endpoint, '/v1/chat/completions');
      assert.equal(e.status, 200);
      assert.equal(e.outcome, 'ok');
      assert.equal(e.error, null);
      assert.equal(typeof e.key_id, 'string');
      assert.ok(e.key_id.length > 0, 'key_id is empty');
      assert.equal(e.attempts.length, 1);
      const [attempt] = e.attempts;
      assert.equal(attempt.provider, 'a');
      assert.equal(attempt.model, 'echo');
      assert.equal(attempt.model_id, 'r/one');
      assert.equal(attempt.success, true);
      assert.equal(attempt.status, 200);
      // The same record as /v1/generation's, plus key_id and outcome.
      const { key_id, outcome, ...rest } = e;
      assert.deepEqual(rest, (await (await get(`/v1/generation?id=${e.id}`)).json()).data);
      // docs/observability.md: the attempt's times are start_time and end_time, Unix ms.
      assert.equal(typeof attempt.start_time, 'number', `attempt times: ${JSON.stringify(attempt)}`);
      assert.equal(typeof attempt.end_time, 'number', `attempt times: ${JSON.stringify(attempt)}`);
      assert.ok(sent.ok1.t0 <= attempt.start_time && attempt.start_time <= attempt.end_time && attempt.end_time <= sent.ok1.t1, JSON.stringify(attempt));
    });

    it('records a streamed, a failed, a rescued and a cancelled request as such', () => {
      const s = byName('stream');
      assert.equal(s.streamed, true);
      assert.equal(s.outcome, 'ok');
      assert.equal(s.provider_name, 'b');
      const usage = sent.stream.text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6))).at(-1).usage;
      assert.equal(s.native_tokens_completion, usage.completion_tokens);
      assert.equal(typeof s.time_to_first_token, 'number');

      const b = byName('broken');
      assert.equal(b.status, sent.broken.status);
      assert.equal(b.outcome, 'error');
      assert.equal(typeof b.error, 'string');
      assert.deepEqual(b.attempts.map((x) => [x.provider, x.success, x.status]), [['a', false, 503], ['b', false, 502]]);

      const r = byName('rescued');
      assert.equal(r.status, 200);
      assert.equal(r.outcome, 'ok');
      assert.equal(r.provider_name, 'b');
      assert.deepEqual(r.attempts.map((x) => [x.provider, x.success, x.status]), [['a', false, 503], ['b', true, 200]]);

      const c = byName('cancelled');
      assert.equal(c.status, 499);
      assert.equal(c.outcome, 'cancelled');
      assert.equal(c.team, 'lab-a');
      assert.equal(c.attempts.length, 1);
      assert.equal(c.attempts[0].provider, 'h');
    });

    it('records refused requests with outcome rejected, their status and the reason the client was given', () => {
      for (const name of ['malformed', 'unknown', 'badkey', 'rl3']) {
        const e = byName(name);
        assert.equal(e.outcome, 'rejected', name);
        assert.equal(e.status, TRAFFIC[name].status, name);
        assert.equal(e.status, sent[name].status, name);
        assert.deepEqual(e.attempts, [], name);
        assert.equal(e.team, TRAFFIC[name].team, name);
        assert.equal(e.error, sent[name].json.error.message, `${name}: the record's error is the message the client got`);
      }
      assert.match(byName('badkey').error, /key|auth/i);
      assert.equal(byName('unknown').model_requested, 'nope/x');
      assert.equal(byName('rl3').model_requested, 'r/one');
    });

    it('narrows the log by each filter', async () => {
      const keyA = byName('ok1').key_id, keyAR = byName('rl1').key_id;
      assert.notEqual(keyA, keyAR);
      const cases = [
        ['team=lab-b', ['ok2', 'slow']],
        ['team=lab-a', where((t) => t.team === 'lab-a')],
        [`key_id=${keyA}`, ['ok1', 'stream', 'broken', 'rescued', 'malformed', 'unknown', 'cancelled']],
        [`key_id=${keyAR}`, ['rl1', 'rl2', 'rl3']],
        ['user=alice', ['ok1']],
        ['user=bob', ['ok2']],
        ['model=r/one', ['ok1', 'ok2', 'rl1', 'rl2', 'rl3']],
        ['model=r/rescued', ['rescued']],
        [`model=${encodeURIComponent('nope/x')}`, ['unknown']],
        ['provider=a', ['ok1', 'ok2', 'rl1', 'rl2']],
        ['provider=b', ['stream', 'broken', 'rescued', 'slow']],
        ['provider=h', ['cancelled']],
        ['status=ok', where((t) => t.outcome === 'ok')],
        ['status=error', ['broken']],
        ['status=rejected', ['malformed', 'unknown', 'badkey', 'rl3']],
        ['status=cancelled', ['cancelled']],
        ['status=429', ['rl3']],
        ['status=401', ['badkey']],
        [`status=${sent.broken.status}`, ['broken']],
        ['streamed=true', ['stream']],
        ['streamed=false', ALL.filter((n) => n !== 'stream')],
        ['tag=shared', ['ok1']],
        ['tag=t2', ['ok2']],
        ['use_case=summarize', ['ok1']],
        ['min_cost=0', ['ok1', 'ok2', 'rl1', 'rl2']],  // unpriced requests never match
        ['team=lab-a&status=rejected', ['malformed', 'unknown', 'rl3']],
        [`start=${new Date(split).toISOString()}`, ALL.filter((n) => !PHASE1.includes(n))],
        [`end=${new Date(split).toISOString()}`, PHASE1],
      ];
      for (const [query, names] of cases) {
        const page = await logs(`${query}&limit=1000`);
        assert.deepEqual(idsOf(page.data), idsNamed(names), `${query}: got ${page.data.map((e) => e.model_requested + ':' + e.status)}`);
        assert.equal(page.next_cursor, null, query);
        // Still newest first.
        assert.deepEqual(page.data.map((e) => e.id), all.filter((e) => page.data.some((d) => d.id === e.id)).map((e) => e.id), query);
      }
      // The same instant in another zone, and a date as the end (the end of that day).
      const offset = new Date(split + 3600000).toISOString().replace('Z', '+01:00');
      assert.deepEqual(idsOf((await logs(`start=${encodeURIComponent(offset)}`)).data), idsNamed(ALL.filter((n) => !PHASE1.includes(n))));
      const newestDay = all[0].created_at.slice(0, 10), oldestDay = all.at(-1).created_at.slice(0, 10);
      assert.deepEqual(idsOf((await logs(`end=${newestDay}&start=${oldestDay}`)).data), idsNamed(ALL));
      const dayAfter = new Date(Date.parse(newestDay) + 86400000).toISOString().slice(0, 10);
      assert.deepEqual((await logs(`start=${dayAfter}`)).data, []);
      // Latency and cost: at least the figure, judged against the entries themselves.
      const slowest = byName('slow').latency;
      assert.ok(slowest >= 450, `r/slow took ${slowest} ms`);
      const atLeast = (await logs(`min_latency_ms=${slowest}`)).data;
      assert.deepEqual(idsOf(atLeast), idsOf(all.filter((e) => e.latency >= slowest)));
      assert.ok(atLeast.some((e) => e.id === sent.slow.id));
      assert.ok(!atLeast.some((e) => e.id === sent.badkey.id));
      const cost = byName('ok2').total_cost;
      assert.ok(cost > 0);
      const costly = (await logs(`min_cost=${cost}`)).data;
      assert.deepEqual(idsOf(costly), idsOf(all.filter((e) => e.priced && e.total_cost >= cost)));
      assert.ok(costly.some((e) => e.id === sent.ok2.id));
      assert.deepEqual((await logs(`min_cost=${cost * 1000}`)).data, []);
    });

    it('keeps the user and tags of a request refused over its rate limit (filters find it)', async () => {
      const refused = byName('rl3');
      assert.equal(refused.user, 'carol', JSON.stringify(refused));
      assert.deepEqual(refused.tags, ['burst'], JSON.stringify(refused));
      assert.deepEqual(idsOf((await logs('user=carol')).data), idsNamed(['rl1', 'rl2', 'rl3']));
      assert.deepEqual(idsOf((await logs('tag=burst')).data), idsNamed(['rl1', 'rl2', 'rl3']));
    });

    it('pages with limit=2 through every record exactly once, next_cursor null at the end', async () => {
      for (const filter of ['', 'status=ok&']) {
        const seen = [];
        let cursor = null, pages = 0;
        do {
          const page = await logs(`${filter}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          assert.ok(page.data.length <= 2);
          seen.push(...page.data.map((e) => e.id));
          cursor = page.next_cursor;
          assert.ok(++pages <= ALL.length + 1, 'paging does not end');
        } while (cursor !== null);
        const expected = (filter ? all.filter((e) => e.outcome === 'ok') : all).map((e) => e.id);
        assert.deepEqual(seen, expected, `paging ${filter || 'everything'}`);
      }
    });

    it("shows a team key its own team only; another team's name is refused; the admin sees all", async () => {
      const mine = await logs('limit=1000', A);
      assert.deepEqual(idsOf(mine.data), idsNamed(where((t) => t.team === 'lab-a')));
      assert.deepEqual(idsOf((await logs('limit=1000&team=lab-a', AR)).data), idsNamed(where((t) => t.team === 'lab-a')));
      assert.deepEqual(idsOf((await logs('limit=1000', B)).data), idsNamed(['ok2', 'slow']));
      for (const path of ['/v1/logs?team=lab-b', '/v1/logs?team=other', '/v1/timeseries?team=lab-b']) {
        const r = await get(path, A);
        assert.equal(r.status, 403, path);
        const body = await r.json();
        assert.equal(body.error.code, 'team_forbidden', path);
      }
      assert.deepEqual(idsOf((await logs('limit=1000&team=lab-b')).data), idsNamed(['ok2', 'slow']));
      assert.deepEqual(idsOf((await logs('limit=1000')).data), idsNamed(ALL));
      assert.equal((await fetch(`${gw.url}/v1/logs`)).status, 401);
      assert.equal((await get('/v1/logs', NOBODY)).status, 401);
    });

    it('answers bad parameters with 400 naming the parameter', async () => {
      const cases = [
        ['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=ten', 'limit'], ['status=nope', 'status'],
        ['start=yesterday', 'start'], ['end=2026-13-01', 'end'], ['cursor=garbage', 'cursor'],
        ['streamed=maybe', 'streamed'], ['min_latency_ms=-1', 'min_latency_ms'], ['min_cost=cheap', 'min_cost'],
      ];
      for (const [query, param] of cases) {
        const r = await get(`/v1/logs?${query}`);
        assert.equal(r.status, 400, query);
        const body = await r.json();
        assert.equal(body.error.param, param, `${query}: ${JSON.stringify(body)}`);
        assert.equal(typeof body.error.message, 'string');
      }
    });

    it('counts refusals by reason and the GenAI histograms in /metrics', async () => {
      const text = await (await fetch(`${gw.url}/metrics`)).text();
      const rejected = Object.fromEntries([...text.matchAll(/^switchyard_requests_rejected_total\{reason="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
      assert.deepEqual(rejected, { bad_request: 1, not_found: 1, unauthorized: 1, rate_limited: 1 }, text.match(/^switchyard_requests_rejected.*$/gm)?.join('\n'));
      const sum = (re) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
      // Every request that reached a provider (9) has a duration; the 7 answered ones their tokens
      // (input and output); the one streamed its first token.
      assert.match(text, /^# TYPE gen_ai_client_operation_duration_seconds histogram$/m);
      assert.equal(sum(/^gen_ai_client_operation_duration_seconds_count\{[^}]*gen_ai_operation_name="chat"[^}]*\} (\d+)$/gm), 9);
      assert.match(text, /^# TYPE gen_ai_client_token_usage histogram$/m);
      assert.equal(sum(/^gen_ai_client_token_usage_count\{[^}]*gen_ai_token_type="input"[^}]*\} (\d+)$/gm), 7);
      assert.equal(sum(/^gen_ai_client_token_usage_count\{[^}]*gen_ai_token_type="output"[^}]*\} (\d+)$/gm), 7);
      assert.match(text, /^gen_ai_client_token_usage_bucket\{[^}]*le="\+Inf"\} \d+$/m);
      assert.match(text, /^# TYPE gen_ai_server_time_to_first_token_seconds histogram$/m);
      assert.equal(sum(/^gen_ai_server_time_to_first_token_seconds_count\{[^}]*\} (\d+)$/gm), 1);
    });

    describe('GET /v1/timeseries', () => {
      const ERRORS = { rejected: 4, rate_limited: 0, upstream: 1, client: 0, cancelled: 1 };
      const series = async (query = '', key = ADMIN) => {
        const r = await get(`/v1/timeseries${query ? `?${query}` : ''}`, key);
        assert.equal(r.status, 200, `${query}: ${await r.clone().text()}`);
        return r.json();
      };
      const totals = (points) => points.reduce((t, p) => {
        t.requests += p.requests;
        t.rescued += p.rescued;
        for (const k of Object.keys(ERRORS)) t.errors[k] += p.errors[k];
        return t;
      }, { requests: 0, rescued: 0, errors: Object.fromEntries(Object.keys(ERRORS).map((k) => [k, 0])) });
      const quantile = (q, name) => (q === null || q === undefined ? null : q[name]);

      it('has a point a minute over the last hour, counting what was sent by error class', async () => {
        const answer = await until(async () => {
          const s = await series('grain=minute');
          return totals(s.series[0].points).requests >= ALL.length ? s : undefined;
        }, 'the requests in the minute series', 10000, 50);
        assert.equal(answer.grain, 'minute');
        assert.equal(answer.series[0].key, 'total');
        const points = answer.series[0].points;
        assert.ok(points.length >= 60 && points.length <= 61, `${points.length} points`);
        for (let i = 1; i < points.length; i++) assert.equal(Date.parse(points[i].t) - Date.parse(points[i - 1].t), 60000);
        assert.ok(Date.parse(points.at(-1).t) <= Date.now() && Date.parse(points.at(-1).t) > Date.now() - 120000, points.at(-1).t);
        assert.deepEqual(totals(points), { requests: ALL.length, rescued: 1, errors: ERRORS });
        for (const p of points) {
          if (p.requests > 0) {
            for (const q of ['p50', 'p95', 'p99']) assert.equal(typeof quantile(p.latency_ms, q), 'number', `${p.t} latency ${q}`);
            const errors = Object.values(p.errors).reduce((a, b) => a + b, 0);
            assert.ok(Math.abs(p.error_rate - errors / p.requests) < 1e-3, `${p.t}: error_rate ${p.error_rate}`);
          } else {
            assert.equal(quantile(p.latency_ms, 'p50'), null, `${p.t}: latency of no request`);
          }
        }
        const costly = points.reduce((n, p) => n + p.cost, 0);
        const spent = ['ok1', 'ok2', 'rl1', 'rl2'].reduce((n, name) => n + byName(name).total_cost, 0);
        assert.ok(Math.abs(costly - spent) < 1e-9, `cost ${costly} != ${spent}`);
      });

      it('has TTFT quantiles from streamed first bytes only', async () => {
        const points = (await series('grain=minute')).series[0].points;
        const ttft = byName('stream').time_to_first_token;
        assert.ok(ttft >= 300, `streamed TTFT ${ttft}`);
        const minute = (iso) => Math.floor(Date.parse(iso) / 60000) * 60000;
        for (const p of points) {
          if (Date.parse(p.t) === minute(byName('stream').created_at)) {
            // The one streamed request of its minute: both quantiles are its TTFT (within 12.5%).
            for (const q of ['p50', 'p99'])
              assert.ok(Math.abs(quantile(p.ttft_ms, q) - ttft) <= 0.125 * ttft + 1, `${p.t}: ttft ${q} ${quantile(p.ttft_ms, q)}, streamed ${ttft}`);
          } else {
            assert.equal(quantile(p.ttft_ms, 'p50'), null, `${p.t}: ttft p50 without a streamed request (${p.requests} requests)`);
          }
        }
      });

      it('has a line per provider, summing to the total', async () => {
        const answer = await series('grain=minute&group_by=provider');
        assert.equal(answer.group_by, 'provider');
        const [total, ...lines] = answer.series;
        assert.equal(total.key, 'total');
        const line = (key) => lines.find((l) => l.key === key);
        for (const key of ['a', 'b', 'h']) assert.ok(line(key), `no line for provider ${key}: ${lines.map((l) => l.key)}`);
        assert.equal(totals(line('a').points).requests, 4);
        assert.equal(totals(line('b').points).requests, 4);
        assert.equal(totals(line('b').points).errors.upstream, 1);
        assert.equal(totals(line('b').points).rescued, 1);
        assert.equal(totals(line('h').points).errors.cancelled, 1);
        total.points.forEach((p, i) =>
          assert.equal(lines.reduce((n, l) => n + l.points[i].requests, 0), p.requests, `${p.t}: the lines do not sum to the total`));
      });

      it("gives a team key its own team's counts", async () => {
        assert.deepEqual(totals((await series('grain=minute', A)).series[0].points),
          { requests: 10, rescued: 1, errors: { rejected: 3, rate_limited: 0, upstream: 1, client: 0, cancelled: 1 } });
        assert.deepEqual(totals((await series('grain=minute', B)).series[0].points),
          { requests: 2, rescued: 0, errors: { rejected: 0, rate_limited: 0, upstream: 0, client: 0, cancelled: 0 } });
      });

      it('refuses an unknown grain and a minute grain reaching back 3 days', async () => {
        const threeDaysAgo = new Date(Date.now() - 3 * 86400000).toISOString();
        for (const [query, param] of [['grain=week', 'grain'], [`grain=minute&start=${threeDaysAgo}`, 'start']]) {
          const r = await get(`/v1/timeseries?${query}`);
          assert.equal(r.status, 400, query);
          assert.equal((await r.json()).error.param, param, query);
        }
      });
    });

    it('writes one access-log line per request, with its id, status, outcome, team and model', async () => {
      const path = join(dir, 'access.log');
      const lines = await until(() => {
        if (!existsSync(path)) return undefined;
        const found = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
        return found.length >= ALL.length ? found : undefined;
      }, 'the access log', 10000, 50);
      assert.equal(lines.length, ALL.length);
      for (const name of ALL) {
        const line = lines.find((l) => l.id === sent[name].id);
        assert.ok(line, `no access-log line for ${name} (${sent[name].id})`);
        assert.equal(line.status, sent[name].status, name);
        assert.equal(line.outcome, TRAFFIC[name].outcome, name);
        assert.equal(line.team, TRAFFIC[name].team, name);
        if (TRAFFIC[name].model) assert.equal(line.model, TRAFFIC[name].model, name);
        if (TRAFFIC[name].provider) assert.equal(line.provider, TRAFFIC[name].provider, name);
        assert.equal(line.endpoint, '/v1/chat/completions', name);
        assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, name);
      }
      const ok1 = lines.find((l) => l.id === sent.ok1.id);
      assert.equal(ok1.input_tokens, sent.ok1.json.usage.prompt_tokens);
      assert.equal(ok1.output_tokens, sent.ok1.json.usage.completion_tokens);
      assert.equal(ok1.user, 'alice');
      assert.equal(ok1.error, null);
      assert.equal(ok1.attempts, 1);
      assert.equal(lines.find((l) => l.id === sent.rescued.id).attempts, 2);
      assert.equal(lines.find((l) => l.id === sent.badkey.id).error, sent.badkey.json.error.message);
    });
  });
}

describe('--log-level', () => {
  let sim;
  before(async () => { sim = await startSim(); });
  after(async () => { await sim?.stop(); });
  const yaml = `
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
`;

  it('at warn, serves and leaves out info lines (info shows them)', async () => {
    const chat = (gw) => postJson(`${gw.url}/v1/chat/completions`, { model: 'a/echo', messages: user('hi') });
    const loud = await startGateway(yaml, sim);
    const quiet = await startGateway(yaml, sim, undefined, ['--log-level', 'warn']);
    try {
      assert.equal((await chat(loud)).status, 200);
      assert.equal((await chat(quiet)).status, 200);
      await until(() => (/switchyard listening/.test(loud.output()) ? true : undefined), 'the info line at the default level');
      // A line the warn level does show, logged after the start: a config file that does not load.
      writeFileSync(quiet.configPath, readFileSync(quiet.configPath, 'utf8') + 'no_such_setting: 1\n');
      quiet.proc.kill('SIGHUP');
      await until(() => (/keeping the running config/.test(quiet.output()) ? true : undefined), 'the error line of a bad reload', 5000);
      assert.doesNotMatch(quiet.output(), /switchyard listening/);
      assert.equal((await chat(quiet)).status, 200);
    } finally {
      await loud.stop();
      await quiet.stop();
    }
  });

  it('refuses an unknown level with exit status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-level-'));
    const path = join(dir, 'switchyard.yaml');
    writeFileSync(path, `listen: 127.0.0.1:0\nstorage: none\n${yaml.replaceAll('SIM_URL', sim.url)}`);
    const { code, stderr } = await new Promise((ok) => execFile(BIN, ['serve', '--config', path, '--log-level', 'loud'], { timeout: 10000 },
      (error, stdout, stderr) => ok({ code: error ? error.code : 0, stderr })));
    assert.equal(code, 2, stderr);
    assert.match(stderr, /log-level/);
  });
});
