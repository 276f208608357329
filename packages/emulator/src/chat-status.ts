/** The one rule for how a message moves a chat's status, for the API's sends and the admin's posts alike. */
import type { ChatRow, ChatStatus, Sender } from './types.js';

/**
 * Status after a message, as the platform moves it: a customer's message hands the turn to the seller, a
 * seller's (text or file) to the customer. MARKET and SUPPORT messages move nothing; disputes (ARBITRAGE)
 * keep whatever status the arbiter set; FINISHED chats stay finished. Undefined means "unchanged".
 */
export function statusAfter(chat: ChatRow, sender: Sender): ChatStatus | undefined {
  if (chat.status === 'FINISHED' || chat.type !== 'CHAT') return undefined;
  if (sender === 'CUSTOMER') return 'WAITING_FOR_PARTNER';
  if (sender === 'PARTNER') return 'WAITING_FOR_CUSTOMER';
  return undefined;
}
