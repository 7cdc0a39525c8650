// The command line: version, bad flags and bad configs get clear messages and non-zero exits;
// SIGTERM lets requests in flight finish.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, startSim, startGateway, simConfig, sseData, postJson } from './harness.mjs';

function run(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 10000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

function configFile(text) {
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-cli-')), 'bad.yaml');
  writeFileSync(path, text);
  return path;
}

describe('command line', () => {
  it('prints its version', () => {
    const r = run(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^switchyard \d+\.\d+\.\d+/);
  });

  it('refuses an unknown flag with exit code 2, naming it', () => {
    const r = run(['serve', '--config', 'x.yaml', '--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.out, /--bogus/);
    const extra = run(['serve', '--config', 'x.yaml', '19300', '--port']);
    assert.equal(extra.code, 2);
    assert.match(extra.out, /unknown arguments: .*19300/);
    assert.match(extra.out, /--help/);
  });

  it('requires a subcommand and a config', () => {
    assert.equal(run([]).code, 2);
    const r = run(['serve']);
    assert.equal(r.code, 2);
    assert.match(r.out, /--config is required/);
  });

  const badConfigs = [
    ['a missing file', null, /nonexistent\.yaml: cannot open the config file/],
    ['an unknown key', 'listen: 127.0.0.1:0\nprovders: {}\n', /bad\.yaml:2: key 'provders': unknown key/],
    ['a route to an unknown provider', 'models:\n  m:\n    routes: [{provider: ghost, model: x}]\n',
      /bad\.yaml:3: key 'models\.m\.routes\[0\]\.provider': no provider named 'ghost'/],
    ['broken YAML', 'listen: [\n', /bad\.yaml:2: invalid YAML/],
  ];
  for (const [what, text, message] of badConfigs) {
    it(`exits with a message naming the file and key for ${what}`, () => {
      const path = text === null ? '/nonexistent.yaml' : configFile(text);
      const r = run(['serve', '--config', path]);
      assert.equal(r.code, 2);
      assert.match(r.out, message);
    });
  }

  it('says which address is taken when it cannot listen', async () => {
    const holder = createServer();
    await new Promise((ok) => holder.listen(0, '127.0.0.1', ok));
    const { port } = holder.address();
    const r = run(['serve', '--config', configFile(`listen: 127.0.0.1:${port}\n`)]);
    holder.close();
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
  });

  it('finishes a stream in flight on SIGTERM, then exits cleanly', async () => {
    const sim = await startSim();
    const gw = await startGateway(simConfig(), sim);
    try {
      const pending = postJson(`${gw.url}/v1/chat/completions`,
        { model: 'sim/lorem~len=5~delay=150', stream: true, messages: [{ role: 'user', content: 'x' }] });
      const response = await pending;
      const exited = gw.stop();
      const events = await sseData(response);
      assert.equal(events.at(-1), '[DONE]');
      assert.equal(await exited, 0);
    } finally {
      await gw.stop();
      await sim.stop();
    }
  });
});
