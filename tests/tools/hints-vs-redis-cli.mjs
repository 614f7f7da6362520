// One-off check, not part of `make test`: types every command and subcommand
// redplay knows into a real redis-cli 7.0.15 (in tmux, against a private
// redis-server) and compares the grey hint it shows with core's `hint`.
//   node tests/tools/hints-vs-redis-cli.mjs      (needs tmux, redis-server, wasm/pkg)
import { readFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const PORT = '7150';
const SESSION = 'redplay-hints';
const WIDTH = 250;
const pkg = new URL('../../wasm/pkg/', import.meta.url);
const mod = await import(new URL('redplay.js', pkg).href);
await mod.default({ module_or_path: readFileSync(new URL('redplay_bg.wasm', pkg)) });
const engine = new mod.Engine();

const server = spawn('redis-server', ['--port', PORT, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
const tmux = (...args) => execFileSync('tmux', args).toString();
try {
  await sleep(300);
  tmux('new-session', '-d', '-s', SESSION, '-x', String(WIDTH), '-y', '20', `redis-cli -p ${PORT}`);
  await sleep(300);
  let differences = 0;
  const topics = engine.completions('');
  for (const topic of topics) {
    for (const line of [topic.toLowerCase(), `${topic.toLowerCase()} x `]) {
      tmux('send-keys', '-t', SESSION, 'C-u');
      tmux('send-keys', '-t', SESSION, '-l', line);
      await sleep(100);
      const rows = tmux('capture-pane', '-t', SESSION, '-p').split('\n').filter((l) => l.trim() !== '');
      const real = rows.at(-1).replace(/^\S+> /, '').slice(line.length).trimEnd();
      const ours = (engine.hint(line) ?? '').trimEnd();
      // A hint longer than the terminal is cut: compare what fits.
      const cut = real.length >= WIDTH - 20 - line.length;
      if (cut ? !ours.startsWith(real) : ours !== real) {
        differences += 1;
        console.log(`${JSON.stringify(line)}\n  redis-cli: ${JSON.stringify(real)}\n  redplay:   ${JSON.stringify(ours)}`);
      }
    }
  }
  console.log(`${topics.length} commands and subcommands typed, ${differences} hints differ`);
} finally {
  try {
    tmux('kill-session', '-t', SESSION);
  } catch {
    // already gone
  }
  server.kill();
}
