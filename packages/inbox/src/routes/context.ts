import type { FastifyRequest } from 'fastify';
import type { AgentDirectory } from '../auth/agent-directory.js';
import { type Agent, type AgentConfig, canSee } from '../auth/agents.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { LoginLinks } from '../auth/login-links.js';
import type { Session, SessionStore } from '../auth/sessions.js';
import type { Signer } from '../auth/signing.js';
import { notServedReply } from '../http/not-served.js';
import { HttpError } from '../http/respond.js';
import type { LiveBus } from '../live/bus.js';
import type { OpenStreams } from '../live/open-streams.js';
import type { InboxOptions } from '../options.js';
import type { ReplyDesk } from '../reply/desk.js';
import type { BusinessHours } from '../shared/business-hours.js';
import type { Presence } from '../team/presence.js';
import type { TeamStore } from '../team/team-store.js';
import type { TemplateStore } from '../team/templates.js';

// What every route shares, apart from the API plugin (`api.ts`) that registers the routes: a route
// importing it would close an import circle.

declare module 'fastify' {
  interface FastifyRequest {
    /** The session of the request's cookie, if it stands (set by the API's `onRequest` hook). */
    session: Session | undefined;
    /** The logged-in agent (set by the same hook; every route but the `anonymous` ones has one). */
    agent: Agent | undefined;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a logged-in agent (the session and login themselves). */
    anonymous?: boolean;
    /**
     * The error code and message a body field failing the route's JSON schema is answered with (by the
     * field's name); a field not named here answers BAD_REQUEST with the validator's message.
     */
    invalid?: Record<string, readonly [code: string, message: string]>;
  }
}

/** Everything a route needs, built once by `createInbox`. */
export interface ApiContext {
  options: InboxOptions;
  /** The agents as this process last read them (`AgentDirectory.current()`). */
  readonly agents: ReadonlyMap<string, AgentConfig>;
  /** The loopback user, while the inbox is on loopback and has no agents. */
  readonly local: Agent | undefined;
  directory: AgentDirectory;
  sessions: SessionStore;
  limiter: LoginLimiter;
  /** Signs the login form's CSRF tokens and device tokens with the database's secret. */
  signer: Signer;
  links: LoginLinks;
  team: TeamStore;
  bus: LiveBus;
  presence: Presence;
  desk: ReplyDesk;
  templates: TemplateStore;
  targetMs: number;
  refreshMs: number;
  /** How often an open event stream re-checks its session. */
  streamCheckMs: number;
  streams: OpenStreams;
  businessHours: BusinessHours | undefined;
  agentOf(login: string | undefined): Agent | undefined;
  /** `agentOf`, asking the store when this process does not know the login yet (an agent just added). */
  resolveAgent(login: string | undefined): Promise<Agent | undefined>;
}

/** The agent and session of a route that is not `anonymous` (the API's hook refused the request without). */
export function signedIn(request: FastifyRequest): { agent: Agent; session: Session } {
  const { agent, session } = request;
  if (!agent || !session) throw new HttpError(401, 'UNAUTHENTICATED', 'log in first');
  return { agent, session };
}

/** A positive decimal id from the path or query, within the safe integer range. */
export function parseId(text: string | null | undefined, name: string): number {
  if (text == null || !/^[1-9]\d{0,15}$/.test(text))
    throw new HttpError(400, 'BAD_ID', `${name} is not an id`);
  const id = Number(text);
  if (!Number.isSafeInteger(id)) throw new HttpError(400, 'BAD_ID', `${name} is out of range`);
  return id;
}

/** 403 when the agent does not serve this business (another seller's chats stay invisible). */
export function checkBusiness(ctx: ApiContext, agent: Agent, businessId: number): void {
  if (canSee(agent, businessId)) return;
  // A business of theirs that the inbox no longer serves (removed while it runs) is named as such; anyone
  // else learns nothing about another seller's business.
  const theirs =
    agent === ctx.local || ctx.agents.get(agent.login)?.businessIds.includes(businessId) === true;
  if (theirs) {
    throw notServedReply(businessId);
  }
  throw new HttpError(403, 'FORBIDDEN', 'this business is not yours');
}

/** A query parameter as the page sends it: one string (a repeated name counts by its first value). */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}
