#!/usr/bin/env node
// `make demo`: a gateway with the provider simulator in-process and realistic traffic, so the
// dashboard has something to show within a minute: dozens of models from several labs, 60 teams
// of very different sizes (Zipf), agentic requests with tools and long contexts, and outages that
// fallbacks rescue. Runs until Ctrl-C; the records stay in ./switchyard-demo.db.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
const teams = Array.from({ length: 60 }, (_, i) => ({ name: `team-${String(i + 1).padStart(3, '0')}`, key: `sk-demo-team-${i + 1}-key`,
  segment: ['b2b', 'b2c', 'internal'][i % 3], weight: 1 / Math.pow(i + 1, 1.3) }));

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
  const [id, provider, upstream] = pick(models, (m) => m[3]);
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

const dir = mkdtempSync(join(tmpdir(), 'switchyard-demo-'));
writeFileSync(join(dir, 'demo.yaml'), config());
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
