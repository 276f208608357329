/** Every operation's handler, by operation id: the chat methods and the order and return reads. */
import { CHAT_HANDLERS, type Handler } from './chat-api.js';
import { getBusinessOrders, getReturn } from './order-api.js';
import type { OperationId } from './types.js';

export const HANDLERS: Record<OperationId, Handler> = { ...CHAT_HANDLERS, getBusinessOrders, getReturn };
