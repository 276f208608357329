/** `watch --state FILE`: what was already seen, so a restarted watch neither repeats nor skips messages. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

export interface ChatMark {
  updatedAt: string;
  /** Highest message id seen in this chat. */
  lastId?: number;
  /** updatedAt when watching began, for chats whose last message id is not known yet. */
  baseline?: string;
  /** The baseline second was not over when watching began: messages after its first one may be news. */
  baselineOpen?: boolean;
  /**
   * Changed (or open at the start) just before the state was saved: read once more, as a same-second
   * message may follow.
   */
  recheck?: boolean;
}

export interface WatchState {
  version: 1;
  businessId: string;
  chats: Record<string, ChatMark>;
}

export function loadState(path: string, businessId: string): WatchState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the watch state file ${path}`);
  }
  let state: WatchState;
  try {
    state = JSON.parse(text) as WatchState;
  } catch {
    throw new UsageError(`the watch state file ${path} is not valid JSON`, 'Delete it to start from now.');
  }
  if (state?.version !== 1 || typeof state.chats !== 'object' || state.chats === null) {
    throw new UsageError(
      `the watch state file ${path} is not a ym-chats watch state`,
      'Delete it to start from now.',
    );
  }
  if (state.businessId !== businessId) {
    throw new UsageError(
      `the watch state file ${path} belongs to business ${state.businessId}, not ${businessId}`,
      'Use another --state file per business.',
    );
  }
  return state;
}

export function saveState(path: string, state: WatchState): void {
  // Write-then-rename, so a crash mid-write leaves the previous state intact.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  renameSync(tmp, path);
}
