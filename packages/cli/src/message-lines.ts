/**
 * The `{"event":"message"}` lines of `sync --watch --json` and `serve --events`, read from the store's
 * event log rather than from a pass, so a worker prints the messages every process writes to the store.
 */
import type { SyncStore } from '@ym-chats/sync';
import type { Output } from './output/output.js';

type SyncModule = typeof import('@ym-chats/sync');

export interface MessageLines {
  /** Prints each message added to the log since this was made, once, until the signal aborts. */
  follow(signal: AbortSignal): Promise<void>;
}

/** Pins the log's current end now, so messages written while the caller starts up are not skipped. */
export async function messageLines(sync: SyncModule, store: SyncStore, out: Output): Promise<MessageLines> {
  const subscriber = new sync.EventSubscriber(store, { from: 'end' });
  await subscriber.currentPosition();
  return {
    async follow(signal) {
      while (!signal.aborted) {
        try {
          for await (const e of subscriber.follow(signal)) {
            out.ndjson({ event: 'message', position: e.position, ...e.message });
          }
        } catch (error) {
          // The database away for a while (a restart) must not end a worker: the subscriber resumes after
          // the last line printed, so nothing is skipped or printed twice.
          if (signal.aborted) break;
          out.warn(`reading new messages: ${error instanceof Error ? error.message : String(error)}`);
          await sync.pause(1000, signal);
        }
      }
    },
  };
}
