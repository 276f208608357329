/** Builds the SDK client from resolved settings, tuned for a command-line tool. */
import { ChatsApi } from '@ym-chats/sdk';
import type { Connection } from './config.js';

export function createApi(connection: Connection): ChatsApi {
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
}
