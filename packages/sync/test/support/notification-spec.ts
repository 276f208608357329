// Moved to @ym-chats/testkit; this re-export stays until the lead rewrites the imports.
export { answerProblems } from '@ym-chats/testkit';
