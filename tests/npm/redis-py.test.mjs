// redis-py (from PyPI, in the project venv .cache/venv that scripts/setup.sh
// makes) against redplay's server and redis-server: same results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startRedplay, startRedis, run, needs, ROOT } from './lib.mjs';

const PYTHON = fileURLToPath(new URL('.cache/venv/bin/python', ROOT));
const SCENARIOS = fileURLToPath(new URL('redis_py_scenarios.py', import.meta.url));

const families = ['strings', 'transactions', 'pubsub'];
if (!(await needs('blpop', 'lists'))) families.push('lists');
if (!(await needs('xreadgroup', 'streams'))) families.push('streams');

test(`redis-py gets the same results from redplay as from redis-server (${families.join(', ')})`, async () => {
  const [ours, real] = await Promise.all([startRedplay(), startRedis()]);
  try {
    const results = [];
    for (const port of [ours.port, real.port]) {
      const { stdout } = await run(PYTHON, [SCENARIOS, String(port), families.join(',')], { timeout: 30_000 });
      results.push(JSON.parse(stdout));
    }
    const [mine, theirs] = results;
    assert.equal(theirs.strings[1], 'v');
    assert.equal(theirs.watch, 'aborted');
    assert.equal(theirs.pubsub.got.length, 4);
    assert.deepEqual(mine, theirs);
  } finally {
    await Promise.all([ours.close(), real.close()]);
  }
});
