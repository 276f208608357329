/**
 * Follows the event log: every message the mirror stored, once, in order (per chat, and globally by
 * position). A named subscriber keeps its position in the store and resumes there after a restart; the
 * position moves once the consumer has taken an event, so an event being handled when the process dies
 * is delivered again — handle by `position` to make that harmless.
 */

import { pause } from '../pause.js';
import type { MessageEvent } from '../store/events.js';
import type { SyncStore } from '../store/store.js';

export interface SubscriberOptions {
  /** Keeps the position under this name in `event_positions`; unnamed subscribers keep it in memory. */
  name?: string;
  /** Where to start: after this position, at the saved one (default for a named subscriber) or at the end. */
  from?: bigint | 'saved' | 'end';
  /** How often to look for new events when caught up. Default 250 ms. */
  pollMs?: number;
  batch?: number;
}

export class EventSubscriber {
  private position: bigint | undefined;

  constructor(
    private readonly store: SyncStore,
    private readonly options: SubscriberOptions = {},
  ) {}

  /** The position of the last event taken (0 before the first). */
  async currentPosition(): Promise<bigint> {
    if (this.position === undefined) this.position = await this.start();
    return this.position;
  }

  private async start(): Promise<bigint> {
    const from = this.options.from ?? (this.options.name === undefined ? 'end' : 'saved');
    if (typeof from === 'bigint') return from;
    if (from === 'end') return this.store.lastPosition();
    return this.options.name === undefined ? 0n : this.store.savedPosition(this.options.name);
  }

  /** The events after the current position, without waiting; the position moves past them. */
  async poll(): Promise<MessageEvent[]> {
    const after = await this.currentPosition();
    const events = await this.store.eventsAfter(after, this.options.batch ?? 500);
    const last = events[events.length - 1];
    if (last !== undefined) await this.commit(last.position);
    return events;
  }

  /** Every event from the start position on, waiting for new ones until the signal aborts. */
  async *follow(signal?: AbortSignal): AsyncGenerator<MessageEvent> {
    const pollMs = this.options.pollMs ?? 250;
    while (!signal?.aborted) {
      const after = await this.currentPosition();
      const events = await this.store.eventsAfter(after, this.options.batch ?? 500);
      for (const event of events) {
        yield event;
        await this.commit(event.position);
      }
      if (events.length === 0) await pause(pollMs, signal);
    }
  }

  private async commit(position: bigint): Promise<void> {
    this.position = position;
    if (this.options.name !== undefined) await this.store.savePosition(this.options.name, position);
  }
}
