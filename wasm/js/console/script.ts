// Demo scripts: the text inside <redplay-console>, one command per line.
// A line may start with `name> ` to pick which client types it; lines for
// no named client go to the first one. `#` lines are comments for the reader.

export interface Step {
  client: string;
  line: string;
}

/**
 * Removes the indentation an HTML page gives the element's text (the common
 * leading whitespace of non-blank lines) and blank lines around it.
 */
export function dedent(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(common, /^[ \t]*/.exec(l)?.[0].length ?? 0)).trimEnd()).join('\n');
}

/** The steps of a script for consoles whose clients are `clients` (first is the default). */
export function parseScript(text: string, clients: readonly string[]): Step[] {
  const steps: Step[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const prefixed = /^([^\s>]+)>\s?(.*)$/.exec(line);
    if (prefixed && clients.includes(prefixed[1])) {
      steps.push({ client: prefixed[1], line: prefixed[2] });
    } else {
      steps.push({ client: clients[0], line });
    }
  }
  return steps;
}
