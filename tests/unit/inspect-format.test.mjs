// Text for the data inspector: bytes, durations, pages, key names in output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page, showBytes, showClient, showDuration, wordAt } from '../../.cache/unit/inspect-format.js';

test('bytes: UTF-8 text as is, other bytes escaped like redis-cli', () => {
  assert.equal(showBytes('<img src=x>'), '<img src=x>');
  assert.equal(showBytes(new Uint8Array([0x61, 0x00, 0xff, 0x5c])), 'a\\x00\\xff\\x5c');
});

test('durations', () => {
  assert.equal(showDuration(250), '250ms');
  assert.equal(showDuration(2_000), '2.0s');
  assert.equal(showDuration(100_000), '1m 40s');
  assert.equal(showDuration(3_660_000), '1h 01m');
  assert.equal(showDuration(90_000_000), '1d 1h');
});

test('pages hold the start, clamp at the end', () => {
  assert.deepEqual(page(0, 104, 50), { start: 0, end: 50, previous: null, next: 50 });
  assert.deepEqual(page(60, 104, 50), { start: 50, end: 100, previous: 0, next: 100 });
  assert.deepEqual(page(500, 104, 50), { start: 100, end: 104, previous: 50, next: null });
  assert.deepEqual(page(0, 0, 50), { start: 0, end: 0, previous: null, next: null });
});

test('clients are named by id, CLIENT SETNAME name and pane', () => {
  assert.equal(showClient(7, 'alice', 'reader'), '#7 alice (reader)');
  assert.equal(showClient(8, null), '#8');
});

test('a key name under the pointer in redis-cli output', () => {
  assert.equal(wordAt('1) "queue"', 5), 'queue');
  assert.equal(wordAt('2) "my key"', 7), 'my key');
  assert.equal(wordAt('2) "say \\"hi\\""', 6), 'say "hi"');
  assert.equal(wordAt('127.0.0.1:6379> LPUSH jobs a', 23), 'jobs');
  assert.equal(wordAt('1) "a"', 0), null);
  assert.equal(wordAt('   ', 1), null);
});
