// Page wiring: loads the engine, connects one client, and connects the input
// line, history and console view.
import './style.css';
import { ConsoleView } from './console-view';
import { Playground } from './engine';
import { History } from './history';

const PROMPT = '127.0.0.1:6379>';

async function start(): Promise<void> {
  const output = document.getElementById('output') as HTMLElement;
  const form = document.getElementById('input-form') as HTMLFormElement;
  const input = document.getElementById('input') as HTMLInputElement;
  const view = new ConsoleView(output);
  const history = new History();
  const playground = await Playground.load();
  let client = playground.connect();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const line = input.value;
    input.value = '';
    view.echoInput(PROMPT, line);
    history.add(line);
    const result = playground.runLine(client, line);
    view.print(result.output);
    if (result.effect === 'clear') view.clear();
    if (result.effect === 'exit' || result.effect === 'closed') client = playground.connect();
  });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowUp') {
      input.value = history.previous(input.value);
      event.preventDefault();
    } else if (event.key === 'ArrowDown') {
      input.value = history.next();
      event.preventDefault();
    } else if (event.key === 'l' && event.ctrlKey) {
      view.clear();
      event.preventDefault();
    }
  });

  document.body.dataset.ready = 'true';
  input.focus();
}

start().catch((error: unknown) => {
  document.body.dataset.ready = 'error';
  const output = document.getElementById('output');
  if (output) output.textContent = `redplay failed to start: ${String(error)}`;
});
