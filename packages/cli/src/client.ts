/** Builds the SDK client from resolved settings, tuned for a command-line tool. */
import { ChatsApi } from '@ym-chats/sdk';
import type { Connection } from './config.js';
import { UsageError } from './errors.js';

export function createApi(connection: Connection): ChatsApi {
  try {
    return new ChatsApi({
      apiKey: connection.apiKey,
      accessToken: connection.oauthToken,
      baseUrl: connection.baseUrl,
      pathPrefix: connection.pathPrefix,
      timeoutMs: connection.timeoutMs,
      // A person at a terminal is better served by "quota used up until 14:00" (exit 5) than by a command
      // that silently sleeps until the hourly window turns over.
      retry: { maxRateLimitWaitMs: 0 },
      rateLimit: { mode: 'reject' },
    });
  } catch (error) {
    // The SDK refuses settings it cannot send (a key with a line break, a base URL that is not http(s));
    // its message names the problem without the secret.
    if (error instanceof TypeError) {
      throw new UsageError(
        error.message.replace(/^ChatsApi: /, ''),
        'A key read from a file often keeps its line ending: strip it (e.g. tr -d "\\r\\n").',
      );
    }
    throw error;
  }
}
