/**
 * Secrets read from files: `--api-key-file FILE` (`-` for stdin) keeps the key out of the process list and
 * the shell history, where `--api-key KEY` puts it. A file holding a secret that other local users can
 * read or change is refused, with the chmod that fixes it.
 */
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './errors.js';

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
