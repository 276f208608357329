/**
 * How a send's answer goes to the page, for typed replies and assistant drafts alike: a question from the
 * desk is a 409 the page answers (nothing was sent); everything else is the send's state.
 */
import type { FastifyReply } from 'fastify';
import type { DeskAnswer } from '../reply/desk.js';

type Conflict = Extract<DeskAnswer, { state: 'conflict' }>;

const CONFLICT_MESSAGES: Record<Conflict['code'], string> = {
  REPLIED_MEANWHILE: 'someone replied in this chat after what the page showed; nothing was sent',
  CHAT_MOVED_ON: 'more messages arrived than one check reads; read them first; nothing was sent',
  ASSIGNED: 'this chat is assigned to a colleague; nothing was sent',
  BUSY: 'another reply to this chat is being sent; nothing was sent',
};

export function answerSend<T extends { state: string }>(
  reply: FastifyReply,
  result: T | Conflict,
): FastifyReply {
  if (result.state !== 'conflict') return reply.send(result);
  const { state: _conflict, code, ...details } = result as Conflict;
  return reply.code(409).send({ error: { code, message: CONFLICT_MESSAGES[code] }, ...details });
}
