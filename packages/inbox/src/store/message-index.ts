/**
 * The store's word index for other readers of the same store (`ym-chats mcp`'s search_messages, which gets
 * it from the CLI): now the store's own (`@ym-chats/sync`), re-exported where callers found it.
 */
export { type CandidateOptions, type IndexedMessage, StoreMessageIndex } from '@ym-chats/sync';
