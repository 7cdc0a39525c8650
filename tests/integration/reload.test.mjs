// Config reload without a restart: on SIGHUP and when the file changes. New requests use the new
// config, an invalid one is refused with a log line and the old one stays, and nothing in flight fails.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { startSim, startGateway, postJson } from './harness.mjs';

const base = `providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
models:
  r/one:
    routes: [{provider: a, model: echo}]
`;

describe('config reload', () => {
  let sim, gw, listenLine;
  const write = (yaml) => writeFileSync(gw.configPath, listenLine + yaml.replaceAll('SIM_URL', sim.url));
  const status = async (model) => (await postJson(`${gw.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'x' }] })).status;
  const eventually = async (check, ms = 4000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };

  before(async () => {
    sim = await startSim();
    gw = await startGateway(base, sim);
    listenLine = readFileSync(gw.configPath, 'utf8').split('\n')[0] + '\n';
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  it('applies a new config on SIGHUP', async () => {
    assert.equal(await status('r/two'), 404);
    write(`${base}  r/two:\n    routes: [{provider: a, model: echo}]\n`);
    gw.proc.kill('SIGHUP');
    assert.ok(await eventually(async () => (await status('r/two')) === 200));
    assert.equal(await status('r/one'), 200);
  });

  it('refuses an invalid config and keeps the running one', async () => {
    write(`${base}  r/broken:\n    routes: [{provider: nobody, model: x}]\n`);
    gw.proc.kill('SIGHUP');
    assert.ok(await eventually(async () => /keeping the running config/.test(gw.output())));
    assert.match(gw.output(), /key 'models\.r\/broken\.routes\[0\]\.provider': no provider named 'nobody'/);
    assert.equal(await status('r/two'), 200);
  });

  it('applies a changed file without a signal', async () => {
    write(`${base}  r/three:\n    routes: [{provider: a, model: echo}]\n`);
    assert.ok(await eventually(async () => (await status('r/three')) === 200));
  });

  it('fails no request while reloading under load', async () => {
    let stop = false;
    const statuses = [];
    const load = Array.from({ length: 8 }, async () => {
      while (!stop) statuses.push(await status('r/one'));
    });
    for (let i = 0; i < 5; i++) {
      write(`${base}  r/round${i}:\n    routes: [{provider: a, model: echo}]\n`);
      gw.proc.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 100));
    }
    stop = true;
    await Promise.all(load);
    assert.ok(statuses.length > 100, `only ${statuses.length} requests`);
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.equal(await status('r/round4'), 200);
  });
});
