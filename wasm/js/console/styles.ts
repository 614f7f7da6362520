// The console's look, as a constructed stylesheet adopted by each shadow
// root: no <style> element or style attribute, so pages with a strict
// Content-Security-Policy (style-src 'self') need nothing extra. Colours are
// custom properties a page can override (--redplay-bg, --redplay-fg, ...).

const CSS = `
:host {
  display: block;
  margin: 1rem 0;
  --bg: var(--redplay-bg, #16181d);
  --fg: var(--redplay-fg, #e6e6e6);
  --muted: var(--redplay-muted, #8a8f98);
  --accent: var(--redplay-accent, #dc382d);
  --reply: var(--redplay-reply, #c8d3f5);
  --later: var(--redplay-later, #f0c674);
  --line: var(--redplay-line, #2a2d35);
  font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
  font-size: 0.85rem;
  color: var(--fg);
}
.script {
  display: block;
  box-sizing: border-box;
  width: 100%;
  resize: vertical;
  background: #1d2027;
  color: var(--fg);
  border: 1px solid var(--line);
  border-radius: 6px 6px 0 0;
  padding: 0.5rem 0.6rem;
  font: inherit;
  line-height: 1.4;
}
.toolbar {
  display: flex;
  gap: 0.5rem;
  align-items: center;
  padding: 0.35rem 0.6rem;
  background: #1d2027;
  border: 1px solid var(--line);
  border-top: none;
}
button {
  font: inherit;
  color: var(--fg);
  background: #2a2d35;
  border: 1px solid #3a3e48;
  border-radius: 4px;
  padding: 0.15rem 0.8rem;
  cursor: pointer;
}
button.run { background: var(--accent); border-color: var(--accent); color: #fff; }
button:focus-visible { outline: 2px solid var(--later); outline-offset: 1px; }
.status { color: var(--muted); }
.panes {
  display: grid;
  grid-auto-columns: minmax(0, 1fr);
  grid-auto-flow: column;
  gap: 1px;
  background: var(--line);
  border: 1px solid var(--line);
  border-top: none;
  border-radius: 0 0 6px 6px;
  overflow: hidden;
}
@media (max-width: 40rem) {
  .panes { grid-auto-flow: row; }
}
.pane { background: var(--bg); display: flex; flex-direction: column; min-width: 0; }
.name {
  padding: 0.2rem 0.6rem;
  color: var(--muted);
  border-bottom: 1px solid var(--line);
  font-size: 0.8rem;
}
.output { padding: 0.4rem 0.6rem 0; max-height: 40rem; overflow: auto; flex: 1; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; line-height: 1.35; }
pre.reply { color: var(--reply); }
pre.later { border-left: 2px solid var(--later); padding-left: 0.4rem; margin-left: -0.6rem; padding-left: calc(0.6rem - 2px); }
pre.note { color: var(--muted); font-style: italic; }
.multi pre.echo[data-step]::before {
  content: attr(data-step);
  display: inline-block;
  min-width: 1.4em;
  margin-right: 0.4em;
  color: var(--muted);
  font-size: 0.75em;
  text-align: right;
}
.input-line { padding: 0 0.6rem 0.4rem; }
.waiting .input-line { visibility: hidden; }
.prompt { display: flex; gap: 0.5ch; align-items: baseline; white-space: pre; }
.input {
  flex: 1; min-width: 4ch; background: transparent; color: var(--fg);
  border: none; outline: none; font: inherit; padding: 0;
}
`;

let sheet: CSSStyleSheet | null = null;

/** One stylesheet shared by every console on the page. */
export function consoleStyles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}
