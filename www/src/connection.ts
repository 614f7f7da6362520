// What a client pane talks to: one connection, to the standalone node or
// (see cluster-engine.ts) to a cluster node with redis-cli's `-c`. The pane
// runs lines, drains output and asks for the prompt through this interface.
import type { LineOutcome, Playground } from './engine.ts';

export interface Connection {
  /** The cluster node the console is attached to now (it moves when redirected); null when standalone. */
  readonly node: number | null;
  /** The client id on the standalone node (the inspector names panes by it); null in a cluster. */
  readonly clientId: number | null;
  /** The database the client has selected. */
  readonly db: number;
  /** The client's CLIENT SETNAME name. */
  readonly clientName: string | undefined;
  prompt(): string;
  runLine(line: string): LineOutcome;
  /** Output that arrived since the last line, as redis-cli prints it. */
  drain(): string;
  /** Virtual time the client started waiting, if it waits in a blocking command. */
  blockedSince(): number | undefined;
  /** Ctrl-C while waiting: redis-cli replaces the connection (same database). */
  interrupt(): void;
  /** After `exit` or a closed connection: a fresh one, as redis-cli reconnects. */
  renew(): void;
  /** Runs a command outside the console (restoring SELECT and CLIENT SETNAME). */
  call(args: string[]): void;
  close(): void;
}

/** A client of the standalone node (127.0.0.1:6379). */
export class NodeConnection implements Connection {
  readonly node = null;
  private client: number;

  constructor(private readonly playground: Playground) {
    this.client = playground.connect();
  }

  get clientId(): number {
    return this.client;
  }

  get db(): number {
    return this.playground.clientDb(this.client);
  }

  get clientName(): string | undefined {
    return this.playground.clientName(this.client);
  }

  prompt(): string {
    return this.playground.prompt(this.client);
  }

  runLine(line: string): LineOutcome {
    return this.playground.runLine(this.client, line);
  }

  drain(): string {
    return this.playground.drain(this.client);
  }

  blockedSince(): number | undefined {
    return this.playground.blockedSince(this.client);
  }

  interrupt(): void {
    this.client = this.playground.reconnect(this.client);
  }

  renew(): void {
    this.playground.disconnect(this.client);
    this.client = this.playground.connect();
  }

  call(args: string[]): void {
    this.playground.call(this.client, args);
  }

  close(): void {
    this.playground.disconnect(this.client);
  }
}
