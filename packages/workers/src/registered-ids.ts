/**
 * The ids of the registered businesses, as a list read in memory and re-read from the store every few
 * seconds — for the inbox of `serve --registered`, which must follow `business add` and `remove` while it
 * runs. A poll and not a notification: the businesses table is the workers' own, the inbox's live channel
 * is the inbox's, and one indexed read of a few hundred ids every two seconds costs nothing.
 */
import type { BusinessRegistry } from './registry.js';

export interface RegisteredIdsOptions {
  /** Between two reads (default 2 s). */
  refreshMs?: number;
  /** A read that failed (the database away): the last list stays until one succeeds. */
  onError?: (error: unknown) => void;
}

export class RegisteredIds {
  #ids: readonly number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(private readonly registry: BusinessRegistry) {}

  /** Reads the list once, then keeps it fresh until `close()`. */
  static async open(registry: BusinessRegistry, options: RegisteredIdsOptions = {}): Promise<RegisteredIds> {
    const ids = new RegisteredIds(registry);
    await ids.refresh();
    const every = options.refreshMs ?? 2000;
    const next = () => {
      if (ids.#closed) return;
      ids.#timer = setTimeout(() => {
        ids.refresh().then(next, (error: unknown) => {
          // A read cut short by closing (the store closes next) is no error worth saying.
          if (!ids.#closed) options.onError?.(error);
          next();
        });
      }, every);
      ids.#timer.unref();
    };
    next();
    return ids;
  }

  /** The registered ids as last read (a function to hand on as it is: `openInbox({ businessIds: ids.current })`). */
  readonly current = (): readonly number[] => this.#ids;

  async refresh(): Promise<void> {
    this.#ids = (await this.registry.ids()).map((b) => Number(b));
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
