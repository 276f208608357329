/** Reads a page's event stream (/api/events) as the browser's EventSource would, and waits for events. */
import type { PageClient } from './http-client.js';

export interface StreamEvent {
  type: string;
  data: Record<string, unknown>;
}

export class EventReader {
  readonly events: StreamEvent[] = [];
  private readonly abort = new AbortController();
  private waiters: Array<() => void> = [];
  private finished!: () => void;
  /** Settles when the server ends the stream (or `close` is called). */
  readonly ended = new Promise<void>((resolve) => {
    this.finished = resolve;
  });

  private constructor() {}

  static async open(client: PageClient, page = 'reader-page-0001'): Promise<EventReader> {
    const reader = new EventReader();
    const response = await client.request('GET', `/api/events?page=${page}`, {
      headers: { accept: 'text/event-stream' },
    });
    if (response.status !== 200 || !response.body) throw new Error(`events: HTTP ${response.status}`);
    void reader.pump(response.body);
    return reader;
  }

  private async pump(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        if (this.abort.signal.aborted) break;
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (type && data) this.events.push({ type, data: JSON.parse(data) as Record<string, unknown> });
          end = buffer.indexOf('\n\n');
        }
        for (const w of this.waiters.splice(0)) w();
      }
    } catch {
      // closed
    }
    this.finished();
  }

  /** The first event (received from now on, or already) that `match` accepts; rejects after `timeoutMs`. */
  async waitFor(match: (e: StreamEvent) => boolean, timeoutMs = 8000, from = 0): Promise<StreamEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(from))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close() {
    this.abort.abort();
  }
}
