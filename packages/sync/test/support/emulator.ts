// Moved to @ym-chats/testkit; this re-export stays until the lead rewrites the imports.
export {
  API_KEY,
  BUSINESS,
  type CallCounts,
  chatPages,
  coldMinimum,
  countingApi,
  emulatorState,
  type MirrorState,
  messagesPerChat,
  mirrorState,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';
