import type { FastifyReply } from 'fastify';
import type { Agent } from '../auth/agents.js';
import { canSee } from '../auth/agents.js';
import type { LiveBus, LiveEvent } from './bus.js';
import type { OpenStream } from './open-streams.js';
import type { LiveRows } from './rows.js';

export interface EventStreamOptions {
  /**
   * Asked at every keep-alive: false once the stream's session is gone (a logout in any process, expiry),
   * and the stream ends — a page opened before a logout must not keep hearing the business's chats.
   */
  stillValid: () => Promise<boolean>;
  /** Keep-alive and session check interval. */
  checkMs: number;
  onClose: () => void;
  /** Adds each row event's queue row (read once per event for every stream of the process). */
  rows?: LiveRows;
}

/**
 * One page's event stream: the bus's events for the agent's businesses, as server-sent events. The reply
 * is hijacked: the stream outlives the route's handler and is written to the socket's response directly.
 */
export function openEventStream(
  reply: FastifyReply,
  agent: Agent,
  bus: LiveBus,
  options: EventStreamOptions,
): OpenStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  let open = true;
  const end = (reason?: 'superseded') => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    unsubscribe();
    // A stream closed for a newer one past the caps (open-streams.ts) tells its page not to reconnect:
    // reconnecting would close the next oldest, and the pages would take turns for ever.
    if (reason) res.write(`event: ${reason}\ndata: {}\n\n`);
    res.end();
  };
  // Events go out in the order they came, each after its row is read: a page applies rows in that order,
  // so the last row it gets for a chat is one read after the chat's last change it was told of.
  let sending: Promise<void> = Promise.resolve();
  const write = (event: LiveEvent) => {
    if (!open || !canSee(agent, event.businessId)) return;
    const rows = options.rows;
    if (!rows) {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      return;
    }
    const page = rows.forPage(event);
    sending = sending
      .then(async () => {
        const sent = await page;
        if (open) res.write(`event: ${sent.type}\ndata: ${JSON.stringify(sent)}\n\n`);
      })
      // A write that fails (the socket went) must not reject the chain: the next events still go, and
      // nothing is left unhandled to stop the process.
      .catch(() => undefined);
  };
  const unsubscribe = bus.subscribe(write);
  const heartbeat = setInterval(() => {
    options.stillValid().then(
      (valid) => (valid ? open && res.write(': ping\n\n') : end()),
      () => open && res.write(': ping\n\n'),
    );
  }, options.checkMs);
  heartbeat.unref();
  res.on('close', () => {
    open = false;
    clearInterval(heartbeat);
    unsubscribe();
    options.onClose();
  });
  return { end, req: reply.request.raw };
}
