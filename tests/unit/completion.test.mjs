// Tab cycling as redis-cli's line editor does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TabCycle } from '../../.cache/unit/completion.js';

test('cycles through the options, then the typed line, then around', () => {
  const cycle = new TabCycle();
  let asked = 0;
  const complete = (line) => {
    asked += 1;
    return line === 'cli' ? ['CLIENT', 'CLIENT ID'] : [];
  };
  assert.equal(cycle.tab('cli', complete), 'CLIENT');
  assert.equal(cycle.active, true);
  assert.equal(cycle.tab('CLIENT', complete), 'CLIENT ID');
  assert.equal(cycle.tab('CLIENT ID', complete), 'cli');
  assert.equal(cycle.tab('cli', complete), 'CLIENT');
  assert.equal(asked, 1, 'options are computed once per cycle');
});

test('Escape restores the typed line; other keys keep the completion', () => {
  const cycle = new TabCycle();
  const complete = () => ['GET', 'GETDEL'];
  cycle.tab('ge', complete);
  cycle.tab('GET', complete);
  assert.equal(cycle.cancel(), 'ge');
  assert.equal(cycle.active, false);
  cycle.tab('ge', complete);
  cycle.reset();
  assert.equal(cycle.active, false);
  assert.equal(cycle.tab('GET ', () => []), null);
});
