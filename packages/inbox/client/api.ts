/** The page's side of the JSON API: every write carries the CSRF token; errors become `ApiFailure`. */
import type { Agent } from '../src/auth/agents.js';
import type { LiveEvent, Viewer } from '../src/live/bus.js';
import type { PageEvent } from '../src/live/rows.js';
import type { DeskAnswer } from '../src/reply/desk.js';
import type { BusinessHours } from '../src/shared/business-hours.js';
import type { AuditEntry } from '../src/team/team-store.js';
import type { Template } from '../src/team/templates.js';
import type { ChatView, MessageView, QueueCountsView, SearchHit } from '../src/types.js';

export type { Agent, AuditEntry, ChatView, LiveEvent, MessageView, PageEvent, SearchHit, Template, Viewer };

/** The filter bar's counts (`GET /api/queue/counts`). */
export interface QueueCounts extends QueueCountsView {
  assignees: Record<string, number>;
  unassigned: number;
}

/** A send's state as the server answers it (a conflict comes as a 409 `ApiFailure` instead). */
export type SendAnswer = Exclude<DeskAnswer, { state: 'conflict' }>;

/** An assistant's draft waiting for a person, and what deciding on it answers. */
export interface AssistantDraftView {
  draftId: string;
  businessId: number;
  chatId: number;
  text: string;
  createdAt: string;
  chat?: ChatView;
}
export type DraftDecision = SendAnswer | { state: 'waiting' } | { state: 'discarded'; by?: string };

export interface SessionInfo {
  csrf: string;
  loginRequired: boolean;
  agent: Agent | null;
  firstReplyTargetMs: number;
  refreshMs: number;
  businessHours: BusinessHours | null;
  agents: Array<{ login: string; name: string }>;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** Why the server could not fetch an attachment: its error code (the page words it) and its English text. */
export interface FileProblem {
  code: string | undefined;
  message: string;
}

let csrf = '';
export function setCsrf(token: string): void {
  csrf = token;
}

export async function call<T>(
  method: string,
  path: string,
  body?: BodyInit,
  headers: Record<string, string> = {},
): Promise<T> {
  const init: RequestInit = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (method !== 'GET') (init.headers as Record<string, string>)['X-CSRF-Token'] = csrf;
  if (body !== undefined) init.body = body;
  const response = await fetch(path, init);
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = (json.error ?? {}) as { code?: string; message?: string };
    const retry = Number(response.headers.get('Retry-After')) || undefined;
    throw new ApiFailure(
      response.status,
      error.code ?? 'HTTP',
      error.message ?? response.statusText,
      json,
      retry,
    );
  }
  return json as T;
}

const post = <T>(path: string, body: unknown) =>
  call<T>('POST', path, JSON.stringify(body), { 'Content-Type': 'application/json' });

const chatPath = (chat: { businessId: number; chatId: number }) =>
  `/api/businesses/${chat.businessId}/chats/${chat.chatId}`;

export const api = {
  session: () => call<SessionInfo>('GET', '/api/session'),
  login: (login: string, password: string) => post<SessionInfo>('/api/login', { login, password }),
  /** A one-time link's token (`ym-chats agents link`), posted by the page rather than followed as a GET. */
  loginLink: (token: string) => post<SessionInfo>('/api/login/link', { token }),
  logout: () => post<{ ok: true }>('/api/logout', {}),
  queue: (params: URLSearchParams) =>
    call<{ chats: ChatView[]; next: string | null; serverTime: string }>('GET', `/api/queue?${params}`),
  queueCounts: () => call<QueueCounts>('GET', '/api/queue/counts'),
  /** Each matching chat once (its best hit and count), and how many chats match in all. */
  search: (q: string) =>
    call<{ hits: SearchHit[]; total: number; capped?: true }>(
      'GET',
      `/api/search?q=${encodeURIComponent(q)}`,
    ),
  chat: (chat: { businessId: number; chatId: number }) =>
    call<{ chat: ChatView; viewers: Viewer[]; audit: AuditEntry[]; lastAuditId: number }>(
      'GET',
      chatPath(chat),
    ),
  messages: (chat: { businessId: number; chatId: number }, before?: number) =>
    call<{ messages: MessageView[] }>(
      'GET',
      `${chatPath(chat)}/messages?limit=1000${before ? `&before=${before}` : ''}`,
    ),
  sendText: (chat: { businessId: number; chatId: number }, body: Record<string, unknown>) =>
    post<SendAnswer>(`${chatPath(chat)}/messages`, { ...body, page: PAGE_ID }),
  sendFile: (chat: { businessId: number; chatId: number }, file: File, fields: Record<string, string>) =>
    call<SendAnswer>('POST', `${chatPath(chat)}/files`, file, {
      'Content-Type': 'application/octet-stream',
      'X-File-Name': encodeURIComponent(file.name),
      'X-Page-Id': PAGE_ID,
      ...fields,
    }),
  sendStatus: (chat: { businessId: number; chatId: number }, clientId: string) =>
    call<SendAnswer>('GET', `${chatPath(chat)}/sends/${clientId}`),
  assistantDrafts: (chat?: { businessId: number; chatId: number }) =>
    call<{ drafts: AssistantDraftView[] }>(
      'GET',
      `/api/assistant-drafts${chat ? `?business=${chat.businessId}&chat=${chat.chatId}` : ''}`,
    ),
  sendAssistantDraft: (draftId: string, body: { seenMessageId?: number; acceptAssignee?: string }) =>
    post<DraftDecision>(`/api/assistant-drafts/${draftId}/send`, { ...body, page: PAGE_ID }),
  discardAssistantDraft: (draftId: string) =>
    post<DraftDecision>(`/api/assistant-drafts/${draftId}/discard`, {}),
  assistantDraftStatus: (draftId: string) => call<DraftDecision>('GET', `/api/assistant-drafts/${draftId}`),
  assign: (chat: { businessId: number; chatId: number }, login: string | null) =>
    post<{ assignee: string | null }>(`${chatPath(chat)}/assign`, { login }),
  presence: (chat: { businessId: number; chatId: number }, page: string, typing: boolean) =>
    post<{ viewers: Viewer[] }>(`${chatPath(chat)}/presence`, { page, typing }),
  leave: (page: string) => post<{ ok: true }>('/api/presence/leave', { page }),
  fileUrl: (chat: { businessId: number; chatId: number }, url: string) =>
    `${chatPath(chat)}/file?url=${encodeURIComponent(url)}`,
  /** An attachment's bytes through the proxy, or the server's reason it could not be fetched. */
  file: async (href: string): Promise<{ blob: Blob } | { problem: FileProblem }> => {
    const response = await fetch(href, { credentials: 'same-origin' });
    if (response.ok) return { blob: await response.blob() };
    const json = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    return { problem: { code: json.error?.code, message: json.error?.message ?? `HTTP ${response.status}` } };
  },
};

export const PAGE_ID = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) =>
  b.toString(16).padStart(2, '0'),
).join('');

export function newClientId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

/**
 * Server-sent events; the browser reconnects by itself after a drop (a restarted or replaced `serve`
 * process, a proxy's timeout). Whatever happened meanwhile was told to nobody, so a reconnection counts
 * as a resync: the page re-reads its queue and open chat.
 */
export function listen(onEvent: (event: PageEvent) => void): () => void {
  const source = new EventSource(`/api/events?page=${PAGE_ID}`);
  for (const type of ['chat', 'presence', 'assigned', 'sent', 'resync'] as const) {
    source.addEventListener(type, (e) => onEvent(JSON.parse((e as MessageEvent<string>).data) as PageEvent));
  }
  // Closed for newer streams of this session or address (the server's caps): reconnecting would close
  // another page's stream in turn. The page still refreshes on its timer.
  source.addEventListener('superseded', () => source.close());
  let dropped = false;
  source.addEventListener('error', () => {
    dropped = true;
  });
  source.addEventListener('open', () => {
    if (!dropped) return;
    dropped = false;
    onEvent({ type: 'resync', businessId: 0 });
  });
  return () => source.close();
}

export type {
  ChatContextAnswer,
  MoneySummary,
  OrderSummary,
  ReturnSummary,
} from '../src/routes/order-context.js';

/** The order and return behind a chat, as the store keeps them, and the buyer's other chats. */
export const chatContext = (chat: { businessId: number; chatId: number }) =>
  call<import('../src/routes/order-context.js').ChatContextAnswer>(
    'GET',
    `/api/businesses/${chat.businessId}/chats/${chat.chatId}/context`,
  );
