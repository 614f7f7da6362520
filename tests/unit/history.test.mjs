// History: Up/Down like redis-cli, reverse search, persistence per key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { History, DEFAULT_KEY } from '../../.cache/unit/history.js';

function memoryStorage() {
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, String(v)), map };
}

test('Up and Down walk entries and give back the draft', () => {
  const h = new History(memoryStorage());
  h.add('PING');
  h.add('GET a');
  h.add('GET a'); // repeated lines are kept once
  h.add('   ');
  assert.equal(h.size, 2);
  assert.equal(h.previous('SE'), 'GET a');
  assert.equal(h.previous('GET a'), 'PING');
  assert.equal(h.previous('PING'), 'PING');
  assert.equal(h.next(), 'GET a');
  assert.equal(h.next(), 'SE');
});

test('persists per key and survives a new instance', () => {
  const storage = memoryStorage();
  new History(storage).add('ECHO one');
  new History(storage, `${DEFAULT_KEY}.2`).add('ECHO two');
  assert.equal(new History(storage).previous(''), 'ECHO one');
  assert.equal(new History(storage, `${DEFAULT_KEY}.2`).previous(''), 'ECHO two');
  storage.setItem(DEFAULT_KEY, '{not json');
  assert.equal(new History(storage).size, 0);
});

test('very long lines are not stored; a full storage is not an error', () => {
  const storage = memoryStorage();
  const h = new History(storage);
  h.add(`MSET ${'k v '.repeat(10_000)}`);
  h.add('PING');
  assert.deepEqual(JSON.parse(storage.map.get(DEFAULT_KEY)), ['PING']);
  const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
  const h2 = new History(full);
  h2.add('PING');
  assert.equal(h2.previous(''), 'PING');
});

test('reverse search finds the newest match, then older ones', () => {
  const h = new History(memoryStorage());
  for (const line of ['SET fruit apple', 'ECHO banana', 'GET fruit']) h.add(line);
  const first = h.search('FRU');
  assert.deepEqual(first, { line: 'GET fruit', index: 2 });
  assert.deepEqual(h.search('fru', first.index), { line: 'SET fruit apple', index: 0 });
  assert.equal(h.search('fru', 0), null);
  assert.equal(h.search('nothing'), null);
});

test('a restored session replaces the entries and stores them', () => {
  const storage = memoryStorage();
  const h = new History(storage, 'k');
  h.add('OLD');
  h.replace(['A', 'B']);
  assert.deepEqual([...h.lines], ['A', 'B']);
  assert.equal(h.previous(''), 'B');
  assert.deepEqual(new History(storage, 'k').lines, ['A', 'B']);
});
