// The virtual clock: follows real time, pauses, moves ahead, never goes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock, formatClock, formatWait } from '../../.cache/unit/clock.js';

function fakeReal(start = 1_000) {
  let now = start;
  return { read: () => now, pass: (ms) => (now += ms) };
}

test('follows real time from its start', () => {
  const real = fakeReal();
  const clock = new VirtualClock(real.read, 50_000);
  assert.equal(clock.now(), 50_000);
  real.pass(250);
  assert.equal(clock.now(), 50_250);
});

test('stands still while paused and resumes where it stopped', () => {
  const real = fakeReal();
  const clock = new VirtualClock(real.read, 0);
  real.pass(100);
  clock.pause();
  assert.equal(clock.paused, true);
  real.pass(5_000);
  assert.equal(clock.now(), 100);
  clock.pause();
  assert.equal(clock.now(), 100);
  clock.resume();
  real.pass(10);
  assert.equal(clock.now(), 110);
  assert.equal(clock.paused, false);
});

test('steps and jumps ahead, paused or running, never back', () => {
  const real = fakeReal();
  const clock = new VirtualClock(real.read, 0);
  clock.pause();
  clock.advanceBy(100);
  assert.equal(clock.now(), 100);
  clock.advanceBy(-50);
  assert.equal(clock.now(), 100);
  clock.resume();
  clock.advanceBy(30_000);
  real.pass(1);
  assert.equal(clock.now(), 30_101);
});

test('formats the clock and waiting times', () => {
  assert.equal(formatClock(Date.UTC(2024, 0, 1, 12, 34, 56, 789)), '12:34:56.789');
  assert.equal(formatWait(3_249), '3.2s');
  assert.equal(formatWait(-5), '0.0s');
});
