// The cluster adapter: a core cluster (the wasm ClusterEngine) on the page's
// virtual clock, and the `-c` console connection a pane uses to talk to one
// of its nodes. Routing, redirections, failover and the bus counters are
// core's; this file passes calls and the time through.
import { ClusterEngine } from 'redplay';
import type { ClusterNode } from 'redplay';
import type { VirtualClock } from './clock.ts';
import { Link, parseLinks } from './cluster-format.ts';
import type { Connection } from './connection.ts';
import type { LineEffect, LineOutcome } from './engine.ts';

export interface BusTotals {
  publish: { messages: number; bytes: number };
  shard: { messages: number; bytes: number };
}

export class Cluster {
  private constructor(
    private readonly engine: ClusterEngine,
    private readonly clock: VirtualClock,
  ) {}

  /** `primaries` primaries with `replicas` replicas each, on ports 7000 upwards. */
  static create(primaries: number, replicas: number, clock: VirtualClock): Cluster {
    return new Cluster(new ClusterEngine(primaries, replicas, clock.now()), clock);
  }

  /** A cluster from `save()`'s bytes; throws a RangeError when they are not one. */
  static load(bytes: Uint8Array, clock: VirtualClock): Cluster {
    const cluster = new Cluster(ClusterEngine.load(bytes), clock);
    cluster.tick();
    return cluster;
  }

  /** Throws a RangeError unless `bytes` load as a cluster. */
  static check(bytes: Uint8Array): void {
    ClusterEngine.load(bytes).free();
  }

  save(): Uint8Array {
    this.tick();
    return this.engine.save();
  }

  now(): number {
    return this.clock.now();
  }

  /** Lets the cluster see the clock's time: stopped nodes are marked failed and failed over when due. */
  tick(): void {
    this.engine.advance(this.now());
  }

  nodes(): ClusterNode[] {
    return this.engine.nodes(this.now());
  }

  /** Every bus link that carried messages since the counters were reset. */
  links(): Link[] {
    return parseLinks(this.engine.links());
  }

  get nodeTimeoutMs(): number {
    return this.engine.nodeTimeout();
  }

  keySlot(key: string): number {
    return this.engine.keySlot(key);
  }

  slotOwner(slot: number): number | undefined {
    return this.engine.slotOwner(slot);
  }

  stop(node: number): void {
    this.engine.stopNode(node, this.now());
  }

  restart(node: number): void {
    this.engine.restartNode(node, this.now());
  }

  /** Moves slots `first..last` and their keys to primary `to`; the number of keys moved (undefined if refused). */
  reshard(first: number, last: number, to: number): number | undefined {
    return this.engine.reshard(first, last, to);
  }

  busTotals(): BusTotals {
    const read = (kind: string) => {
      const counter = this.engine.busTotal(kind);
      const value = { messages: counter.messages, bytes: counter.bytes };
      counter.free();
      return value;
    };
    return { publish: read('publish'), shard: read('publishshard') };
  }

  resetBus(): void {
    this.engine.resetBus();
  }

  /** A `redis-cli -c` console on `node`. */
  connect(node: number): ClusterConnection {
    return new ClusterConnection(this.engine, this.clock, node);
  }

  free(): void {
    this.engine.free();
  }
}

/** A `redis-cli -c` connection to a cluster node; it follows MOVED and ASK to the node they name. */
export class ClusterConnection implements Connection {
  readonly clientId = null;
  readonly db = 0;
  readonly clientName = undefined;
  /** Undefined while the node it should talk to is stopped and no connection could be made. */
  private handle: number | undefined;
  private home: number;

  constructor(
    private readonly engine: ClusterEngine,
    private readonly clock: VirtualClock,
    node: number,
  ) {
    this.home = node;
    this.handle = engine.connect(node, true, clock.now());
  }

  get node(): number {
    return this.handle === undefined ? this.home : (this.engine.clientNode(this.handle) ?? this.home);
  }

  prompt(): string {
    return this.handle === undefined ? 'not connected> ' : this.engine.prompt(this.handle);
  }

  runLine(line: string): LineOutcome {
    if (this.handle === undefined) this.handle = this.engine.connect(this.home, true, this.clock.now());
    if (this.handle === undefined) {
      // The node is down and this console never reached it: redis-cli's refusal.
      const port = this.engine.port(this.home);
      return { output: `Could not connect to Redis at 127.0.0.1:${port}: Connection refused\n`, effect: 'closed' };
    }
    const result = this.engine.runLine(this.handle, line, this.clock.now());
    const outcome = { output: result.output, effect: result.effect as LineEffect };
    result.free();
    this.home = this.node;
    return outcome;
  }

  drain(): string {
    return this.handle === undefined ? '' : this.engine.drainOutput(this.handle);
  }

  blockedSince(): number | undefined {
    return this.handle === undefined ? undefined : this.engine.blockedSince(this.handle);
  }

  interrupt(): void {
    this.renew();
  }

  renew(): void {
    const node = this.node;
    // A stopped node takes no connections: the old one is kept (core answers
    // with the refusal) until the node is back.
    if (!this.engine.isRunning(node)) return;
    if (this.handle !== undefined) this.engine.disconnect(this.handle);
    this.handle = this.engine.connect(node, true, this.clock.now());
    this.home = node;
  }

  call(): void {
    // Cluster nodes have only database 0 and a console's name is not kept.
  }

  close(): void {
    if (this.handle !== undefined) this.engine.disconnect(this.handle);
    this.handle = undefined;
  }
}
