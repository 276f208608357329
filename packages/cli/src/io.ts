import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The process surface the commands touch, passed in so the wiring stays in one place. */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** How to spell this program in printed hints: `ym-chats` or `npx ym-chats`. */
  self: string;
}

/**
 * Run through npm (`npm start` in a fresh clone) the binary is not on PATH. `npx ym-chats` only works
 * when npm linked the workspace binary; otherwise npx would go looking in the registry, so the hints
 * spell out the script path instead.
 */
function selfName(cwd: string): string {
  const viaNpm = process.env.npm_lifecycle_event !== undefined || process.env.npm_execpath !== undefined;
  if (!viaNpm) return 'ym-chats';
  if (existsSync(join(cwd, 'node_modules', '.bin', 'ym-chats'))) return 'npx ym-chats';
  const script = process.argv[1];
  if (script === undefined) return 'ym-chats';
  const path = relative(cwd, script);
  return `node ${path.includes(' ') ? JSON.stringify(path) : path}`;
}

export function processIo(): Io {
  const cwd = process.cwd();
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd,
    self: selfName(cwd),
  };
}
