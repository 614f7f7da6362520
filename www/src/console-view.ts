// Console rendering for one client pane: echoed lines and replies appended to
// a scrolling output region. Everything is inserted as text nodes, never as
// HTML. Large replies are rendered progressively, a slice per animation
// frame, so printing 100,000 elements never freezes the page; output queued
// behind them keeps its order.
import { hasSgr, parseSgr } from './ansi.ts';

/** Lines per block of a reply; blocks off screen skip rendering. */
const BLOCK_LINES = 500;
/** Time budget per animation frame for appending queued output. */
const FRAME_BUDGET_MS = 8;

type Job = { kind: string; lines: string[]; next: number; target: HTMLElement | null; styled: boolean };

export class ConsoleView {
  private readonly queue: Job[] = [];
  private scheduled = false;

  constructor(private readonly output: HTMLElement) {}

  /** Echoes what the user typed after the prompt, as redis-cli's screen shows it. */
  echoInput(prompt: string, line: string): void {
    this.enqueue(`${prompt}${line}`, 'echo');
  }

  /** Appends redis-cli output (one or more lines ending in a newline). */
  print(text: string): void {
    if (text === '') return;
    const lines = text.replace(/\r\n/g, '\n');
    this.enqueue(lines.endsWith('\n') ? lines.slice(0, -1) : lines, 'reply');
  }

  /** A note from the page itself (not redis-cli output), e.g. `^C`. */
  note(text: string): void {
    this.enqueue(text, 'note');
  }

  clear(): void {
    this.queue.length = 0;
    this.output.replaceChildren();
    this.setBusy(false);
  }

  /** True while queued output is still being rendered. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  private enqueue(text: string, kind: string): void {
    const styled = hasSgr(text);
    this.queue.push({ kind, lines: text.split('\n'), next: 0, target: null, styled });
    this.flush(performance.now());
  }

  /** Renders queued output until the frame budget is spent. */
  private flush(start: number): void {
    const stick = this.atBottom();
    while (this.queue.length > 0 && performance.now() - start < FRAME_BUDGET_MS) {
      const job = this.queue[0];
      this.renderBlock(job);
      if (job.next >= job.lines.length) {
        job.target?.removeAttribute('aria-busy');
        this.queue.shift();
      }
    }
    if (stick) this.output.scrollTop = this.output.scrollHeight;
    this.setBusy(this.queue.length > 0);
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame((now) => {
        this.scheduled = false;
        this.flush(now);
      });
    }
  }

  private renderBlock(job: Job): void {
    if (!job.target) {
      job.target = document.createElement('pre');
      job.target.className = job.kind;
      if (job.lines.length > BLOCK_LINES) job.target.setAttribute('aria-busy', 'true');
      // A final empty line is not drawn by a <pre>; CSS draws it (see style.css).
      if (job.lines.length > 1 && job.lines[job.lines.length - 1] === '') job.target.classList.add('ends-blank');
      this.output.append(job.target);
    }
    const end = Math.min(job.lines.length, job.next + BLOCK_LINES);
    const last = end === job.lines.length;
    // Each block but the last keeps its final newline, so the reply's text is exact.
    const text = job.lines.slice(job.next, end).join('\n') + (last ? '' : '\n');
    const block = job.lines.length > BLOCK_LINES ? document.createElement('span') : job.target;
    if (block !== job.target) {
      block.className = 'block';
      job.target.append(block);
    }
    if (job.styled) {
      for (const run of parseSgr(text)) {
        if (run.style === '') {
          block.append(run.text);
        } else {
          const span = document.createElement('span');
          span.className = run.style;
          span.textContent = run.text;
          block.append(span);
        }
      }
    } else {
      block.append(text);
    }
    job.next = end;
  }

  private atBottom(): boolean {
    const o = this.output;
    return o.scrollHeight - o.scrollTop - o.clientHeight < 40;
  }

  private setBusy(busy: boolean): void {
    if (busy) this.output.dataset.rendering = 'true';
    else delete this.output.dataset.rendering;
  }
}
