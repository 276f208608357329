export interface PageRequest {
  pageToken: string | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Yields every item of a token-paged list: follows `nextPageToken`, walks through empty pages, and stops
 * when the server repeats a token (which would otherwise loop forever). `break` stops fetching at once.
 */
export async function* paginate<T>(
  fetchPage: (request: PageRequest) => Promise<{ items: T[]; nextPageToken: string | undefined }>,
  options: {
    pageToken?: string | undefined;
    signal?: AbortSignal | undefined;
    onRepeatedToken?: (token: string) => void;
  },
): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  let pageToken = options.pageToken;
  for (;;) {
    const page = await fetchPage({ pageToken, signal: options.signal });
    yield* page.items;
    const next = page.nextPageToken;
    if (!next) return;
    if (seen.has(next)) {
      options.onRepeatedToken?.(next);
      return;
    }
    seen.add(next);
    pageToken = next;
  }
}
