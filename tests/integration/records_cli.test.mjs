// `switchyard export` and `switchyard import` through the real binary: a SQLite gateway's records
// moved into PostgreSQL give the same insights; importing again adds nothing; a line that is not
// a record is reported with its number while the others are still stored.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, startGateway, startPostgres, postJson, assertClose, BIN } from './harness.mjs';

const run = (args, input) => spawnSync(BIN, args, { input, encoding: 'utf8' });

describe('export and import', () => {
  let sim, gw, pg, pgConfig;
  before(async () => {
    sim = await startSim();
    gw = await startGateway(`
providers:
  a: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
models:
  r/priced: {routes: [{provider: a, model: echo}], price: {input: 1, output: 4}}
  r/rescued: {routes: [{provider: a, model: 'echo~fail=503'}, {provider: a, model: echo}], price: {input: 1, output: 4}}
`, sim);
    for (let i = 0; i < 12; i++) {
      const r = await postJson(`${gw.url}/v1/chat/completions`, { model: i % 4 ? 'r/priced' : 'r/rescued', messages: [{ role: 'user', content: `m${i}` }] });
      await r.arrayBuffer();
    }
    await gw.stop();  // SIGTERM: every record is stored
    pg = await startPostgres();
    pgConfig = join(mkdtempSync(join(tmpdir(), 'switchyard-import-')), 'pg.yaml');
    writeFileSync(pgConfig, `storage: ${pg.url}\n`);
  });
  after(async () => {
    await sim?.stop();
    pg?.stop();
  });

  it('moves every record from SQLite to PostgreSQL, the same figures on both', () => {
    const exported = run(['export', '--config', gw.configPath]);
    assert.equal(exported.status, 0, exported.stderr);
    const lines = exported.stdout.trim().split('\n');
    assert.equal(lines.length, 12);
    assert.match(exported.stderr, /12 records exported/);
    assert.equal(JSON.parse(lines[0]).attempts.length, 2);  // the rescued one, with both attempts

    const imported = run(['import', '--config', pgConfig, '-'], exported.stdout);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stderr, /12 records read and stored/);
    const figures = (config) => JSON.parse(run(['report', '--config', config, '--json']).stdout);
    const sqlite = figures(gw.configPath);
    assert.equal(sqlite.totals.requests, 12);
    assertClose(figures(pgConfig), sqlite);

    const again = run(['import', '--config', pgConfig, '-'], exported.stdout);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(run(['export', '--config', pgConfig]).stdout, exported.stdout);  // nothing twice
  });

  it('reports a line that is not a record and stores the others', () => {
    const good = run(['export', '--config', gw.configPath]).stdout.trim().split('\n');
    const record = JSON.parse(good[0]);
    record.id = 'gen_IMPORTED0000000000000000';
    const input = [JSON.stringify(record), '{"id": "gen_X", "team": 3', '{"not": "a record"}', ''].join('\n');
    const result = run(['import', '--config', pgConfig, '-'], input);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /-:2: not JSON/);
    assert.match(result.stderr, /-:3: not a record/);
    assert.match(result.stderr, /1 records read and stored.*2 lines were not records/);
    assert.match(run(['export', '--config', pgConfig]).stdout, /gen_IMPORTED0000000000000000/);
  });

  it('says what is wrong with a bad window or a config without records', () => {
    const bad = run(['export', '--config', gw.configPath, '--from', '2026-13-01']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--from and --to must be YYYY-MM-DD/);
    const none = join(mkdtempSync(join(tmpdir(), 'switchyard-none-')), 'none.yaml');
    writeFileSync(none, 'storage: none\n');
    const result = run(['import', '--config', none, '-'], '');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /storage is none/);
  });
});
