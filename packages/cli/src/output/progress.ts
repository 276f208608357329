/** One self-overwriting status line on stderr, only when a person is watching it. */
import type { OutStream } from '../io.js';

export class Progress {
  private shown = false;
  private last = 0;

  constructor(private readonly stream: OutStream) {}

  get active(): boolean {
    return this.stream.isTTY === true;
  }

  update(text: string): void {
    if (!this.active) return;
    const now = Date.now();
    // Redrawing on every item would flood slow terminals; a few times a second is plenty.
    if (this.shown && now - this.last < 100) return;
    this.last = now;
    this.shown = true;
    this.stream.write(`\r\u001b[2K${text}`);
  }

  done(): void {
    if (!this.shown) return;
    this.stream.write('\r\u001b[2K');
    this.shown = false;
  }
}
