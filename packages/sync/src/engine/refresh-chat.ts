/**
 * One chat brought up to date with the platform now, outside any pass: its own state (getChat: status and
 * type, which no message carries) and then its history from the last stored message. The notification
 * processor does this for a push that names a chat's state; the inbox does it right after a reply, so
 * the reply and the chat's new status are in the store even when no push ever comes.
 */
import type { ChatsApi } from '@ym-chats/sdk';
import type { SyncEngine } from './engine.js';

export interface RefreshResult {
  /** Whether the chat's own state was read (getChat) and written. */
  chatRead: boolean;
  /** History pages read (0 when the chat's state showed nothing new and `history` was 'if-changed'). */
  historyPages: number;
  /** Message ids the history read stored. */
  added: bigint[];
}

export interface RefreshOptions {
  /** Read the chat's state with getChat first (default true). */
  readChat?: boolean;
  /**
   * 'always' (default): read the history from the last stored message whatever the chat's state says;
   * 'if-changed': only when the chat's updatedAt moved past what the store holds.
   */
  history?: 'always' | 'if-changed';
  /** The settle rule's window for the chat write (see `needsHistory`); default 5 s. */
  settleMs?: number;
  signal?: AbortSignal;
}

/** `api`: the engine's own client (the engine keeps it private). */
export async function refreshChat(
  api: ChatsApi,
  engine: SyncEngine,
  chatId: bigint,
  options: RefreshOptions = {},
): Promise<RefreshResult> {
  const { store, businessId } = engine;
  let owed = options.history !== 'if-changed';
  let chatRead = false;
  if (options.readChat !== false) {
    const { result } = await api.getChat(
      businessId,
      chatId,
      options.signal ? { signal: options.signal } : undefined,
    );
    chatRead = true;
    const marked = await store.writeChatPage({
      businessId,
      runId: null,
      chats: [result],
      nextPageToken: null,
      settleMs: options.settleMs ?? 5000,
    });
    owed ||= marked.length > 0;
  }
  if (!owed) return { chatRead, historyPages: 0, added: [] };
  const read = await engine.readHistory(chatId, null, options.signal);
  return { chatRead, historyPages: read.pages, added: read.added };
}
