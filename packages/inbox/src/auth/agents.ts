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
  /** The businesses this agent sees now: its own among those the inbox serves at this moment. */
  readonly businessIds: number[];
}

/**
 * The businesses an inbox serves: a fixed list, or one its owner keeps up to date while the inbox runs
 * (`serve --registered` follows the registry), read at every use.
 */
export type ServedBusinesses = number[] | (() => readonly number[]);

export function servedNow(served: ServedBusinesses): readonly number[] {
  return typeof served === 'function' ? served() : served;
}

export const LOCAL_LOGIN = 'local';

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/**
 * The loopback user: on a loopback bind, the seller at their own machine, who sees every business the
 * inbox serves — read at each use, so a business added or removed while the inbox runs shows or goes, also
 * on an event stream already open. It exists only while the inbox has no agents (agent-access.ts).
 */
export function localAgent(host: string, served: ServedBusinesses): Agent | undefined {
  if (!isLoopback(host)) return undefined;
  return {
    login: LOCAL_LOGIN,
    name: LOCAL_LOGIN,
    get businessIds() {
      return [...servedNow(served)];
    },
  };
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

/** A configured agent sees its businesses while the inbox serves them (a removed business is nobody's). */
export function toAgent(config: AgentConfig, served: ServedBusinesses): Agent {
  return {
    login: config.login,
    name: config.name ?? config.login,
    get businessIds() {
      const now = servedNow(served);
      return config.businessIds.filter((b) => now.includes(b));
    },
  };
}

export function canSee(agent: Agent, businessId: number): boolean {
  return agent.businessIds.includes(businessId);
}
