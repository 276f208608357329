import type { ServerResponse } from 'node:http';
import type { Agent } from '../auth/agents.js';
import { canSee } from '../auth/agents.js';
import type { LiveBus, LiveEvent } from './bus.js';

const HEARTBEAT_MS = 20_000;

/** One page's event stream: the bus's events for the agent's businesses, as server-sent events. */
export function openEventStream(res: ServerResponse, agent: Agent, bus: LiveBus, onClose: () => void): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const write = (event: LiveEvent) => {
    if (!canSee(agent, event.businessId)) return;
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };
  const unsubscribe = bus.subscribe(write);
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  res.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    onClose();
  });
}
