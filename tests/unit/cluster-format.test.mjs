// The cluster view's DOM-free parts: slot ranges, roles and states, the
// links a command used, the bus summary, reshard input and the diagram layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  address, busSummary, circleLayout, clampCount, downText, flowText, formatRanges, linkDelta, messages, nodeState,
  parseLinks, parseSlotRange, roleText, shardOrder, size, PRIMARIES,
} from '../../.cache/unit/cluster-format.js';

const node = (port, primary = null, extra = {}) => ({
  id: 'a'.repeat(40), port, primary, running: true, failed: false, epoch: 1, ranges: [], slots: 0, keys: 0, downSince: null, ...extra,
});
// 3 primaries × 1 replica, laid out as redis-cli --cluster create does.
const nodes = [node(7000), node(7001), node(7002), node(7003, 2), node(7004, 0), node(7005, 1)];

test('slot ranges read as redis-cli writes them', () => {
  const cases = [
    [[], 'none'],
    [[[0, 5460]], '0-5460'],
    [[[0, 99], [3300, 3300], [5461, 10922]], '0-99, 3300, 5461-10922'],
  ];
  for (const [ranges, expected] of cases) assert.equal(formatRanges(ranges), expected);
});

test('roles name the primary by address; states come from the running and failed flags', () => {
  assert.equal(address(nodes[3]), '127.0.0.1:7003');
  assert.equal(roleText(nodes[0], nodes), 'primary');
  assert.equal(roleText(nodes[3], nodes), 'replica of 127.0.0.1:7002');
  assert.equal(nodeState(nodes[0]), 'up');
  assert.equal(nodeState(node(7000, null, { running: false })), 'down');
  assert.equal(nodeState(node(7000, null, { running: false, failed: true })), 'failed');
});

test('a stopped node counts down to being marked failed', () => {
  const down = node(7000, null, { running: false, downSince: 1_000 });
  assert.equal(downText(nodes[0], 5_000, 15_000), '');
  assert.equal(downText(down, 4_250, 15_000), 'stopped 3.3 s ago; marked failed after 15.0 s');
  assert.equal(downText({ ...down, failed: true }, 31_000, 15_000), 'stopped 30.0 s ago; marked failed');
});

test("the links a command used are those whose counters grew", () => {
  const before = parseLinks([0, 1, 2, 4600, 0, 2, 2, 4600]);
  assert.deepEqual(before[1], { from: 0, to: 2, messages: 2, bytes: 4600 });
  assert.deepEqual(parseLinks(new Float64Array([1, 2, 3])), []);
  const after = parseLinks([0, 1, 3, 6900, 0, 2, 2, 4600, 2, 3, 1, 2272]);
  assert.deepEqual(linkDelta(before, after), [
    { from: 0, to: 1, messages: 1, bytes: 2300 },
    { from: 2, to: 3, messages: 1, bytes: 2272 },
  ]);
  assert.deepEqual(linkDelta(after, after), []);
  // After a reset every link starts again from nothing.
  assert.deepEqual(linkDelta([], before).map((l) => l.messages), [2, 2]);
});

test('the bus summary and the flow note', () => {
  assert.equal(busSummary(12, 2), 'PUBLISH: 12 bus messages, SPUBLISH: 2');
  assert.equal(messages(1), '1 bus message');
  assert.equal(size(512), '512 B');
  assert.equal(size(11_520), '11.3 KB');
  const fanOut = [1, 2, 3, 4, 5].map((to) => ({ from: 0, to, messages: 1, bytes: 2272 }));
  assert.equal(flowText('PUBLISH', fanOut), 'PUBLISH sent 5 bus messages to 5 nodes');
  assert.equal(flowText('SPUBLISH', [{ from: 2, to: 3, messages: 1, bytes: 2272 }]), 'SPUBLISH sent 1 bus message to 1 node');
});

test('reshard ranges are checked before they reach core', () => {
  const cases = [
    [['0', '99'], { first: 0, last: 99 }],
    [[' 3300 ', ''], { first: 3300, last: 3300 }],
    [['16383', '16383'], { first: 16383, last: 16383 }],
    [['16384', '16384'], { error: 'slots are numbers from 0 to 16383' }],
    [['-1', '5'], { error: 'slots are numbers from 0 to 16383' }],
    [['', ''], { error: 'slots are numbers from 0 to 16383' }],
    [['1e3', '2000'], { error: 'slots are numbers from 0 to 16383' }],
    [['10', '9'], { error: 'the first slot is after the last one' }],
  ];
  for (const [[first, last], expected] of cases) assert.deepEqual(parseSlotRange(first, last), expected, `${first}..${last}`);
});

test('cluster sizes stay inside what the page offers', () => {
  assert.equal(clampCount('6', PRIMARIES), 6);
  assert.equal(clampCount('1', PRIMARIES), 3);
  assert.equal(clampCount('99', PRIMARIES), 12);
  assert.equal(clampCount('x', PRIMARIES), 3);
});

test('the diagram puts each shard together, primary first', () => {
  assert.deepEqual(shardOrder(nodes), [0, 4, 1, 5, 2, 3]);
  const at = circleLayout(nodes, 110, 80);
  assert.deepEqual(at[0], { x: 110, y: 30 });
  assert.equal(at.length, 6);
  for (const p of at) assert.ok(Math.abs(Math.hypot(p.x - 110, p.y - 110) - 80) < 0.2);
  // After a failover the promoted replica leads its shard.
  const failedOver = nodes.map((n, i) => (i === 0 ? { ...n, primary: 4 } : i === 4 ? { ...n, primary: null } : n));
  assert.deepEqual(shardOrder(failedOver), [1, 5, 2, 3, 4, 0]);
});
