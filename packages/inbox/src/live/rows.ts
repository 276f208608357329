/**
 * The queue row an event is about, read once per event in this process and handed to every page that
 * hears it, so pages move that one row instead of re-reading their queue (issue 22, item 11). The bus
 * hands every stream the same event object, so the read is shared by keying on it.
 */

import type { TeamStore } from '../team/team-store.js';
import type { ChatView, InboxSource } from '../types.js';
import type { LiveEvent } from './bus.js';

/** The events that change a chat's row in the queue: its messages or status, a send, an assignment. */
export type RowEvent = Extract<LiveEvent, { type: 'chat' | 'assigned' | 'sent' }>;

/**
 * What a page receives: the event, and for a `RowEvent` the chat's row as `GET /api/queue` returns it —
 * `null` when the store has no such chat (the page drops it). A row event without `row` (the read failed)
 * tells the page to re-read its queue, as a resync does.
 */
export type PageEvent = LiveEvent | (RowEvent & { row?: ChatView | null });

export function isRowEvent(event: LiveEvent): event is RowEvent {
  return event.type === 'chat' || event.type === 'assigned' || event.type === 'sent';
}

export class LiveRows {
  private readonly reads = new WeakMap<RowEvent, Promise<ChatView | null | undefined>>();

  constructor(
    private readonly source: Pick<InboxSource, 'chat'>,
    private readonly team: Pick<TeamStore, 'assignee'>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** The chat's row now, with its assignee; undefined when it could not be read. */
  rowOf(event: RowEvent): Promise<ChatView | null | undefined> {
    let read = this.reads.get(event);
    if (!read) {
      read = this.read(event).catch((error: unknown) => {
        this.onError(error);
        return undefined;
      });
      this.reads.set(event, read);
    }
    return read;
  }

  private async read(event: RowEvent): Promise<ChatView | null> {
    const key = { businessId: event.businessId, chatId: event.chatId };
    const [chat, assignee] = await Promise.all([
      this.source.chat(key.businessId, key.chatId),
      this.team.assignee(key),
    ]);
    if (!chat) return null;
    return assignee === undefined ? chat : { ...chat, assignee };
  }

  /** The event as a page receives it. */
  async forPage(event: LiveEvent): Promise<PageEvent> {
    if (!isRowEvent(event)) return event;
    const row = await this.rowOf(event);
    return row === undefined ? event : { ...event, row };
  }
}
