import type { IncomingMessage, ServerResponse } from 'node:http';
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
import type { Template } from '../team/templates.js';

// What every route shares, apart from the router (`api.ts`) that imports the routes: a route importing
// the router would close an import circle.

/** Everything a route needs, built once by `createInbox`. */
export interface ApiContext {
  options: InboxOptions;
  agents: Map<string, AgentConfig>;
  local: Agent | undefined;
  sessions: SessionStore;
  limiter: LoginLimiter;
  /** Signs the login form's CSRF tokens and device tokens with the database's secret. */
  signer: Signer;
  links: LoginLinks;
  team: TeamStore;
  bus: LiveBus;
  presence: Presence;
  desk: ReplyDesk;
  templates: Template[];
  targetMs: number;
  refreshMs: number;
  /** How often an open event stream re-checks its session. */
  streamCheckMs: number;
  streams: OpenStreams;
  businessHours: BusinessHours | undefined;
  agentOf(login: string | undefined): Agent | undefined;
}

export interface RequestState {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: Session | undefined;
}

/** A request from a logged-in agent. */
export interface AgentRequest extends RequestState {
  session: Session;
  agent: Agent;
}

export type Route = {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Routes that answer without a logged-in agent (the session and login themselves). */
  anonymous?: boolean;
  handle(ctx: ApiContext, state: RequestState, params: string[]): Promise<void>;
};

export function asAgent(state: RequestState): AgentRequest {
  return state as AgentRequest;
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
