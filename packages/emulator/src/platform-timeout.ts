/**
 * The platform's 10-second model, in one place: it acts on a request within 10 s of its arrival or never.
 * A request held that long without being carried out is abandoned (a 504 if the connection is still
 * open) and is not carried out later. The same 10 s bounds how long a client may take to send its
 * headers and body, so slow senders cannot hold a business's concurrency slots.
 */
export const PLATFORM_TIMEOUT_MS = 10_000;

/** The error text of an abandoned request. */
export function abandonedMessage(timeoutMs: number): string {
  return `Request not processed within ${timeoutMs} ms; it was abandoned and will not be carried out`;
}
