import type { IncomingMessage } from 'node:http';

/** An agent as configured by the operator: a login, a password hash, and the businesses it may see. */
export interface AgentConfig {
  login: string;
  /** From `hashPassword` (scrypt). Plain passwords are never stored. */
  passwordHash: string;
  /** Display name; defaults to the login. */
  name?: string;
  businessIds: number[];
}

/** Who is making a request, as every route sees it. */
export interface Agent {
  login: string;
  name: string;
  businessIds: number[];
}

export const LOCAL_LOGIN = 'local';

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/**
 * Login is mandatory unless the server is bound to loopback and has no agents: then a single local user
 * (the seller at their own machine) sees every business the inbox serves.
 */
export function localAgent(host: string, agents: AgentConfig[], businessIds: number[]): Agent | undefined {
  if (agents.length > 0 || !isLoopback(host)) return undefined;
  return { login: LOCAL_LOGIN, name: LOCAL_LOGIN, businessIds: [...businessIds] };
}

/**
 * The local user is the person at this machine's browser, so only a request that came straight to the
 * loopback address counts: one naming a loopback host, carrying no proxy's forwarding headers. A reverse
 * proxy on the same machine (how `serve` meets the internet) or a DNS-rebound page gets a login screen.
 */
export function isDirectLocal(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['x-forwarded-for'] || h['x-forwarded-host'] || h.forwarded || h.via || h['x-real-ip']) return false;
  const host = (h.host ?? '').toLowerCase().replace(/:\d+$/, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

export function toAgent(config: AgentConfig): Agent {
  return { login: config.login, name: config.name ?? config.login, businessIds: [...config.businessIds] };
}

export function canSee(agent: Agent, businessId: number): boolean {
  return agent.businessIds.includes(businessId);
}
