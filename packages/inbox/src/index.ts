/** `@ym-chats/inbox`: the web inbox served by `ym-chats serve` over the sync store. */
export const INBOX_PACKAGE = '@ym-chats/inbox';
