/**
 * The CLI's optional packages (the emulator, with its native SQLite build) are left out by
 * `npm install --omit=optional` and on machines without a C++ toolchain. The commands that need one load
 * it here, and say how to get it when it is missing, instead of a module-resolution stack trace.
 */
import { UsageError } from './errors.js';

export async function loadOptional<T>(name: string, load: () => Promise<T>, why: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : '';
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(name)) {
      throw new UsageError(
        `${why} needs ${name}, which is not installed (it is an optional dependency of the CLI)`,
        `Install it beside the CLI: npm install -g ${name} (it compiles better-sqlite3: needs python3, make and g++). ` +
          'The API commands (chats, history, send, watch, …) work without it.',
      );
    }
    throw error;
  }
}
