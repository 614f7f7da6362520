#!/usr/bin/env node
// `redplay serve [--port N] [--bind ADDR --allow-remote] [--requirepass PW]
//                [--cluster-primaries N [--cluster-replicas R]]`
import { parseArgs } from 'node:util';
import { startServer } from './server.js';

const usage = `usage: redplay serve [--port 6379] [--bind 127.0.0.1] [--allow-remote] [--requirepass PASSWORD]
                     [--cluster-primaries N [--cluster-replicas R]]

Serves an in-memory Redis 7.0 (redplay's WebAssembly engine) over RESP2/RESP3.
Listens on loopback only unless --allow-remote is given with --bind.
With --cluster-primaries, serves a simulated Redis Cluster of N primaries with
R replicas each (as redis-cli --cluster create lays them out), node i on
port + i; point redis-cli -c or a cluster client at any of them.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string', short: 'p', default: '6379' },
        bind: { type: 'string', default: '127.0.0.1' },
        'allow-remote': { type: 'boolean', default: false },
        requirepass: { type: 'string' },
        'cluster-primaries': { type: 'string' },
        'cluster-replicas': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`redplay: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'serve') {
    console.error(usage);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`redplay: invalid port ${values.port}`);
    return 2;
  }
  const count = (flag: 'cluster-primaries' | 'cluster-replicas', least: number): number | undefined => {
    const text = values[flag];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < least) throw new Error(`invalid --${flag} ${text}`);
    return n;
  };
  let primaries;
  let replicas;
  try {
    primaries = count('cluster-primaries', 1);
    replicas = count('cluster-replicas', 0);
    if (replicas !== undefined && primaries === undefined) throw new Error('--cluster-replicas needs --cluster-primaries');
  } catch (error) {
    console.error(`redplay: ${(error as Error).message}`);
    return 2;
  }
  const server = await startServer({
    port,
    host: values.bind,
    allowRemote: values['allow-remote'],
    requirepass: values.requirepass,
    cluster: primaries === undefined ? undefined : { primaries, replicas },
  });
  if (primaries === undefined) {
    console.log(`redplay: Redis 7.0 (wasm) ready on ${server.host}:${server.port}`);
  } else {
    const last = server.ports[server.ports.length - 1];
    const where = server.ports.every((p, i) => p === server.port + i) ? `ports ${server.port}-${last}` : `ports ${server.ports.join(', ')}`;
    console.log(`redplay: Redis 7.0 cluster (wasm) of ${server.ports.length} nodes ready on ${server.host} ${where}`);
  }
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: Error) => {
    console.error(`redplay: ${error.message}`);
    process.exitCode = 1;
  },
);
