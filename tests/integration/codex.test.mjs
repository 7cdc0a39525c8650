// Codex CLI (@openai/codex) pointed at the gateway as a custom provider speaking the Responses API:
// `codex exec` runs a turn with a round trip of its exec_command tool (the simulator calls it when
// the prompt says [call:exec_command]; its arguments come from the schema, so Codex runs the
// command `sim`, which fails, and the next request carries that output back), with the gateway
// translating the Responses API to an OpenAI chat, an Anthropic and a Gemini provider. Codex's
// startup, time to its first tool call and turn time are printed, not asserted. Also: the
// WebSocket form of the Responses API that Codex may try is refused with 426.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSim, startGateway, postJson } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const KEY = 'sk-codex-0123456789';
// Codex keeps its own tool set (exec_command, apply_patch, web_search, ...) for the models it
// knows, so the gateway serves a catalogued slug.
const MODEL = 'gpt-5.5';

// The npm launcher and the native binary it runs (npm installs the one for this platform).
function findCodex() {
  const launcher = join(here, 'node_modules/@openai/codex/bin/codex.js');
  const vendor = join(here, `node_modules/@openai/codex-${process.platform}-${process.arch}/vendor`);
  if (!existsSync(launcher) || !existsSync(vendor)) return null;
  const name = process.platform === 'win32' ? 'codex.exe' : 'codex';
  const native = readdirSync(vendor).map((triple) => join(vendor, triple, 'bin', name)).find((p) => existsSync(p));
  return native ? launcher : null;
}
const codex = findCodex();

// One `codex exec` turn against `gatewayUrl`: its JSONL events (each with the milliseconds since
// the spawn at which it arrived), exit code and stderr.
function codexExec(gatewayUrl, prompt) {
  const home = mkdtempSync(join(tmpdir(), 'switchyard-codex-home-'));
  const cwd = mkdtempSync(join(tmpdir(), 'switchyard-codex-work-'));
  const provider = `{name="Switchyard",base_url="${gatewayUrl}/v1",wire_api="responses",env_key="SY_KEY",`
    + 'request_max_retries=0,stream_max_retries=0}';
  const args = [codex, 'exec', '--skip-git-repo-check', '--json', '--ephemeral', '--dangerously-bypass-approvals-and-sandbox',
    '-c', 'model_provider=sy', '-c', `model=${MODEL}`, '-c', `model_providers.sy=${provider}`, prompt];
  const started = performance.now();
  const proc = spawn(process.execPath, args, {
    cwd, stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: home, CODEX_HOME: home, SY_KEY: KEY, LANG: 'C.UTF-8' },
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
  const killer = setTimeout(() => proc.kill('SIGKILL'), 150000);
  return new Promise((ok, fail) => {
    proc.once('error', fail);
    proc.once('close', (code, signal) => {
      clearTimeout(killer);
      rmSync(home, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
      ok({ code: code ?? signal, events, stderr, ms: performance.now() - started });
    });
  });
}

const providers = {
  'an OpenAI chat': "{type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}",
  'an Anthropic': "{type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}",
  'a Gemini': "{type: gemini, base_url: 'SIM_URL/gemini', api_key: k}",
};
const config = (provider) => `
auth:
  keys:
    - {key: ${KEY}, team: codex}
providers:
  up: ${provider}
models:
  ${MODEL}: {routes: [{provider: up, model: 'echo~signed=1'}]}  # signed: Gemini's thought signatures must come back
`;

describe('Codex CLI through the gateway', { skip: codex ? false : 'the Codex CLI is not installed (npm ci in tests/integration installs @openai/codex)' }, () => {
  let sim;
  const timings = [];
  before(async () => { sim = await startSim(); });
  after(async () => {
    await sim?.stop();
    if (timings.length) console.log(`Codex through the gateway:\n${timings.join('\n')}`);
  });

  for (const [kind, provider] of Object.entries(providers)) {
    describe(`to ${kind} provider`, () => {
      let gw;
      before(async () => { gw = await startGateway(config(provider), sim); });
      after(async () => { await gw?.stop(); });

      it('completes a turn with a round trip of its exec_command tool', { timeout: 180000 }, async () => {
        const run = await codexExec(gw.url, 'Run the command, please. [call:exec_command]');
        const trace = () => `exit ${run.code}\nevents: ${JSON.stringify(run.events, null, 1)}\nstderr: ${run.stderr.slice(-3000)}\ngateway: ${gw.output().slice(-3000)}`;
        const of = (type) => run.events.filter((e) => e.type === type);
        assert.deepEqual(of('error').concat(of('turn.failed')), [], trace());
        assert.equal(run.code, 0, trace());
        assert.equal(run.events[0]?.type, 'thread.started', trace());

        const done = (type) => of('item.completed').map((e) => e.item).filter((item) => item.type === type);
        const [command] = done('command_execution');
        assert.ok(command, `no command_execution item completed\n${trace()}`);
        assert.match(command.command, /\bsim$/, 'the arguments come from exec_command\'s schema: cmd "sim"');
        assert.equal(typeof command.exit_code, 'number', trace());
        assert.notEqual(command.exit_code, 0, '`sim` is not a command here');

        // The command's output went back through the gateway: the simulator answers with it.
        const messages = done('agent_message');
        assert.equal(messages.length, 1, trace());
        assert.match(messages[0].text, /^Tool result: /, trace());
        assert.ok(messages[0].text.includes(`exited with code ${command.exit_code}`), trace());

        const completed = of('turn.completed');
        assert.equal(completed.length, 1, trace());
        assert.ok(completed[0].usage.input_tokens > 0 && completed[0].usage.output_tokens > 0, JSON.stringify(completed[0].usage));

        // The gateway recorded both model requests (the tool call and the answer) for this key's
        // team, routed to this provider; records are written within a second.
        const today = new Date().toISOString().slice(0, 10);
        let recorded;
        for (let i = 0; i < 60; i++) {
          const r = await fetch(`${gw.url}/v1/report?start_date=${today}&end_date=${today}&group_by=provider`,
            { headers: { authorization: `Bearer ${KEY}` } });
          assert.equal(r.status, 200);
          recorded = (await r.json()).results;
          if (recorded[0]?.request_count >= 2) break;
          await new Promise((ok) => setTimeout(ok, 50));
        }
        assert.equal(recorded.length, 1, JSON.stringify(recorded));
        assert.equal(recorded[0].provider, 'up');
        assert.equal(recorded[0].request_count, 2, JSON.stringify(recorded));
        assert.ok(recorded[0].input_tokens > 0 && recorded[0].output_tokens > 0, JSON.stringify(recorded));

        // Timings, for the record: Codex's own and the gateway's time to first token.
        const at = (type) => run.events.find((e) => e.type === type)?.at;
        const turnStarted = at('turn.started');
        const firstItem = at('item.started') ?? at('item.completed');
        const metrics = await (await fetch(`${gw.url}/metrics`)).text();
        const metric = (name) => Number(metrics.match(new RegExp(`^${name}\\{[^}]*model="${MODEL}"[^}]*\\} (\\S+)$`, 'm'))?.[1]);
        const ttft = metric('switchyard_time_to_first_token_seconds_sum') / metric('switchyard_time_to_first_token_seconds_count');
        timings.push(`  ${kind} provider: startup ${(turnStarted).toFixed(0)} ms, first tool call after ${(firstItem - turnStarted).toFixed(0)} ms, `
          + `turn ${(at('turn.completed') - turnStarted).toFixed(0)} ms, whole run ${run.ms.toFixed(0)} ms; `
          + `gateway time to first token ${(ttft * 1000).toFixed(1)} ms on average over its ${metric('switchyard_time_to_first_token_seconds_count')} streams`);
      });
    });
  }
});

describe('the Responses API over WebSocket', () => {
  let sim, gw;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(config(providers['an OpenAI chat']), sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it('answers an upgrade to a WebSocket with 426, and the same request over HTTP still works', async () => {
    const answer = await new Promise((ok, fail) => {
      const req = request(`${gw.url}/v1/responses`, {
        headers: {
          authorization: `Bearer ${KEY}`, connection: 'Upgrade', upgrade: 'websocket',
          'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.once('upgrade', () => fail(new Error('the gateway switched protocols')));
      req.once('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        res.once('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
      });
      req.once('error', fail);
      req.end();
    });
    assert.equal(answer.status, 426, answer.body);
    assert.match(answer.headers['content-type'], /^application\/json/);
    const { error } = JSON.parse(answer.body);
    assert.equal(error.code, 'websocket_not_supported');
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.message, /WebSocket/);

    const r = await postJson(`${gw.url}/v1/responses`, { model: MODEL, input: 'over HTTP' }, { authorization: `Bearer ${KEY}` });
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.status, 'completed');
    assert.equal(body.output.at(-1).content[0].text, 'over HTTP');
  });
});
