/**
 * The one "one page, or every page with --all" collector behind `chats` and `history`: one page returns its
 * next-page token for the hint; --all walks every page with a progress line on a terminal.
 */
import type { Output } from '../output/output.js';

export interface PageSource<T, R> {
  all: boolean;
  /** Plural noun for the progress line: "chats", "messages". */
  noun: string;
  /** Page size for --all (one page uses the API's default unless --limit). */
  pageSize: number;
  pageToken?: string;
  iterate(options: { limit: number; pageToken?: string }): AsyncIterable<T>;
  page(): Promise<{ items: T[]; next?: string; result: R }>;
}

export interface Collected<T, R> {
  items: T[];
  /** Token of the next page, when one page was asked for and there is more. */
  next?: string;
  /** The page's whole result, when one page was asked for. */
  result?: R;
}

export async function collectPages<T, R>(out: Output, source: PageSource<T, R>): Promise<Collected<T, R>> {
  if (!source.all) {
    const { items, next, result } = await source.page();
    return next === undefined ? { items, result } : { items, next, result };
  }
  const items: T[] = [];
  const options: { limit: number; pageToken?: string } = { limit: source.pageSize };
  if (source.pageToken !== undefined) options.pageToken = source.pageToken;
  for await (const item of source.iterate(options)) {
    items.push(item);
    out.progress.update(
      `fetched ${items.length} ${source.noun}, page ${Math.ceil(items.length / source.pageSize)}`,
    );
  }
  out.progress.done();
  return { items };
}
