// redis-cli's interactive `:` lines, as redis-cli 7.0.15 answers them in a
// terminal (checked in a pty).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preferenceLine } from '../../.cache/unit/preferences.js';

test('`:` lines set preferences or get redis-cli complaints', () => {
  const cases = [
    [':set hints', { output: '', hints: true }],
    ['  :SET   NoHints ', { output: '', hints: false }],
    [':set hints extra', { output: '', hints: true }],
    [':set foo', { output: "unknown redis-cli preference 'foo'\n" }],
    [':set', { output: "unknown redis-cli internal command ':set'\n" }],
    [':nothing', { output: "unknown redis-cli internal command ':nothing'\n" }],
    ['set hints', null],
    ['', null],
  ];
  for (const [line, expected] of cases) assert.deepEqual(preferenceLine(line), expected, line);
});
