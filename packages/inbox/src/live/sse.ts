import type { ServerResponse } from 'node:http';
import type { Agent } from '../auth/agents.js';
import { canSee } from '../auth/agents.js';
import type { LiveBus, LiveEvent } from './bus.js';

export interface EventStreamOptions {
  /**
   * Asked at every keep-alive: false once the stream's session is gone (a logout in any process, expiry),
   * and the stream ends — a page opened before a logout must not keep hearing the business's chats.
   */
  stillValid: () => Promise<boolean>;
  /** Keep-alive and session check interval. */
  checkMs: number;
  onClose: () => void;
}

/** One page's event stream: the bus's events for the agent's businesses, as server-sent events. */
export function openEventStream(
  res: ServerResponse,
  agent: Agent,
  bus: LiveBus,
  options: EventStreamOptions,
): { end(): void } {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    unsubscribe();
    res.end();
  };
  const write = (event: LiveEvent) => {
    if (!open || !canSee(agent, event.businessId)) return;
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
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
  return { end };
}
