// The cluster view's words and numbers, with no DOM: slot ranges as text,
// node roles and states, which bus links carried the last command's
// messages, the PUBLISH-vs-SPUBLISH summary, reshard input checks, and
// where each node sits in the flow diagram. Everything here comes from
// core's snapshot (ClusterNode) and counters; nothing is recomputed.
import type { ClusterNode } from 'redplay';

/** Sizes the page offers (redis-cli --cluster create wants at least 3 primaries). */
export const PRIMARIES = { min: 3, max: 12 } as const;
export const REPLICAS = { min: 0, max: 3 } as const;
export const LAST_SLOT = 16383;

/** Messages and bytes carried from one node to another. */
export interface Link {
  from: number;
  to: number;
  messages: number;
  bytes: number;
}

export type NodeState = 'up' | 'down' | 'failed';

/** `127.0.0.1:7000`, as MOVED and the prompt name a node. */
export function address(node: ClusterNode): string {
  return `127.0.0.1:${node.port}`;
}

/** `0-5460, 10923-16383` (a single slot as itself); `none` without slots. */
export function formatRanges(ranges: [number, number][]): string {
  if (ranges.length === 0) return 'none';
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');
}

/** `primary`, or `replica of 127.0.0.1:7000`. */
export function roleText(node: ClusterNode, nodes: ClusterNode[]): string {
  if (node.primary === null) return 'primary';
  const primary = nodes[node.primary];
  return primary ? `replica of ${address(primary)}` : 'replica';
}

export function nodeState(node: ClusterNode): NodeState {
  if (node.failed) return 'failed';
  return node.running ? 'up' : 'down';
}

/**
 * What a stopped node's card says: how long it has been down and when the
 * others mark it failed (the node timeout), or that they have.
 */
export function downText(node: ClusterNode, now: number, timeoutMs: number): string {
  if (node.running) return '';
  const down = node.downSince === null ? 0 : Math.max(0, now - node.downSince);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (node.failed) return `stopped ${seconds(down)} ago; marked failed`;
  return `stopped ${seconds(down)} ago; marked failed after ${seconds(timeoutMs)}`;
}

/** Links from core's flattened list (from, to, messages, bytes, ...). */
export function parseLinks(flat: ArrayLike<number>): Link[] {
  const links: Link[] = [];
  for (let i = 0; i + 3 < flat.length; i += 4) links.push({ from: flat[i], to: flat[i + 1], messages: flat[i + 2], bytes: flat[i + 3] });
  return links;
}

/** The links whose counters grew from `before` to `after`, with what they carried since. */
export function linkDelta(before: Link[], after: Link[]): Link[] {
  const old = new Map(before.map((l) => [`${l.from}>${l.to}`, l]));
  const grown: Link[] = [];
  for (const link of after) {
    const was = old.get(`${link.from}>${link.to}`);
    const messages = link.messages - (was?.messages ?? 0);
    if (messages > 0) grown.push({ from: link.from, to: link.to, messages, bytes: link.bytes - (was?.bytes ?? 0) });
  }
  return grown;
}

/** `12 bus messages`, `1 bus message`. */
export function messages(n: number): string {
  return `${n} bus message${n === 1 ? '' : 's'}`;
}

/** `2.2 KB`, `512 B`. */
export function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** `PUBLISH: 12 bus messages, SPUBLISH: 2` for the counters since the last reset. */
export function busSummary(publish: number, shard: number): string {
  return `PUBLISH: ${messages(publish)}, SPUBLISH: ${shard}`;
}

/** What the last command's flow was: `PUBLISH sent 5 bus messages to 5 nodes`. */
export function flowText(kind: string, flow: Link[]): string {
  const total = flow.reduce((n, l) => n + l.messages, 0);
  const nodes = new Set(flow.map((l) => l.to)).size;
  return `${kind} sent ${messages(total)} to ${nodes} node${nodes === 1 ? '' : 's'}`;
}

/** A slot range typed in the reshard form, or why it is not one. */
export function parseSlotRange(first: string, last: string): { first: number; last: number } | { error: string } {
  const slot = (text: string) => (/^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN);
  const a = slot(first);
  const b = last.trim() === '' ? a : slot(last);
  if (!(a <= LAST_SLOT) || !(b <= LAST_SLOT)) return { error: `slots are numbers from 0 to ${LAST_SLOT}` };
  if (a > b) return { error: 'the first slot is after the last one' };
  return { first: a, last: b };
}

/** A whole number typed in the create form, kept inside `limits`. */
export function clampCount(text: string, limits: { min: number; max: number }): number {
  const n = Number.parseInt(text, 10);
  return Number.isNaN(n) ? limits.min : Math.min(limits.max, Math.max(limits.min, n));
}

/** Node indices shard by shard (each primary, then its replicas), so a shard sits together in the diagram. */
export function shardOrder(nodes: ClusterNode[]): number[] {
  const order: number[] = [];
  nodes.forEach((node, index) => {
    if (node.primary !== null) return;
    order.push(index);
    nodes.forEach((other, i) => other.primary === index && order.push(i));
  });
  // A replica whose primary is itself a replica (never made by core) is still drawn.
  nodes.forEach((_, i) => !order.includes(i) && order.push(i));
  return order;
}

/** Centre of each node on a circle of radius `r` around (`c`, `c`), in shard order. */
export function circleLayout(nodes: ClusterNode[], c: number, r: number): { x: number; y: number }[] {
  const at: { x: number; y: number }[] = new Array(nodes.length);
  const order = shardOrder(nodes);
  order.forEach((index, k) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * k) / order.length;
    at[index] = { x: Math.round((c + r * Math.cos(angle)) * 10) / 10, y: Math.round((c + r * Math.sin(angle)) * 10) / 10 };
  });
  return at;
}
