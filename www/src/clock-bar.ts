// The clock bar: shows the virtual clock and lets the user pause it, step it
// and jump ahead (e.g. +30 s to make a BLPOP time out).
import { VirtualClock, formatClock } from './clock.ts';

const JUMPS: [string, number][] = [
  ['+100 ms', 100],
  ['+1 s', 1000],
  ['+30 s', 30_000],
];

export class ClockBar {
  private readonly time: HTMLElement;
  private readonly toggle: HTMLButtonElement;

  /** `changed` runs after every user action so timeouts fire at once. */
  constructor(root: HTMLElement, private readonly clock: VirtualClock, changed: () => void) {
    root.classList.add('clock-bar');
    const label = document.createElement('span');
    label.className = 'clock-label';
    label.textContent = 'virtual clock';
    this.time = document.createElement('time');
    this.time.className = 'clock-time';
    this.time.setAttribute('aria-label', 'virtual time (UTC)');
    this.toggle = document.createElement('button');
    this.toggle.type = 'button';
    this.toggle.className = 'clock-toggle';
    this.toggle.addEventListener('click', () => {
      if (clock.paused) clock.resume();
      else clock.pause();
      changed();
    });
    root.append(label, this.time, this.toggle);
    for (const [text, ms] of JUMPS) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = text;
      button.dataset.jump = String(ms);
      button.title = `Move the virtual clock ${ms} ms ahead`;
      button.addEventListener('click', () => {
        clock.advanceBy(ms);
        changed();
      });
      root.append(button);
    }
    this.render();
  }

  render(): void {
    this.time.textContent = formatClock(this.clock.now());
    this.time.classList.toggle('paused', this.clock.paused);
    this.toggle.textContent = this.clock.paused ? 'Resume' : 'Pause';
    this.toggle.setAttribute('aria-pressed', String(this.clock.paused));
  }
}
