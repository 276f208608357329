import { ChatsApiError } from '@ym-chats/sdk';

/** Awaits a call that must fail with an SDK error and returns that error. */
export async function failure(promise: Promise<unknown>): Promise<ChatsApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ChatsApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
