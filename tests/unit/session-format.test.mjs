// The saved session's checks, base64url, and how a restored clock resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseSession, toBase64url, fromBase64url, resumeAt, portable, SessionFormatError, MAX_HISTORY,
} from '../../.cache/unit/session-format.js';

const valid = () => ({
  version: 1,
  clock: { now: 5_000, paused: false, savedAt: 1_000 },
  keyspace: 'UlBTAQA',
  panes: [{ name: 'a', history: ['PING'], draft: 'GET', db: 2, clientName: null }],
  inspected: { db: 0, key: 'k' },
});

test('a valid session parses to itself', () => {
  assert.deepEqual(parseSession(valid()), valid());
});

test('a session with a cluster keeps it and the node each console is attached to', () => {
  const s = { ...valid(), cluster: 'UlBDAQ', panes: [valid().panes[0], { name: 'c', history: [], draft: '', db: 0, clientName: null, node: 4 }] };
  assert.deepEqual(parseSession(s), s);
  // Sessions saved before clusters existed, and explicit nulls, read as no cluster.
  const none = parseSession({ ...valid(), cluster: null, panes: [{ ...valid().panes[0], node: null }] });
  assert.equal('cluster' in none, false);
  assert.equal('node' in none.panes[0], false);
});

test('bad sessions are refused with a reason', () => {
  const cases = [
    [{ ...valid(), cluster: 'a/b' }, /cluster is not base64url/],
    [{ ...valid(), cluster: 'UlBDAQ', panes: [{ ...valid().panes[0], node: -1 }] }, /pane node is not a whole number/],
    [{ ...valid(), panes: [{ ...valid().panes[0], node: 0 }] }, /attached to a cluster node but there is no cluster/],
    [null, /session is not an object/],
    [{ ...valid(), version: 2 }, /unsupported session version 2/],
    [{ ...valid(), panes: [] }, /1 to 16 panes/],
    [{ ...valid(), keyspace: 'a+b' }, /keyspace is not base64url/],
    [{ ...valid(), clock: { now: -1 } }, /clock.now is not a whole number/],
    [{ ...valid(), panes: [{ name: 1, history: [] }] }, /pane name is not text/],
  ];
  for (const [input, reason] of cases) assert.throws(() => parseSession(input), (e) => e instanceof SessionFormatError && reason.test(e.message));
});

test('long histories are trimmed to the newest lines', () => {
  const s = valid();
  s.panes[0].history = Array.from({ length: MAX_HISTORY + 5 }, (_, i) => `L${i}`);
  const parsed = parseSession(s);
  assert.equal(parsed.panes[0].history.length, MAX_HISTORY);
  assert.equal(parsed.panes[0].history[0], 'L5');
});

test('base64url round trips every byte', () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const text = toBase64url(bytes);
  assert.match(text, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(fromBase64url(text), bytes);
  assert.throws(() => fromBase64url('ab/c'), SessionFormatError);
});

test('a running clock goes on across a reload; a paused or portable one resumes where saved', () => {
  assert.equal(resumeAt({ now: 5_000, paused: false, savedAt: 1_000 }, 4_000), 8_000);
  assert.equal(resumeAt({ now: 5_000, paused: true, savedAt: 1_000 }, 4_000), 5_000);
  assert.equal(resumeAt(portable(valid()).clock, 4_000), 5_000);
});
