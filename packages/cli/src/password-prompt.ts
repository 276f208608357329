/**
 * A new password from the person at the terminal (typed twice, not shown) or from stdin
 * (`--password-stdin`, for scripts and password managers). Never from a flag: a flag's value is in the
 * process list and the shell's history.
 */

import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { readStdin } from './stdin.js';

/** Short passwords fall to the login limits' patient guesser; 8 is the usual floor. */
export const MIN_PASSWORD_LENGTH = 8;

function check(password: string): string {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`the password is shorter than ${MIN_PASSWORD_LENGTH} characters`);
  }
  return password;
}

/** One line typed without echo; Ctrl+C gives up, backspace takes back a character. */
function askHidden(io: Io, prompt: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(typed.join(''));
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new UsageError('no password given (cancelled)'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed.push(ch);
      }
    };
    stdin.on('data', onData);
  });
}

/** The new password: from stdin with `fromStdin`, else asked twice on the terminal. */
export async function newPassword(io: Io, login: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    // One trailing newline is the line's end (echo, a password manager), not part of the password.
    const text = (await readStdin(io.stdin)).replace(/\r?\n$/, '');
    if (text.includes('\n')) throw new UsageError('--password-stdin: expected the password on one line');
    return check(text);
  }
  if (io.stdin.isTTY !== true) {
    throw new UsageError(
      'no terminal to ask the password on',
      'Give it on stdin instead: … | ym-chats agents add LOGIN --password-stdin',
    );
  }
  const first = check(await askHidden(io, `New password for ${login}: `));
  const again = await askHidden(io, 'Again: ');
  if (again !== first) throw new UsageError('the two passwords differ; nothing was changed');
  return first;
}
