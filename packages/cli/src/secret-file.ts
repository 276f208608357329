/**
 * Secrets read from files: `--api-key-file FILE` (`-` for stdin) keeps the key out of the process list and
 * the shell history, where `--api-key KEY` puts it. A file holding a secret that other local users can
 * read or change is refused, with the chmod that fixes it. And the other way: files the CLI writes that
 * hold buyer data or secrets are made private here, whatever the umask. (The sync store's SQLite files are
 * made private by @ym-chats/sync itself, which the CLI may run without.)
 */
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './errors.js';

const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/** Creates `dir` and any missing parents 0700 (a mode given to mkdir passes through the umask). */
export function makePrivateDir(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if (first === undefined) return; // it existed: its owner chose its mode
  for (let d = dir; ; d = dirname(d)) {
    chmodSync(d, PRIVATE_DIR);
    if (d === first || d === dirname(d)) return;
  }
}

/** `openSync(path, flags)` for a file of ours, 0600 whether it is new or was left wider by anything. */
export function openPrivate(path: string, flags: string | number): number {
  const fd = openSync(path, flags, PRIVATE_FILE);
  try {
    fchmodSync(fd, PRIVATE_FILE);
  } catch (error) {
    // Windows has no such mode bits; elsewhere a file we cannot make private is not written.
    if (process.platform !== 'win32') {
      closeSync(fd);
      throw error;
    }
  }
  return fd;
}

/** Refuses a file whose mode lets group or others in (POSIX only: Windows has no such mode bits). */
export function requirePrivate(path: string, what: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return; // the read that follows reports it
  }
  if ((mode & 0o077) === 0) return;
  throw new UsageError(
    `${what} ${path} holds a credential but other users can access it (mode ${(mode & 0o777).toString(8).padStart(3, '0')})`,
    `Make it private: chmod 600 ${path}`,
  );
}

/**
 * Creates `path` empty and 0600 (and its missing directories 0700) unless it exists, so that a program
 * filling it later (SQLite, which gives its -wal and -shm files the same mode) keeps it private.
 */
export function createPrivateFile(path: string): void {
  makePrivateDir(dirname(path));
  try {
    closeSync(openPrivate(path, 'wx'));
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
}

/** The secret in `path` (or stdin for `-`), trimmed of surrounding whitespace and the trailing newline. */
export function readSecretFile(path: string, flagName: string): string {
  let text: string;
  if (path === '-') {
    try {
      text = readFileSync(0, 'utf8');
    } catch {
      throw new UsageError(`${flagName} -: could not read the credential from stdin`);
    }
  } else {
    requirePrivate(path, `${flagName}`);
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(`${flagName}: cannot read ${path} (${code ?? 'error'})`);
    }
  }
  const secret = text.trim();
  if (secret === '' || /\s/.test(secret)) {
    throw new UsageError(
      `${flagName} ${path}: expected one credential on one line`,
      'Put only the key in the file (a trailing newline is fine).',
    );
  }
  return secret;
}
