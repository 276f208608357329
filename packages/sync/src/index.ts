/** `@ym-chats/sync`: mirror buyer chats into SQLite or PostgreSQL and receive push notifications. */
export const SYNC_PACKAGE = '@ym-chats/sync';
