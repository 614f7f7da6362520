// redis-cli's help colours become styled runs; everything else stays text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSgr, hasSgr } from '../../.cache/unit/ansi.js';

const ESC = '\x1b';

test('splits help output into styled runs', () => {
  const text = `\r\n  ${ESC}[1mGET${ESC}[0m ${ESC}[90mkey${ESC}[0m\r\n  ${ESC}[33msummary:${ESC}[0m Get\r\n`;
  assert.equal(hasSgr(text), true);
  assert.deepEqual(parseSgr(text), [
    { text: '\n  ', style: '' },
    { text: 'GET', style: 'sgr-bold' },
    { text: ' ', style: '' },
    { text: 'key', style: 'sgr-grey' },
    { text: '\n  ', style: '' },
    { text: 'summary:', style: 'sgr-yellow' },
    { text: ' Get\n', style: '' },
  ]);
});

test('plain text and unknown codes pass through as text', () => {
  assert.equal(hasSgr('"<b>x</b>"'), false);
  assert.deepEqual(parseSgr('"<b>x</b>"'), [{ text: '"<b>x</b>"', style: '' }]);
  assert.deepEqual(parseSgr(`a${ESC}[5mb${ESC}[m`), [
    { text: 'a', style: '' },
    { text: 'b', style: '' },
  ]);
});
