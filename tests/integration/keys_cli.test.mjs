// `switchyard keys` against the store of a running gateway: a key made by the command works on
// the gateway without a restart, its limits apply, and once revoked by the command it is refused;
// bad input gets the documented exit codes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startSim, startGateway, postJson, until, BIN } from './harness.mjs';

const ADMIN = 'sk-admin-0123456789';
const run = (args) => spawnSync(BIN, args, { encoding: 'utf8' });


describe('switchyard keys', () => {
  let sim, gw;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
admin_key: ${ADMIN}
auth: {keys: [{key: sk-file-key-0001, team: files}]}
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
models:
  r/echo: {routes: [{provider: a, model: echo}]}
`, sim);
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  const chat = (key) => postJson(`${gw.url}/v1/chat/completions`, { model: 'r/echo', messages: [{ role: 'user', content: 'hi' }] },
    { authorization: `Bearer ${key}` });

  it('makes a key the running gateway accepts, with its limits, and revokes it', async () => {
    const made = run(['keys', 'create', '--config', gw.configPath, '--team', 'cli-team', '--fields', '{"name": "ci", "limits": {"rpm": 2}}']);
    assert.equal(made.status, 0, made.stderr);
    const key = JSON.parse(made.stdout);
    assert.match(key.key, /^sk-sy-[0-9a-f]{48}$/);
    assert.equal(key.team, 'cli-team');
    assert.equal(key.name, 'ci');
    assert.deepEqual(key.limits, { rpm: 2 });
    assert.ok(key.key.startsWith(key.prefix));

    await until(async () => ((await chat(key.key)).status === 200 ? true : undefined), 'the new key works', 2000, 20);
    // The poll above may have straddled a minute: count again within one window.
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat(key.key)).status);
    assert.ok(statuses.includes(429), `five requests span at most two minutes, so a limit of 2 a minute refuses one: ${statuses}`);

    const listed = run(['keys', 'list', '--config', gw.configPath, '--team', 'cli-team']);
    assert.equal(listed.status, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((k) => k.id), [key.id]);
    assert.ok(!listed.stdout.includes(key.key), 'a list never shows the secret');

    const revoked = run(['keys', 'revoke', '--config', gw.configPath, key.id]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.equal(JSON.parse(revoked.stdout).revoked, true);
    const start = Date.now();
    await until(async () => ((await chat(key.key)).status === 401 ? true : undefined), 'the key refused', 1000, 20);
    assert.ok(Date.now() - start < 1000);
    const refused = await (await chat(key.key)).json();
    assert.equal(refused.error.message, 'this API key was revoked');
  });

  it('exits 2 on bad fields and 3 on an unknown key', () => {
    const bad = run(['keys', 'create', '--config', gw.configPath, '--team', 't', '--fields', '{"limits": {"rpm": -1}}']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /limits\.rpm/);
    const unknown = run(['keys', 'show', '--config', gw.configPath, 'key_0000000000000000']);
    assert.equal(unknown.status, 3);
    const notJson = run(['keys', 'update', '--config', gw.configPath, 'key_0000000000000000', '--fields', 'rpm=3']);
    assert.equal(notJson.status, 2);
  });
});
