/**
 * `GET …/chats/:chatId/context`: what the page shows beside a conversation — the order and return behind
 * the chat as the sync store keeps them (read by sync from getBusinessOrders / getReturn; never asked of
 * the platform here), whether the key lacks the scope to read them, and the same buyer's other chats.
 * Checked as the chat routes are: a logged-in agent serving the business, an existing chat.
 */
import type { ChatOrderContext } from '@ym-chats/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../http/respond.js';
import { StoreSource } from '../store/sql-source.js';
import type { ChatView, InboxSource } from '../types.js';
import type { ApiContext } from './context.js';
import { checkBusiness, parseId, signedIn } from './context.js';

export type {
  ChatOrderContext,
  MissingOrderScope,
  MoneySummary,
  OrderSummary,
  ReturnSummary,
} from '@ym-chats/sync';

/** The route's answer. */
export interface ChatContextAnswer extends ChatOrderContext {
  /** The buyer's other chats in this business, newest first (at most `OTHER_CHATS`). */
  otherChats: ChatView[];
}

/** How many of the buyer's other chats the header links to. */
export const OTHER_CHATS = 10;

interface ContextReads {
  orderContext(businessId: number, chatId: number): Promise<ChatOrderContext>;
  customerChats(businessId: number, chatId: number, limit: number): Promise<ChatView[]>;
}

/** The store's reads behind a source that is the sync store; another source has no orders to give. */
function contextReads(source: InboxSource): ContextReads | undefined {
  return source instanceof StoreSource ? source.store.reads : undefined;
}

interface ChatParams {
  businessId: string;
  chatId: string;
}

async function chatContext(
  ctx: ApiContext,
  request: FastifyRequest<{ Params: ChatParams }>,
): Promise<ChatContextAnswer> {
  const { agent } = signedIn(request);
  const businessId = parseId(request.params.businessId, 'businessId');
  const chatId = parseId(request.params.chatId, 'chatId');
  checkBusiness(ctx, agent, businessId);
  const source = ctx.options.source;
  if (!(await source.chat(businessId, chatId))) throw new HttpError(404, 'NOT_FOUND', 'no such chat');
  const reads = contextReads(source);
  if (!reads) {
    throw new HttpError(
      501,
      'NO_ORDER_SOURCE',
      "this inbox's source keeps no orders; serve it over the sync store (openInbox) for the order panel",
    );
  }
  const [context, otherChats] = await Promise.all([
    reads.orderContext(businessId, chatId),
    reads.customerChats(businessId, chatId, OTHER_CHATS),
  ]);
  return { ...context, otherChats };
}

export function orderContextRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get<{ Params: ChatParams }>(
    '/api/businesses/:businessId(^\\d+$)/chats/:chatId(^\\d+$)/context',
    (request) => chatContext(ctx, request),
  );
}
