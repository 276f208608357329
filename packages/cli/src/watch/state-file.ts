/**
 * `watch --state FILE`: what was already seen, so a restarted watch neither repeats nor skips messages.
 * Two files: FILE, the whole state, replaced atomically (write then rename) after each poll; and FILE.log,
 * one line `chatId messageId` appended right after each message is printed. A single small append is the
 * cheapest durable step there is, so a `kill -9` can only land in the few microseconds between the printed
 * line and its log line; the whole state is not rewritten per message.
 */
import { closeSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { openPrivate } from '../secret-file.js';

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
  replayLog(`${path}.log`, state);
  return state;
}

/** Applies the messages printed since the state was last written. */
function replayLog(logPath: string, state: WatchState): void {
  let text: string;
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (!m) continue; // a line cut short by a crash was never acknowledged
    const [, chatId, messageId] = m;
    const lastId = Number(messageId);
    const mark = state.chats[chatId!] ?? { updatedAt: '' };
    if (lastId > (mark.lastId ?? 0)) mark.lastId = lastId;
    delete mark.baseline;
    delete mark.baselineOpen;
    state.chats[chatId!] = mark;
  }
}

/** The progress log of FILE: one append per printed message. */
export class ProgressLog {
  private fd: number | undefined;

  /** Opened up front, so appending is one write call. */
  constructor(private readonly path: string) {
    this.fd = openPrivate(`${path}.log`, 'a');
  }

  append(chatId: string, messageId: number): void {
    this.fd ??= openPrivate(`${this.path}.log`, 'a');
    writeSync(this.fd, `${chatId} ${messageId}\n`);
  }

  /** After the whole state was saved: the log's lines are in it now. */
  clear(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    closeSync(openPrivate(`${this.path}.log`, 'w'));
    this.fd = openPrivate(`${this.path}.log`, 'a');
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export function saveState(path: string, state: WatchState): void {
  // Write-then-rename, so a crash mid-write leaves the previous state intact.
  const tmp = `${path}.tmp`;
  const fd = openPrivate(tmp, 'w');
  try {
    writeFileSync(fd, `${JSON.stringify(state)}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
