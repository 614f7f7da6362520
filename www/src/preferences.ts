// redis-cli's interactive `:` lines: `:set hints` and `:set nohints` switch
// the grey argument hints on and off; any other `:` line gets redis-cli's
// complaint. They never reach the server (a piped redis-cli, and so
// redplay-cli, sends them as commands instead).

export interface PreferenceLine {
  /** What redis-cli prints for the line (empty when it prints nothing). */
  output: string;
  /** The new hints setting, when the line changes it. */
  hints?: boolean;
}

/** The line's effect if it is a `:` line (words split as typed), else null. */
export function preferenceLine(line: string): PreferenceLine | null {
  const words = line.trim().split(/\s+/);
  const [first, second] = words;
  if (first === undefined || !first.startsWith(':')) return null;
  if (first.toLowerCase() !== ':set' || second === undefined) {
    return { output: `unknown redis-cli internal command '${first}'\n` };
  }
  switch (second.toLowerCase()) {
    case 'hints':
      return { output: '', hints: true };
    case 'nohints':
      return { output: '', hints: false };
    default:
      return { output: `unknown redis-cli preference '${second}'\n` };
  }
}
