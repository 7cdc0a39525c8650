#!/usr/bin/env node
// `make demo`: a gateway with the provider simulator in-process and realistic traffic, so the
// dashboard has something to show within a minute: dozens of models from several labs, 60 teams
// of very different sizes (Zipf), agentic requests with tools and long contexts, and outages that
// fallbacks rescue; and, imported before it starts, six weeks of the same traffic in which new
// model versions take over their families. Runs until Ctrl-C; the records stay in
// ./switchyard-demo.db.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.DEMO_PORT ?? 8090);
const seconds = Number(process.env.DEMO_SECONDS ?? 60);
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

function config() {
  const lines = [`listen: 127.0.0.1:${port}`, 'storage: sqlite:./switchyard-demo.db', `admin_key: ${ADMIN}`,
    `simulator: {listen: 127.0.0.1:${port + 1}}`, 'retries: {max: 0}', 'circuit_breaker: {failures: 0}', 'auth:', '  keys:'];
  for (const t of teams) lines.push(`    - {key: ${t.key}, team: ${t.name}}`);
  lines.push('teams:');
  for (const t of teams) lines.push(`  ${t.name}: {segment: ${t.segment}}`);
  lines.push('providers:');
  for (const p of providers) {
    const type = providerTypes[p] ?? 'openai';
    lines.push(`  ${p}: {type: ${type}, base_url: 'http://127.0.0.1:${port + 1}/${simPath[type]}', api_key: sim}`);
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

async function one(stats) {
  const team = pick(teams, (t) => t.weight);
  const [id, provider, upstream] = versionOn(pick(team.models, (m) => m[3]), HISTORY_DAYS);
  const agentic = Math.random() < 0.22;
  const body = { model: id, messages: [{ role: 'user', content: agentic ? `${context} Now find the answer.` : 'Summarise our Q3 numbers.' }] };
  if (agentic) Object.assign(body, { tools, tool_choice: 'required' });
  // About 3.5% of requests hit a provider outage and are rescued by a fallback model.
  if (Math.random() < 0.035) {
    body.model = `${provider}/${upstream}~fail=503`;
    body.models = [pick(models.filter((m) => m[1] !== provider), (m) => m[3])[0]];
  }
  const response = await fetch(`${base}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body), headers: {
    'content-type': 'application/json', authorization: `Bearer ${team.key}`,
    'x-switchyard-use-case': agentic ? 'agent' : useCases[Math.floor(Math.random() * useCases.length)] } });
  await response.arrayBuffer();
  stats[response.ok ? 'ok' : 'failed']++;
}

// The records the gateway would have written for six weeks of this traffic (no HTTP), in
// `switchyard export`'s format, ids from their own times so that a second run adds nothing.
function historyLines(perDay) {
  const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const ulidTime = (ms) => Array.from({ length: 10 }, (_, i) => crockford[Math.floor(ms / 32 ** (9 - i)) % 32]).join('');
  const today = Math.floor(Date.now() / 86400000) * 86400000;
  const lines = [];
  for (let day = 0; day < HISTORY_DAYS; day++) {
    for (let n = 0; n < perDay; n++) {
      const created = today - (HISTORY_DAYS - day) * 86400000 + Math.floor((n + 0.5) * 86400000 / perDay);
      const team = pick(teams, (t) => t.weight);
      let [id, provider, upstream] = versionOn(pick(team.models, (m) => m[3]), day);
      const agentic = Math.random() < 0.22;
      const input = agentic ? 2500 + Math.floor(Math.random() * 6000) : 40 + Math.floor(Math.random() * 400);
      const output = agentic ? 60 + Math.floor(Math.random() * 120) : 80 + Math.floor(Math.random() * 500);
      const attempts = [];
      if (Math.random() < 0.035) {  // an outage rescued by another lab's model
        attempts.push({ provider, model: upstream, model_id: id, success: false, status: 503, error: 'upstream answered 503',
          start_time: created, end_time: created + 40 });
        [id, provider, upstream] = pick(models.filter((m) => m[1] !== provider), (m) => m[3]);
      }
      const latency = 300 + Math.floor(Math.random() * (agentic ? 4000 : 1500));
      attempts.push({ provider, model: upstream, model_id: id, success: true, status: 200, error: null,
        start_time: created + (attempts.length ? 45 : 0), end_time: created + latency });
      const price = priceOf(upstream);
      lines.push(JSON.stringify({ id: `gen_${ulidTime(created)}${String(n).padStart(16, '0')}`, created_ms: created, team: team.name,
        key_id: team.key.slice(-8), user: '', use_case: agentic ? 'agent' : useCases[n % useCases.length], endpoint: '/v1/chat/completions',
        tags: [], model_requested: attempts[0].model_id, model: id, provider, upstream_model: upstream, streamed: n % 3 === 0,
        finish_reason: agentic ? 'tool_calls' : 'stop', input_tokens: input, output_tokens: output, cache_read_tokens: 0,
        cache_write_tokens: 0, reasoning_tokens: 0, cost: price ? (input * price[0] + output * price[1]) / 1e6 : null, byok: false,
        ttft_ms: Math.floor(latency / 3), latency_ms: latency, status: 200, error: '', attempts }));
    }
  }
  return lines.join('\n') + '\n';
}

const dir = mkdtempSync(join(tmpdir(), 'switchyard-demo-'));
writeFileSync(join(dir, 'demo.yaml'), config());
const perDay = Number(process.env.DEMO_HISTORY_PER_DAY ?? 2000);
if (perDay > 0) {
  const imported = spawnSync(join(repo, 'build/switchyard'), ['import', '--config', join(dir, 'demo.yaml'), '-'],
    { input: historyLines(perDay), stdio: ['pipe', 'inherit', 'inherit'] });
  if (imported.status !== 0) process.exit(imported.status ?? 1);
}
const gateway = spawn(join(repo, 'build/switchyard'), ['serve', '--config', join(dir, 'demo.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
process.on('SIGINT', () => { gateway.kill('SIGTERM'); process.exit(0); });
for (let i = 0; i < 100; i++) {
  try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* starting */ }
  await new Promise((ok) => setTimeout(ok, 50));
}
console.log(`dashboard: ${base}/dashboard  (key: ${ADMIN})`);
const stats = { ok: 0, failed: 0 };
const until = Date.now() + seconds * 1000;
const worker = async () => { while (Date.now() < until) await one(stats).catch(() => stats.failed++); };
const progress = setInterval(() => process.stdout.write(`\rtraffic: ${stats.ok} answered, ${stats.failed} failed`), 1000);
await Promise.all(Array.from({ length: 16 }, worker));
clearInterval(progress);
console.log(`\rtraffic: ${stats.ok} answered, ${stats.failed} failed — done; the gateway keeps running (Ctrl-C stops it)`);
if (process.env.DEMO_EXIT) { gateway.kill('SIGTERM'); process.exit(0); }
