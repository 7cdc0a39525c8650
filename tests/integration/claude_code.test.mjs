// Claude Code (@anthropic-ai/claude-code) pointed at the gateway as a user would point it:
// ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY, nothing else that concerns the model. `claude -p` runs
// a turn with a round trip of its Bash tool (the simulator calls it when the prompt says
// [call:Bash]; its arguments come from the tool's schema: command "sim" with a timeout of 1 ms,
// which ends as timed out (exit 143) or as command not found (exit 127), in a temporary directory),
// first with Claude Code's own default model, then with --model naming models the gateway routes
// to an Anthropic, an OpenAI chat and a Gemini provider. The simulator's `signed=1` refuses a
// history whose tool call lost its signature (Anthropic's signed thinking block, Gemini's
// thoughtSignature), so a turn completes only when the signatures survive the round trip through
// Claude Code. (The simulator thinks only for thinking {type: enabled}; Claude Code asks its
// default model for {type: adaptive}, so there it is the claude-sonnet-4-5 case that carries a
// signed thinking block.) Startup, time to the first tool call and turn time are printed, not
// asserted.
//
// What Claude Code 2.1 sends (captured through a logging proxy): POST /v1/messages?beta=true
// (stream: true; after a failed stream it tries once more with stream: false), a fire-and-forget
// HEAD /api/hello at startup, headers anthropic-version, anthropic-beta (claude-code-20250219, ...),
// x-api-key, x-app: cli, x-claude-code-session-id; `system` messages between turns (the
// environment), thinking {type: adaptive} for the models it knows to support it and
// {type: enabled, budget_tokens} for older ones (claude-sonnet-4-5), metadata.user_id a JSON string
// of device_id, account_uuid and session_id.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSim, startGateway, recordOf } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const KEY = 'sk-claude-code-0123456789';
// The model id Claude Code 2.1.332 sends when no --model is given.
const DEFAULT_MODEL = 'claude-opus-5-5';

// npm's launcher is the native binary itself once the package's postinstall has copied it over
// the placeholder (a stub of a few hundred bytes that only prints instructions).
function findClaude() {
  const native = join(here, 'node_modules/@anthropic-ai/claude-code/bin/claude.exe');
  const launcher = join(here, 'node_modules/.bin/claude');
  if (!existsSync(native) || !existsSync(launcher) || statSync(native).size < 4096) return null;
  return launcher;
}
const claude = findClaude();

// Providers of each type, all the simulator.
const config = `
auth:
  keys:
    - {key: ${KEY}, team: claude-code}
providers:
  anthropic-sim: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
  openai-sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  gemini-sim: {type: gemini, base_url: 'SIM_URL/gemini', api_key: k}
# Claude Code's default model (and its small/fast one) is not configured: the claude- family
# (data/model_catalogue.yaml) sends it to the Anthropic provider, asked for the same name.
models:
  # An id Claude Code sends budgeted thinking for (type: enabled), which the simulator answers
  # with a signed thinking block that must come back before the tool call.
  claude-sonnet-4-5: {routes: [{provider: anthropic-sim, model: 'echo~signed=1'}]}
  gpt-5.5: {routes: [{provider: openai-sim, model: echo}]}
  gemini-3-pro-preview: {routes: [{provider: gemini-sim, model: 'echo~signed=1'}]}
`;

// One `claude -p` turn against `gatewayUrl`: its stream-json events (each with the milliseconds
// since the spawn at which it arrived), exit code and stderr.
function claudePrint(gatewayUrl, prompt, extraArgs = []) {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-claude-'));
  const home = join(root, 'home'), cwd = join(root, 'work'), tmp = join(root, 'tmp');
  for (const dir of [home, cwd, tmp]) mkdirSync(dir);
  // --allowedTools rather than --dangerously-skip-permissions, which Claude Code refuses as root.
  const args = ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--allowedTools', 'Bash', ...extraArgs];
  const started = performance.now();
  const proc = spawn(claude, args, {
    cwd, stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH, LANG: 'C.UTF-8',
      // No user state in or out: its config, sessions and temporary files (task output) stay here.
      HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude'), TMPDIR: tmp,
      ANTHROPIC_BASE_URL: gatewayUrl, ANTHROPIC_API_KEY: KEY,
      // No telemetry, error reports, update checks or feature flags: with it, nothing but the
      // gateway is contacted (without it, Claude Code looks up api.anthropic.com).
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1',
      // Bash's schema without run_in_background: the simulator fills booleans with true, and a
      // background command's completion would start another turn on its own schedule.
      CLAUDE_CODE_DISABLE_BACKGROUND_TASKS: '1',
    },
  });
  const events = [];
  let pending = '', stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d) => {
    const at = performance.now() - started;
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines.filter((l) => l.trim())) {
      try {
        events.push({ ...JSON.parse(line), at });
      } catch {
        events.push({ type: 'unparsed', line, at });
      }
    }
  });
  proc.stderr.on('data', (d) => { stderr += d; });
  const killer = setTimeout(() => proc.kill('SIGKILL'), 120000);
  return new Promise((ok, fail) => {
    proc.once('error', fail);
    proc.once('close', (code, signal) => {
      clearTimeout(killer);
      rmSync(root, { recursive: true, force: true });
      ok({ code: code ?? signal, events, stderr, ms: performance.now() - started });
    });
  });
}

// The events in a trace, without the init event's long lists (tools, slash commands, ...).
function brief(events) {
  return events.map((e) => {
    if (e.type === 'system' && e.subtype === 'init') return { type: e.type, subtype: e.subtype, model: e.model, tools: e.tools?.length, at: e.at };
    if (e.type === 'result') {
      const { subtype, is_error, num_turns, result, api_error_status, api_error_type, terminal_reason, duration_ms, at } = e;
      return { type: e.type, subtype, is_error, num_turns, result, api_error_status, api_error_type, terminal_reason, duration_ms, at };
    }
    if (e.type === 'assistant' || e.type === 'user') return { type: e.type, content: e.message?.content, request_id: e.request_id, at: e.at };
    return e;
  });
}

const cases = [
  { title: 'with its default model, unconfigured, routed by its family to the Anthropic provider', args: [],
    model: DEFAULT_MODEL, provider: 'anthropic-sim', family: true },
  { title: 'with --model routed to an Anthropic provider, signed thinking round trip', args: ['--model', 'claude-sonnet-4-5'],
    model: 'claude-sonnet-4-5', provider: 'anthropic-sim', thinking: true },
  { title: 'with --model routed to an OpenAI chat provider', args: ['--model', 'gpt-5.5'], model: 'gpt-5.5', provider: 'openai-sim' },
  { title: 'with --model routed to a Gemini provider, thought signatures round trip', args: ['--model', 'gemini-3-pro-preview'],
    model: 'gemini-3-pro-preview', provider: 'gemini-sim' },
];

describe('Claude Code through the gateway', { skip: claude ? false : 'Claude Code is not installed (npm ci in tests/integration installs @anthropic-ai/claude-code)' }, () => {
  let sim, gw;
  const timings = [];
  before(async () => {
    sim = await startSim();
    gw = await startGateway(config, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
    if (timings.length) console.log(`Claude Code through the gateway:\n${timings.join('\n')}`);
  });

  for (const c of cases) {
    it(`completes a claude -p turn with a round trip of its Bash tool ${c.title}`, { timeout: 150000 }, async () => {
      const run = await claudePrint(gw.url, 'Run the command, please. [call:Bash]', c.args);
      // The gateway's records of the requests Claude Code made (it reads each answer's request id),
      // so that a failure shows which request failed, with what status and error.
      const records = [];
      for (const id of new Set(run.events.map((e) => e.request_id).filter(Boolean))) {
        const r = await recordOf(gw, id, { authorization: `Bearer ${KEY}` }).catch((e) => ({ id, error: String(e) }));
        records.push(Object.fromEntries(['id', 'model', 'provider_name', 'upstream_model', 'status', 'error', 'finish_reason', 'attempts']
          .map((k) => [k, r[k]])));
      }
      const trace = () => `exit ${run.code}\nevents: ${JSON.stringify(brief(run.events), null, 1).slice(-12000)}\n`
        + `gateway records: ${JSON.stringify(records, null, 1)}\n`
        + `stderr: ${run.stderr.slice(-3000)}\ngateway: ${gw.output().slice(-3000)}`;
      const [result] = run.events.filter((e) => e.type === 'result');
      assert.ok(result, `no result event\n${trace()}`);
      assert.equal(result.is_error, false, trace());
      assert.equal(result.subtype, 'success', trace());
      assert.equal(run.code, 0, trace());
      const init = run.events.find((e) => e.type === 'system' && e.subtype === 'init');
      assert.equal(init?.model, c.model, trace());

      // stream-json gives one assistant event per content block, each with its message's request id.
      const blocks = run.events.filter((e) => e.type === 'assistant').map((e) => ({ ...e.message.content[0], requestId: e.request_id, at: e.at }));
      const calls = blocks.filter((b) => b.type === 'tool_use');
      assert.equal(calls.length, 1, trace());
      assert.equal(calls[0].name, 'Bash');
      assert.equal(calls[0].input.command, 'sim', 'the arguments come from Bash\'s schema: command "sim"');
      if (c.thinking) {
        const thinking = blocks.find((b) => b.type === 'thinking' && b.requestId === calls[0].requestId);
        assert.ok(thinking?.signature, `the tool call's turn has no signed thinking block\n${trace()}`);
      }

      // The tool's result went back through the gateway: the simulator answers with it.
      const results = run.events.filter((e) => e.type === 'user').flatMap((e) => e.message.content)
        .filter((b) => b.type === 'tool_result' && b.tool_use_id === calls[0].id);
      assert.equal(results.length, 1, trace());
      const output = typeof results[0].content === 'string' ? results[0].content : results[0].content.map((p) => p.text).join('');
      const texts = blocks.filter((b) => b.type === 'text');
      assert.equal(texts.length, 1, trace());
      // (Claude Code may add to the result it sends: older models get a system-reminder of the
      // tokens left appended to it; Gemini's functionResponse wraps it in {"result": ...}.)
      if (!c.family) {  // (the simulator echoes for 'echo'; a family name gets its lorem text)
        assert.match(texts[0].text, /^Tool result: /, trace());
        assert.ok(texts[0].text.includes(output.split('\n')[0]), trace());
      }
      assert.equal(result.result, texts[0].text);
      assert.equal(result.num_turns, 2, trace());
      assert.ok(result.usage.input_tokens > 0 && result.usage.output_tokens > 0, JSON.stringify(result.usage));

      // The gateway recorded both model requests (the tool call and the answer) under the ids
      // Claude Code read from its answers, routed to this provider.
      const ids = [...new Set(blocks.map((b) => b.requestId))];
      assert.equal(ids.length, 2, trace());
      for (const [i, id] of ids.entries()) {
        assert.match(id ?? '', /^gen_/, trace());
        const record = await recordOf(gw, id, { authorization: `Bearer ${KEY}` });
        assert.equal(record.endpoint, '/v1/messages');
        assert.equal(record.model, c.model);
        assert.equal(record.provider_name, c.provider);
        assert.equal(record.status, 200);
        assert.equal(record.streamed, true);
        assert.equal(record.finish_reason, i === 0 ? 'tool_calls' : 'stop');
        assert.ok(record.native_tokens_prompt > 0 && record.native_tokens_completion > 0, JSON.stringify(record));
      }
      // ... and no other request for this model (no retries, no fallback to a non-streaming call).
      const today = new Date().toISOString().slice(0, 10);
      const report = await fetch(`${gw.url}/v1/report?start_date=${today}&end_date=${today}&group_by=model`,
        { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(report.status, 200);
      const row = (await report.json()).results.find((r) => r.model === c.model);
      assert.equal(row?.request_count, 2, JSON.stringify(row));

      // Timings, for the record.
      const startup = init.at;
      const firstCall = run.events.find((e) => e.type === 'assistant' && e.message.content[0]?.type === 'tool_use').at;
      timings.push(`  ${c.title}: startup ${startup.toFixed(0)} ms, first tool call after ${(firstCall - startup).toFixed(0)} ms, `
        + `turn ${(result.at - startup).toFixed(0)} ms (Claude Code's own: ${result.duration_ms} ms, ${result.duration_api_ms} ms in the API), `
        + `whole run ${run.ms.toFixed(0)} ms`);
    });
  }
});
