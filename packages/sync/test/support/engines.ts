// Moved to @ym-chats/testkit; this re-export stays until the lead rewrites the imports.
export { describeEngines, ENGINES, type Engine, type OpenedStore, PG_URL } from '@ym-chats/testkit';
