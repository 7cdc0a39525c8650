#!/usr/bin/env node
// `make demo`: a gateway with provider simulators and traffic at a believable pace (DEMO_RPS, 3
// requests a second by default) so the dashboard has something to show at once: dozens of models
// from several labs, 60 teams of very different sizes (Zipf), agentic requests with tools and long
// contexts, streams, outages that fallbacks rescue and some that nothing rescues, rate limits,
// requests the gateway refuses (an unknown model, a bad key) and clients that leave early; and,
// imported before it starts, the same traffic over the past: the last two days at the live pace,
// and six weeks before them, more thinly (DEMO_HISTORY_PER_DAY, 2,000 a day, so the import stays
// quick), in which new model versions take over their families. The pace follows the time of day:
// DEMO_RPS (3 requests a second) at the afternoon peak, a fifth of it at night. Traffic runs
// until Ctrl-C (or for DEMO_SECONDS); the records stay in ./switchyard-demo.db.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.DEMO_PORT ?? 8090);
const seconds = Number(process.env.DEMO_SECONDS ?? 0);  // 0: until Ctrl-C
const rps = Number(process.env.DEMO_RPS ?? 3);
// Requests a second at `ms`: `rps` at 14:00 UTC, a fifth of it at 02:00.
const paceAt = (ms) => rps * (0.6 + 0.4 * Math.sin(2 * Math.PI * ((ms / 3600000) % 24 - 8) / 24));
const bin = process.env.SWITCHYARD_BIN ?? join(repo, 'build/switchyard');
const base = `http://127.0.0.1:${port}`;
const ADMIN = 'demo-admin-key-0001';

// [model id, provider, upstream name, relative popularity]
const models = [
  ['openai/gpt-5', 'openai', 'gpt-5', 6], ['openai/gpt-5-mini', 'openai', 'gpt-5-mini', 14], ['openai/gpt-5-nano', 'openai', 'gpt-5-nano', 8],
  ['openai/gpt-4.1-mini', 'openai', 'gpt-4.1-mini', 6], ['openai/gpt-4o-mini', 'openai', 'gpt-4o-mini', 8], ['openai/o4-mini', 'openai', 'o4-mini', 3],
  ['anthropic/claude-opus-4-1', 'anthropic', 'claude-opus-4-1', 2], ['anthropic/claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5', 12],
  ['anthropic/claude-sonnet-4', 'anthropic', 'claude-sonnet-4', 4], ['anthropic/claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5', 6],
  ['google/gemini-2.5-pro', 'google', 'gemini-2.5-pro', 4], ['google/gemini-2.5-flash', 'google', 'gemini-2.5-flash', 16],
  ['google/gemini-2.0-flash', 'google', 'gemini-2.0-flash', 5], ['google/gemini-2.5-flash-lite', 'google', 'gemini-2.5-flash-lite', 6],
  ['xai/grok-4', 'xai', 'grok-4', 2], ['xai/grok-code-fast-1', 'xai', 'grok-code-fast-1', 7], ['xai/grok-4-fast', 'xai', 'grok-4-fast', 4],
  ['deepseek/deepseek-chat', 'deepseek', 'deepseek-chat', 6], ['moonshot/kimi-k2', 'moonshot', 'kimi-k2', 3], ['zhipu/glm-4.6', 'zhipu', 'glm-4.6', 3],
  ['minimax/minimax-m2', 'minimax', 'minimax-m2', 2], ['groq/llama-3.3-70b', 'groq', 'llama-3.3-70b-versatile', 4],
  ['together/qwen3-coder', 'together', 'qwen3-coder', 3], ['mistral/mistral-small', 'mistral', 'mistral-small-latest', 2],
];
const providerTypes = { openai: 'openai', anthropic: 'anthropic', google: 'gemini' };
const simPath = { openai: 'openai/v1', anthropic: 'anthropic', gemini: 'gemini' };
const providers = [...new Set(models.map((m) => m[1]))];
// A team uses more models the more it sends: the biggest all of them, the smallest two or three.
const teams = Array.from({ length: 60 }, (_, i) => ({ name: `team-${String(i + 1).padStart(3, '0')}`, key: `sk-demo-team-${i + 1}-key`,
  segment: ['b2b', 'b2c', 'internal'][i % 3], weight: 1 / Math.pow(i + 1, 1.3),
  models: models.filter((_, m) => (m * 7 + i * 5) % models.length < Math.max(3, Math.round(models.length / Math.pow(i + 1, 0.6)))) }));

// Three simulators with the answer pace of fast, middling and slow labs (time to first token, time
// between tokens), so latencies differ by provider as they do in life.
const paces = [[120, 4], [300, 10], [650, 22]];
const paceOf = (provider) => ({ groq: 0, google: 0, xai: 0, deepseek: 1, openai: 1, mistral: 1, together: 1, anthropic: 2, moonshot: 2, zhipu: 2, minimax: 2 })[provider] ?? 1;

function config() {
  const lines = [`listen: 127.0.0.1:${port}`, 'storage: sqlite:./switchyard-demo.db', `admin_key: ${ADMIN}`,
    'retries: {max: 0}', 'circuit_breaker: {failures: 0}', 'auth:', '  keys:'];
  for (const t of teams) lines.push(`    - {key: ${t.key}, team: ${t.name}}`);
  lines.push('teams:');
  for (const t of teams) lines.push(`  ${t.name}: {segment: ${t.segment}}`);
  lines.push('providers:');
  for (const p of providers) {
    const type = providerTypes[p] ?? 'openai';
    lines.push(`  ${p}: {type: ${type}, base_url: 'http://127.0.0.1:${port + 1 + paceOf(p)}/${simPath[type]}', api_key: sim}`);
  }
  return lines.join('\n') + '\n';
}

// New versions and the day (of the six weeks of history) each was launched: from then on it takes
// the family's traffic over in about two weeks.
const HISTORY_DAYS = 42;
const successors = { 'anthropic/claude-sonnet-4': ['anthropic/claude-sonnet-4-5', 6], 'google/gemini-2.0-flash': ['google/gemini-2.5-flash', 16],
  'openai/gpt-4.1-mini': ['openai/gpt-5-mini', 24] };
const predecessors = Object.fromEntries(Object.entries(successors).map(([old, [next]]) => [next, old]));
function versionOn(model, dayIndex) {  // dayIndex: 0 = six weeks ago, HISTORY_DAYS = today
  const old = predecessors[model[0]] ?? model[0];
  if (!successors[old]) return model;
  const [next, launch] = successors[old];
  const share = dayIndex < launch ? 0 : 1 / (1 + Math.exp(-(dayIndex - launch - 7) / 2.5));
  const id = Math.random() < share ? next : old;
  return models.find((m) => m[0] === id);
}

// List prices from data/prices.yaml (what the binary compiles in) for the history's costs: the
// latest entry naming the upstream model, without a -latest/-versatile suffix.
const prices = new Map();
for (const line of readFileSync(join(repo, 'data/prices.yaml'), 'utf8').split('\n')) {
  const entry = line.match(/^\s*- \{model: (\[[^\]]*\]|[^,]+), (?:host: [^,]+, )?input: ([\d.]+), output: ([\d.]+)/);
  if (!entry || /host:/.test(line)) continue;
  for (const name of entry[1].replace(/[[\]]/g, '').split(',')) prices.set(name.trim(), [Number(entry[2]), Number(entry[3])]);
}
const priceOf = (upstream) => prices.get(upstream) ?? prices.get(upstream.replace(/-(latest|versatile)$/, ''));

function pick(items, weight) {
  const total = items.reduce((n, x) => n + weight(x), 0);
  let point = Math.random() * total;
  for (const x of items) if ((point -= weight(x)) < 0) return x;
  return items.at(-1);
}

const tools = [{ type: 'function', function: { name: 'search_docs', description: 'Search the knowledge base',
  parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } }];
const context = 'Earlier in this session the agent read these files and tool results. '.repeat(6);
const useCases = ['chat', 'summarize', 'classify', 'agent', 'extract'];

// One live request, of a kind drawn at random: mostly answered (a third streamed), some rescued
// by a fallback, some failing upstream (503, or a 429 rate limit), some refused by the gateway (an
// unknown model, a bad key), a few whose client gives up before the answer.
async function one(stats) {
  const team = pick(teams, (t) => t.weight);
  const [id, provider, upstream] = versionOn(pick(team.models, (m) => m[3]), HISTORY_DAYS);
  const agentic = Math.random() < 0.22;
  const body = { model: id, messages: [{ role: 'user', content: agentic ? `${context} Now find the answer.` : 'Summarise our Q3 numbers.' }] };
  if (agentic) Object.assign(body, { tools, tool_choice: 'required' });
  if (Math.random() < 0.3) body.user = `user-${1 + Math.floor(Math.random() * 40)}`;
  let key = team.key, leaveAfterMs = 0;
  const kind = Math.random();
  if (kind < 0.035) {  // a provider outage that a fallback model rescues
    body.model = `${provider}/${upstream}~fail=503`;
    body.models = [pick(models.filter((m) => m[1] !== provider), (m) => m[3])[0]];
  } else if (kind < 0.045) {
    body.model = `${provider}/${upstream}~fail=503`;  // an outage with no fallback
  } else if (kind < 0.052) {
    body.model = `${provider}/${upstream}~fail=429`;  // the provider's rate limit
  } else if (kind < 0.064) {
    body.model = pick(['acme/gpt-7-ultra', 'mystery-model-1', 'anthrop1c/claude-sonnet-4-5'], () => 1);  // refused: unknown model
  } else if (kind < 0.07) {
    key = 'sk-demo-revoked-key';  // refused: a key the gateway does not know
  } else if (kind < 0.075) {
    leaveAfterMs = 60;  // the client gives up before the answer
  }
  if (Math.random() < 0.35 || leaveAfterMs) body.stream = true;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}`,
    'x-switchyard-use-case': agentic ? 'agent' : useCases[Math.floor(Math.random() * useCases.length)] };
  if (Math.random() < 0.15) headers['x-switchyard-tags'] = pick(['batch', 'prod', 'eval', 'prod,priority'], () => 1);
  const abort = new AbortController();
  if (leaveAfterMs) setTimeout(() => abort.abort(), leaveAfterMs);
  try {
    const response = await fetch(`${base}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body), headers, signal: abort.signal });
    await response.arrayBuffer();
    stats[response.ok ? 'ok' : 'failed']++;
  } catch (e) {
    if (!leaveAfterMs) throw e;
    stats.left++;
  }
}

// The records the gateway would have written for this traffic in the past (no HTTP), in
// `switchyard export`'s format, oldest first: six weeks at perDay a day, then the last two days
// at the live pace. Ids come from their times, so a second run adds only the last two days again.
function* historyLines(perDay) {
  const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const ulidTime = (ms) => Array.from({ length: 10 }, (_, i) => crockford[Math.floor(ms / 32 ** (9 - i)) % 32]).join('');
  const now = Date.now(), today = Math.floor(now / 86400000) * 86400000, recentFrom = now - 2 * 86400000;
  function* times() {  // [created ms, a number for the id, the day of the history]
    for (let day = 0; day < HISTORY_DAYS; day++) {
      for (let n = 0; n < perDay; n++) {
        const created = today - (HISTORY_DAYS - day) * 86400000 + Math.floor((n + 0.5) * 86400000 / perDay);
        if (created < recentFrom) yield [created, n, day];
      }
    }
    for (let t = recentFrom, n = 0; t < now; t += -Math.log(1 - Math.random()) * 1000 / paceAt(t))
      yield [Math.floor(t), 1e9 + n++, HISTORY_DAYS - Math.max(0, Math.ceil((today - t) / 86400000))];
  }
  for (const [created, n, day] of times()) {
    const team = pick(teams, (t) => t.weight);
    const kind = Math.random();
    if (kind < 0.015) {  // refused by the gateway: an unknown model, or a key it does not know
      const badKey = kind < 0.004;
      const asked = badKey ? pick(team.models, (m) => m[3])[0] : 'acme/gpt-7-ultra';
      yield (JSON.stringify({ id: `gen_${ulidTime(created)}${String(n).padStart(16, '0')}`, created_ms: created, team: badKey ? '' : team.name,
        key_id: badKey ? '' : team.key.slice(-8), user: '', use_case: '', endpoint: '/v1/chat/completions', tags: [], model_requested: asked, model: '',
        provider: '', upstream_model: '', streamed: false, finish_reason: '', input_tokens: 0, output_tokens: 0, cache_read_tokens: 0,
        cache_write_tokens: 0, reasoning_tokens: 0, cost: null, byok: false, ttft_ms: null, latency_ms: 1, status: badKey ? 401 : 404,
        error: badKey ? 'invalid API key' : "model 'acme/gpt-7-ultra' not found: it is not configured and no provider is named 'acme'", attempts: [] }));
      continue;
    }
    let [id, provider, upstream] = versionOn(pick(team.models, (m) => m[3]), day);
    const agentic = Math.random() < 0.22;
    const input = agentic ? 2500 + Math.floor(Math.random() * 6000) : 40 + Math.floor(Math.random() * 400);
    const output = agentic ? 60 + Math.floor(Math.random() * 120) : 80 + Math.floor(Math.random() * 500);
    const attempts = [];
    if (kind < 0.027) {  // an outage nothing rescued
      const latency = 30 + Math.floor(Math.random() * 200);
      attempts.push({ provider, model: upstream, model_id: id, success: false, status: 503, error: 'upstream answered 503',
        start_time: created + 1, end_time: created + latency });
      yield (JSON.stringify({ id: `gen_${ulidTime(created)}${String(n).padStart(16, '0')}`, created_ms: created, team: team.name,
        key_id: team.key.slice(-8), user: '', use_case: useCases[n % useCases.length], endpoint: '/v1/chat/completions', tags: [],
        model_requested: id, model: id, provider, upstream_model: upstream, streamed: false, finish_reason: '', input_tokens: 0,
        output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost: null, byok: false, ttft_ms: null,
        latency_ms: latency, status: 503, error: 'every route failed: upstream answered 503', attempts }));
      continue;
    }
    if (Math.random() < 0.035) {  // an outage rescued by another lab's model
      attempts.push({ provider, model: upstream, model_id: id, success: false, status: 503, error: 'upstream answered 503',
        start_time: created, end_time: created + 40 });
      [id, provider, upstream] = pick(models.filter((m) => m[1] !== provider), (m) => m[3]);
    }
    const latency = 300 + Math.floor(Math.random() * (agentic ? 4000 : 1500));
    attempts.push({ provider, model: upstream, model_id: id, success: true, status: 200, error: null,
      start_time: created + (attempts.length ? 45 : 0), end_time: created + latency });
    const price = priceOf(upstream);
    yield (JSON.stringify({ id: `gen_${ulidTime(created)}${String(n).padStart(16, '0')}`, created_ms: created, team: team.name,
      key_id: team.key.slice(-8), user: '', use_case: agentic ? 'agent' : useCases[n % useCases.length], endpoint: '/v1/chat/completions',
      tags: [], model_requested: attempts[0].model_id, model: id, provider, upstream_model: upstream, streamed: n % 3 === 0,
      finish_reason: agentic ? 'tool_calls' : 'stop', input_tokens: input, output_tokens: output, cache_read_tokens: 0,
      cache_write_tokens: 0, reasoning_tokens: 0, cost: price ? (input * price[0] + output * price[1]) / 1e6 : null, byok: false,
      ttft_ms: Math.floor(latency / 3), latency_ms: latency, status: 200, error: '', attempts }));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'switchyard-demo-'));
writeFileSync(join(dir, 'demo.yaml'), config());
const perDay = Number(process.env.DEMO_HISTORY_PER_DAY ?? 2000);
if (perDay > 0 || rps > 0) {  // streamed to the import, 5,000 lines at a time
  const importer = spawn(bin, ['import', '--config', join(dir, 'demo.yaml'), '-'], { stdio: ['pipe', 'inherit', 'inherit'] });
  const exited = once(importer, 'exit');
  let batch = [];
  for (const line of historyLines(perDay)) {
    batch.push(line);
    if (batch.length < 5000) continue;
    if (!importer.stdin.write(`${batch.join('\n')}\n`)) await once(importer.stdin, 'drain');
    batch = [];
  }
  importer.stdin.end(batch.length ? `${batch.join('\n')}\n` : '');
  const [code] = await exited;
  if (code !== 0) process.exit(code ?? 1);
}
const sims = paces.map(([ttft, delay], i) => spawn(bin, ['sim', '--listen', `127.0.0.1:${port + 1 + i}`, '--ttft-ms', String(ttft),
  '--token-delay-ms', String(delay)], { stdio: ['ignore', 'ignore', 'inherit'] }));
const gateway = spawn(bin, ['serve', '--config', join(dir, 'demo.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
const stop = () => { gateway.kill('SIGTERM'); for (const sim of sims) sim.kill('SIGTERM'); };
process.on('SIGINT', () => { stop(); process.exit(0); });
process.on('SIGTERM', () => { stop(); process.exit(0); });
for (let i = 0; i < 100; i++) {
  try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* starting */ }
  await new Promise((ok) => setTimeout(ok, 50));
}
console.log(`dashboard: ${base}/dashboard  (key: ${ADMIN})`);
// Requests arrive at random (a Poisson process at the time of day's pace), each on its own; at
// most 64 in flight, so a stalled gateway is not buried.
const stats = { ok: 0, failed: 0, left: 0 };
const until = seconds > 0 ? Date.now() + seconds * 1000 : Infinity;
const inFlight = new Set();
const progress = setInterval(() => process.stdout.write(
  `\rtraffic (${paceAt(Date.now()).toFixed(1)}/s): ${stats.ok} answered, ${stats.failed} failed or refused, ${stats.left} left early   `), 1000);
while (Date.now() < until) {
  if (inFlight.size < 64) {
    const request = one(stats).catch(() => stats.failed++).finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await new Promise((ok) => setTimeout(ok, -Math.log(1 - Math.random()) * 1000 / paceAt(Date.now())));
}
await Promise.all(inFlight);
clearInterval(progress);
console.log(`\rtraffic: ${stats.ok} answered, ${stats.failed} failed or refused, ${stats.left} left early — done; the gateway keeps running (Ctrl-C stops it)`);
if (process.env.DEMO_EXIT) { stop(); process.exit(0); }
