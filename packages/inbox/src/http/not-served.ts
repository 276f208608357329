import { HttpError } from './respond.js';

/**
 * The business is not (or no longer) served by this inbox. Thrown where that is learnt late — a file
 * fetcher whose `credentialFor` finds no credential because the business was removed before the inbox's
 * list of served ids caught up — so the answer is the one every route gives for it, not a 500.
 */
export class NotServedError extends Error {
  override name = 'NotServedError';
  constructor(readonly businessId: number) {
    super(`business ${businessId} is not served by this inbox (any more): it was removed, or never added`);
  }
}

/** 403 NOT_SERVED: what every route answers for a business of the agent's that this inbox does not serve. */
export function notServedReply(businessId: number): HttpError {
  return new HttpError(403, 'NOT_SERVED', new NotServedError(businessId).message);
}
