// Starts the real switchyard binary (gateway and provider simulator) on loopback ports the
// kernel picks (port 0; the binary logs the one it got), and validates bodies against the
// published OpenAI schemas.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
export const BIN = process.env.SWITCHYARD_BIN ?? join(repo, 'build/switchyard');
// The published OpenAI schemas (data, vendored from the spec so the tests need nothing outside the repo).
const SCHEMAS = process.env.SWITCHYARD_SCHEMAS ?? join(here, 'schemas/openai-chat-schemas.json');

// A loopback port nothing listens on at the moment of asking: for an address that must refuse
// connections, or for a server that cannot be told port 0. Another process may take it before
// it is used: the switchyard binary itself listens on port 0 instead (listeningPort).
export async function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

async function waitHealthy(url, proc, output) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`process exited with ${proc.exitCode}: ${output()}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not healthy within 10 s: ${output()}`);
}

function launch(args) {
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode ?? proc.signalCode;  // already gone
    const exited = new Promise((ok) => proc.once('exit', (code, signal) => ok(code ?? signal)));
    proc.kill('SIGTERM');
    return exited;
  };
  return { proc, stop, output: () => output };
}

// The port a binary started on port 0 got, from its log line "... listening on HOST:PORT"
// (`pattern` captures the port).
async function listeningPort(p, pattern) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const match = p.output().match(pattern);
    if (match) return Number(match[1]);
    if (p.proc.exitCode !== null) throw new Error(`process exited with ${p.proc.exitCode}: ${p.output()}`);
    if (Date.now() > deadline) throw new Error(`no "listening on" line within 10 s: ${p.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// The provider simulator; `args` adds options such as --ttft-ms.
export async function startSim(args = []) {
  const p = launch(['sim', '--listen', '127.0.0.1:0', ...args]);
  const port = await listeningPort(p, /provider simulator listening on \S+:(\d+)/);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, p.proc, p.output);
  return { ...p, url, port };
}

// A gateway with `yaml` as its config (SIM_URL in it is replaced by the simulator's address).
// `dir` reuses an earlier gateway's directory (its records) instead of a new one; `args` adds
// options to `serve` (e.g. ['--log-level', 'warn']).
// The gateway listens on port 0 and its log line names the port, except when `args` set a log
// level above info, which leaves that line out: such a gateway gets a port chosen in advance.
export async function startGateway(yaml, sim, dir = mkdtempSync(join(tmpdir(), 'switchyard-test-')), args = []) {
  const level = args.indexOf('--log-level');
  const quiet = level >= 0 && !['trace', 'debug', 'info'].includes(args[level + 1]);
  const listen = quiet ? await freePort() : 0;
  const path = join(dir, 'switchyard.yaml');
  // Each gateway keeps its records in its own directory unless the test names a store.
  // A store's journal lives in the test's directory too: gateways running in parallel never share one.
  let storage = /^storage:/m.test(yaml) ? '' : `storage: sqlite:${join(dir, 'records.db')}\n`;
  if (!/^journal:/m.test(yaml)) storage += `journal: ${join(dir, 'records.journal')}\n`;
  writeFileSync(path, `listen: 127.0.0.1:${listen}\n${storage}` + yaml.replaceAll('SIM_URL', sim ? sim.url : 'http://127.0.0.1:9'));
  const p = launch(['serve', '--config', path, ...args]);
  const port = quiet ? listen : await listeningPort(p, /switchyard listening on \S+:(\d+)/);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, p.proc, p.output);
  return { ...p, url, port, configPath: path, dir };
}

// A config with the simulator as provider `sim` (OpenAI format) plus `extra` YAML.
export function simConfig(extra = '') {
  return `threads: 2
providers:
  sim:
    type: openai
    base_url: SIM_URL/openai/v1
    api_key: sim-provider-key
${extra}`;
}

// OpenAPI's `nullable: true` becomes JSON Schema's "or null", which Ajv understands everywhere.
function withNulls(node) {
  if (Array.isArray(node)) return node.map(withNulls);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, withNulls(v)]));
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: 'openai', components: { schemas: withNulls(JSON.parse(readFileSync(SCHEMAS, 'utf8')).schemas) } });

// Throws with every violation when `body` does not match the named OpenAI schema.
export function assertSchema(name, body) {
  const validate = ajv.getSchema(`openai#/components/schemas/${name}`);
  if (!validate(body)) throw new Error(`${name} schema violated: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
}

// Reads an SSE response body into its `data:` payloads (strings, in order).
export async function sseData(response) {
  const text = await response.text();
  return text.split(/\r?\n\r?\n/).filter((e) => e.trim()).map((e) =>
    e.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n'));
}

export async function postJson(url, body, headers = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

// A throwaway PostgreSQL server on a free loopback port (Debian's postgresql 15; the server
// refuses to run as root, so it runs as the postgres user). stop() and start() for outages.
export async function startPostgres() {
  const { execFileSync } = await import('node:child_process');
  const bin = '/usr/lib/postgresql/15/bin';
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pg-'));
  const port = await freePort();
  const asPostgres = (args) => {
    const [cmd, ...rest] = args;
    if (process.getuid() === 0) return execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...rest], { stdio: 'pipe' });
    return execFileSync(cmd, rest, { stdio: 'pipe' });
  };
  if (process.getuid() === 0) execFileSync('chown', ['postgres', dir]);
  asPostgres([`${bin}/initdb`, '-D', `${dir}/data`, '-A', 'trust', '-U', 'postgres']);
  const start = () => asPostgres([`${bin}/pg_ctl`, '-D', `${dir}/data`, '-l', `${dir}/log`, '-w', 'start', '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
  const stop = () => asPostgres([`${bin}/pg_ctl`, '-D', `${dir}/data`, '-m', 'fast', '-w', 'stop']);
  start();
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, start, stop, dir };
}

// Deep equality where numbers may differ in the last bits of a floating-point sum (figures summed
// in another order: the live rollup and the CLI, two stores).
export function assertClose(actual, expected, path = '') {
  if (typeof expected === 'number') {
    assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${path}: ${actual} != ${expected}`);
  } else if (expected && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual), Object.keys(expected), path);
    for (const key of Object.keys(expected)) assertClose(actual[key], expected[key], `${path}.${key}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

// The record of request `id` (GET /v1/generation's `data`) once the recorder has written it:
// records are written asynchronously, so this polls, bounded, rather than sleeping.
export async function recordOf(gw, id, headers = {}) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await fetch(`${gw.url}/v1/generation?id=${id}`, { headers });
    if (r.status === 200) return (await r.json()).data;
    if (r.status !== 404) throw new Error(`GET /v1/generation answered ${r.status}`);
    if (Date.now() > deadline) throw new Error(`no record of ${id} within 5 s`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

// Whether a Redis server answers PING on `port` (one connection, bounded by `ms`).
function redisPing(port, ms = 500) {
  return new Promise((ok) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (answer) => { clearTimeout(timer); socket.destroy(); ok(answer); };
    const timer = setTimeout(() => done(false), ms);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => { reply += d; if (reply.includes('\r\n')) done(reply.startsWith('+PONG')); });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

// A throwaway Redis server on a free loopback port, a child process (never daemonized), with no
// persistence. stop() and start() (again on the same port) for outage tests; stop() in `after`.
export async function startRedis() {
  const port = await freePort();
  let proc = null, output = '';
  const start = async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) return;
    proc = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--daemonize', 'no', '--protected-mode', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d) => { output += d; });
    proc.stderr.on('data', (d) => { output += d; });
    const deadline = Date.now() + 10000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}: ${output}`);
      if (await redisPing(port)) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within 10 s: ${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = async () => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((ok) => proc.once('exit', ok));
    proc.kill('SIGKILL');  // an outage: gone at once, nothing saved
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}/0`, port, start, stop, output: () => output };
}

// Minute windows are fixed (the state's clock: this machine's, or Redis's on it): a test counting
// to a minute limit starts at least `needMs` before the next minute begins, so its requests all
// count in one window.
export async function clearOfMinuteEdge(needMs = 10000) {
  const left = 60000 - (Date.now() % 60000);
  if (left < needMs) await new Promise((ok) => setTimeout(ok, left + 200));
}

// Polls `probe` every `every` ms until it returns something other than undefined; throws naming
// `what` after `ms`.
export async function until(probe, what, ms = 5000, every = 25) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((ok) => setTimeout(ok, every));
  }
}

// ---------------------------------------------------------------------------------------------
// The dashboard in a headless browser (tests/integration/dashboard*.test.mjs): Debian's chromium
// driven by playwright-core; screenshots go to build/test-artifacts/.
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(repo, 'build/test-artifacts');

export const DASHBOARD_KEYS = {
  admin: 'sk-admin-dashboard-0123456789',
  teamA: 'sk-team-a-dashboard-0123456789',
  teamB: 'sk-team-b-dashboard-0123456789',
  teamC: 'sk-team-c-dashboard-0123456789',  // a team that sends nothing
};
// Two labs on the simulator; a priced model, a cheap one, one rescued by a fallback, one that
// always fails, one without a list price. No retries and no breaker: attempts are exact.
export const DASHBOARD_CONFIG = `
admin_key: ${DASHBOARD_KEYS.admin}
auth:
  keys:
    - {key: ${DASHBOARD_KEYS.teamA}, team: team-a}
    - {key: ${DASHBOARD_KEYS.teamB}, team: team-b}
    - {key: ${DASHBOARD_KEYS.teamC}, team: team-c}
retries: {max: 0}
circuit_breaker: {failures: 0}
providers:
  lab-a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  lab-b: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
models:
  r/premium: {routes: [{provider: lab-a, model: claude-sonnet-4-5}], price: {input: 3, output: 15}}
  r/cheap: {routes: [{provider: lab-b, model: 'gemini-2.5-flash~len=80'}], price: {input: 0.1, output: 0.4}}
  r/rescued: {routes: [{provider: lab-a, model: 'echo~fail=503'}, {provider: lab-b, model: claude-sonnet-4}]}
  r/broken: {routes: [{provider: lab-a, model: 'echo~fail=500'}]}
  r/free: {routes: [{provider: lab-b, model: 'mystery-llm'}]}
`;
// A model id is the client's text: the dashboard must show it, never run it.
export const HOSTILE_MODEL = 'lab-b/<img src=x onerror=window.pwned=1>';

// Traffic for the dashboard through `gw` (DASHBOARD_CONFIG), waited for until the request log has
// all of it. Team a: 3 agentic r/premium, a streamed r/cheap, one rescued (2 attempts), one
// unpriced, one failing (500), the hostile model id, one refused (unknown model); team b: 2
// r/cheap, `manyModels` distinct models, `extraCheap` more r/cheap and `extraPremium` more
// r/premium. Returns {ids, total}.
export async function seedDashboardTraffic(gw, { manyModels = 0, extraCheap = 0, extraPremium = 0 } = {}) {
  const { admin, teamA, teamB } = DASHBOARD_KEYS;
  let total = 0;
  const send = async (body, key = teamA, headers = {}) => {
    const response = await postJson(`${gw.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'x' }], ...body },
      { authorization: `Bearer ${key}`, ...headers });
    const text = await response.text();
    total++;
    let id = null;
    try { id = JSON.parse(text).id ?? null; } catch { /* a stream */ }
    return { status: response.status, id, text };
  };
  const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
  const ids = {};
  for (let i = 0; i < 3; i++) await send({ model: 'r/premium', tools, tool_choice: 'required' }, teamA, { 'x-switchyard-use-case': 'agent' });
  for (let i = 0; i < 2; i++) await send({ model: 'r/cheap' }, teamB, { 'x-switchyard-use-case': 'chat' });
  assert.equal((await send({ model: 'r/cheap', stream: true }, teamA, { 'x-switchyard-tags': 'tail,stream' })).status, 200);
  const rescued = await send({ model: 'r/rescued' });
  assert.equal(rescued.status, 200, rescued.text);
  ids.rescued = rescued.id;
  assert.equal((await send({ model: 'r/free' })).status, 200);
  assert.equal((await send({ model: 'r/broken' })).status >= 500, true);
  const hostile = await send({ model: HOSTILE_MODEL });
  assert.equal(hostile.status, 200, hostile.text);
  assert.equal((await send({ model: 'acme/nope' })).status, 404);
  for (let i = 0; i < manyModels; i++) await send({ model: `lab-b/model-${String(i + 1).padStart(2, '0')}` }, teamB);
  for (let i = 0; i < extraCheap; i++) await send({ model: 'r/cheap' }, teamB);
  for (let i = 0; i < extraPremium; i++) await send({ model: 'r/premium' }, teamB);
  await until(async () => {
    const r = await fetch(`${gw.url}/v1/logs?limit=1000`, { headers: { authorization: `Bearer ${admin}` } });
    const page = r.ok ? await r.json() : { data: [] };
    return page.data.length >= total ? true : undefined;
  }, `the request log holding the ${total} requests sent`, 10000, 100);
  return { ids, total };
}

// A tab of its own (a new browser context: empty sessionStorage) on `gw`'s dashboard at `hash`,
// with `key` in sessionStorage first as the key form leaves it. Console errors (except those
// containing a text of `allow`) and page errors are collected in page.problems.
export async function dashboardPage(browser, gw, { key, hash = '', viewport = { width: 1400, height: 1000 }, colorScheme, allow = [] } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true });
  // Once per tab, before the page's scripts: a reload keeps what the page made of it since.
  if (key) {
    await context.addInitScript((k) => {
      if (sessionStorage.getItem('switchyard-test-seeded')) return;
      sessionStorage.setItem('switchyard-test-seeded', '1');
      sessionStorage.setItem('switchyard-key', k);
    }, key);
  }
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error' && !allow.some((a) => m.text().includes(a))) page.problems.push(m.text()); });
  page.on('pageerror', (e) => page.problems.push(String(e)));
  await page.goto(`${gw.url}/dashboard${hash}`);
  return page;
}

// The dashboard's state once it is done loading: document.body.dataset.state other than 'loading'.
export async function settledState(page, ms = 20000) {
  await page.waitForFunction(() => document.body.dataset.state && document.body.dataset.state !== 'loading', null, { timeout: ms });
  return page.evaluate(() => document.body.dataset.state);
}

// Goes to `hash` within the loaded dashboard and waits for the view to settle; returns its state.
export async function showView(page, hash, ms) {
  await page.evaluate((h) => {
    document.body.dataset.state = 'loading';
    if (location.hash === h) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = h;
  }, hash);
  return settledState(page, ms);
}

export async function screenshot(page, name) {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
