// The few SGR escapes redis-cli prints in its own output (help: bold names,
// grey arguments, yellow labels), turned into styled runs. Everything else is
// kept as text: values never reach here unescaped, core quotes them.

export interface Run {
  text: string;
  /** CSS class for the run's style, '' for plain text. */
  style: string;
}

const STYLES: Record<string, string> = { '1': 'sgr-bold', '33': 'sgr-yellow', '90': 'sgr-grey' };
// ESC [ digits m, built from the code point so the source has no raw escape.
const SGR = new RegExp(`${String.fromCharCode(27)}\\[([0-9;]*)m`, 'g');

/** Splits `text` at SGR escapes; CRLF line ends become LF. */
export function parseSgr(text: string): Run[] {
  const runs: Run[] = [];
  let style = '';
  let last = 0;
  const push = (end: number) => {
    const piece = text.slice(last, end).replace(/\r\n/g, '\n');
    if (piece !== '') runs.push({ text: piece, style });
  };
  for (const match of text.matchAll(SGR)) {
    push(match.index);
    last = match.index + match[0].length;
    const code = match[1] === '' ? '0' : match[1];
    style = STYLES[code] ?? '';
  }
  push(text.length);
  return runs;
}

export function hasSgr(text: string): boolean {
  return text.includes(String.fromCharCode(27) + '[');
}
