/** Prints each new message once, whichever way it was found (polling, notification, or both). */
import type { ChatMessage, Id } from '@ym-chats/sdk';
import { messageBlock } from '../output/chat-view.js';
import type { Output } from '../output/output.js';

/** Enough to cover any realistic burst of platform retries; older keys are forgotten first. */
const REMEMBER = 10_000;

export class MessagePrinter {
  private readonly seen = new Set<string>();
  printed = 0;

  constructor(
    private readonly out: Output,
    private readonly senders: Set<string> | undefined,
    private readonly onPrinted: (count: number) => void,
  ) {}

  has(chatId: Id, messageId: Id): boolean {
    return this.seen.has(`${chatId}:${messageId}`);
  }

  /**
   * Returns false for a message already printed (or filtered out by --sender). `afterWrite` runs right
   * after the line is written, before anything else, to keep the gap to recording it as small as can be.
   */
  print(chatId: Id, message: ChatMessage, afterWrite?: () => void): boolean {
    const key = `${chatId}:${message.messageId}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > REMEMBER) this.seen.delete(this.seen.values().next().value as string);
    if (this.senders && !this.senders.has(String(message.sender))) return false;
    if (this.out.json) this.out.ndjson({ chatId, ...message });
    else this.out.write(`${messageBlock(message, this.out.c, String(chatId))}\n`);
    afterWrite?.();
    this.printed++;
    this.onPrinted(this.printed);
    return true;
  }
}
