// Moved to @ym-chats/testkit; this re-export stays until the lead rewrites the imports.
export { describeQuotaStoreContract, type QuotaStoreHarness } from '@ym-chats/testkit';
