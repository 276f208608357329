import type { ComponentChildren } from 'preact';
import { type BusinessHours, waitMs } from '../src/shared/business-hours.js';
import { formatWait, urgency } from '../src/shared/urgency.js';
import type { ChatView, QueueCounts, SearchHit } from './api.js';
import { Highlighted } from './highlight.js';
import { label, type T } from './i18n.js';
import { SearchReason, SearchTotal } from './search.js';
import { isUnread, type Seen } from './unread.js';

export interface Filters {
  status: string;
  type: string;
  context: string;
  assignee: string;
}

export const NO_FILTERS: Filters = { status: '', type: '', context: '', assignee: '' };

export function filterParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.type) params.set('type', filters.type);
  if (filters.context) params.set('context', filters.context);
  if (filters.assignee === '-') params.set('unassigned', '1');
  else if (filters.assignee) params.set('assignee', filters.assignee);
  return params;
}

const STATUSES = [
  'WAITING_FOR_PARTNER',
  'NEW',
  'WAITING_FOR_CUSTOMER',
  'WAITING_FOR_ARBITER',
  'WAITING_FOR_MARKET',
  'FINISHED',
];

interface FilterBarProps {
  t: T;
  filters: Filters;
  agents: Array<{ login: string; name: string }>;
  /** The agent's login ("Mine" counts their chats). */
  me: string;
  /** Chats per value (the server's counts); null until read. */
  counts: QueueCounts | null;
  onChange: (filters: Filters) => void;
}

/** A value with its count, when counts are known: "Ждёт ответа (12)". */
const counted = (text: string, n: number | undefined, counts: QueueCounts | null) =>
  counts ? `${text} (${n ?? 0})` : text;

/**
 * One select per filter; the first option of each is "All" (clears that filter), each value shows how many
 * chats it has in the agent's businesses — each count regardless of the other filters.
 */
export function FilterBar({ t, filters, agents, me, counts, onChange }: FilterBarProps) {
  const select = (key: keyof Filters, name: string, options: Array<[string, string, number | undefined]>) => (
    <select
      aria-label={name}
      value={filters[key]}
      onChange={(e) => onChange({ ...filters, [key]: (e.currentTarget as HTMLSelectElement).value })}
    >
      <option value="">{counted(t('filterAll', { name }), counts?.total, counts)}</option>
      {options.map(([value, text, n]) => (
        <option key={value} value={value}>
          {counted(text, n, counts)}
        </option>
      ))}
    </select>
  );
  return (
    <div class="filters">
      {select(
        'status',
        t('status'),
        STATUSES.map((s) => [s, label(t, 'status', s), counts?.statuses[s]]),
      )}
      {select(
        'type',
        t('type'),
        ['CHAT', 'ARBITRAGE'].map((s) => [s, label(t, 'type', s), counts?.types[s]]),
      )}
      {select(
        'context',
        t('context'),
        ['ORDER', 'RETURN', 'DIRECT'].map((s) => [s, label(t, 'context', s), counts?.contexts[s]]),
      )}
      {select('assignee', t('assignee'), [
        ['me', t('me'), counts?.assignees[me]],
        ['-', t('unassigned'), counts?.unassigned],
        ...agents.map((a): [string, string, number | undefined] => [
          a.login,
          a.name,
          counts?.assignees[a.login],
        ]),
      ])}
    </div>
  );
}

export function contextText(t: T, chat: ChatView): string {
  const c = chat.context;
  const id =
    c.type === 'RETURN' ? (c.returnId ?? c.id) : c.type === 'ORDER' ? (c.orderId ?? c.id) : undefined;
  return id === undefined ? label(t, 'context', c.type) : `${label(t, 'context', c.type)} ${id}`;
}

interface ChatItemProps {
  t: T;
  chat: ChatView;
  now: number;
  targetMs: number;
  hours: BusinessHours | undefined;
  selected: boolean;
  unread: boolean;
  onOpen: () => void;
  children?: ComponentChildren;
}

function ChatItem({ t, chat, now, targetMs, hours, selected, unread, onOpen, children }: ChatItemProps) {
  const waited = chat.waitingSince ? waitMs(Date.parse(chat.waitingSince), now, hours) : undefined;
  const level = waited === undefined ? undefined : urgency(waited, targetMs);
  return (
    <li
      class={`chat-item${selected ? ' selected' : ''}${unread ? ' unread' : ''}`}
      data-chat-id={chat.chatId}
    >
      <a
        href={`/chats/${chat.businessId}/${chat.chatId}`}
        aria-current={selected ? 'true' : undefined}
        onClick={(e) => {
          e.preventDefault();
          onOpen();
        }}
      >
        <span class="line">
          {unread ? (
            <span class="unread-dot" title={t('unread')}>
              <span class="sr-only">{t('unread')}</span>
            </span>
          ) : null}
          <span class="ctx">{contextText(t, chat)}</span>
          {chat.type === 'ARBITRAGE' ? <span class="badge dispute">{t('dispute')}</span> : null}
          {waited !== undefined && level ? (
            <span class={`wait ${level}`} title={t('waiting')}>
              {level === 'late' ? '⚠ ' : ''}
              {formatWait(waited, { s: t('s'), min: t('min'), h: t('h'), d: t('d') })}
            </span>
          ) : (
            <span class="status">{label(t, 'status', chat.status)}</span>
          )}
        </span>
        <span class="line sub">
          <span class="who">
            <bdi>{chat.context.customerName ?? t('customer')}</bdi>
          </span>
          {chat.assignee ? <span class="assignee">@{chat.assignee}</span> : null}
        </span>
        {children ??
          (chat.lastMessage ? (
            <span class="preview">
              <bdi>{chat.lastMessage.text}</bdi>
            </span>
          ) : null)}
      </a>
    </li>
  );
}

interface QueueListProps {
  t: T;
  chats: ChatView[];
  hits: SearchHit[] | null;
  /** Chats the search found in all (the hits are the first of them). */
  total?: number | undefined;
  /** The store stopped counting at its cap: the total is "at least". */
  capped?: boolean | undefined;
  now: number;
  targetMs: number;
  hours: BusinessHours | undefined;
  /** What this agent has seen of each chat (unread marks). */
  seen: Seen;
  open: { businessId: number; chatId: number } | null;
  onOpen: (chat: ChatView, messageId?: number) => void;
  onMore?: (() => void) | undefined;
}

export function QueueList({
  t,
  chats,
  hits,
  total,
  capped,
  now,
  targetMs,
  hours,
  seen,
  open,
  onOpen,
  onMore,
}: QueueListProps) {
  const isOpen = (chat: ChatView) => open?.businessId === chat.businessId && open.chatId === chat.chatId;
  if (hits) {
    return (
      <>
        <SearchTotal t={t} total={total ?? hits.length} capped={capped === true} />
        <ul class="chat-list" aria-label={t('chats')}>
          {hits.length === 0 ? <li class="empty">{t('noHits')}</li> : null}
          {hits.map((hit) => (
            <ChatItem
              key={`${hit.chat.businessId}:${hit.chat.chatId}`}
              t={t}
              chat={hit.chat}
              now={now}
              targetMs={targetMs}
              hours={hours}
              selected={isOpen(hit.chat)}
              unread={isUnread(hit.chat, seen)}
              onOpen={() => onOpen(hit.chat, hit.matchedBy ? undefined : hit.messageId)}
            >
              {hit.matchedBy ? (
                <SearchReason t={t} hit={hit} />
              ) : (
                <span class="preview hit">
                  <Highlighted text={hit.text} ranges={hit.ranges} />
                </span>
              )}
              {hit.count > 1 ? <span class="hit-count">{t('hitCount', { n: hit.count })}</span> : null}
            </ChatItem>
          ))}
        </ul>
      </>
    );
  }
  return (
    <ul class="chat-list" aria-label={t('chats')}>
      {chats.length === 0 ? <li class="empty">{t('noChats')}</li> : null}
      {chats.map((chat) => (
        <ChatItem
          key={`${chat.businessId}:${chat.chatId}`}
          t={t}
          chat={chat}
          now={now}
          targetMs={targetMs}
          hours={hours}
          selected={isOpen(chat)}
          unread={isUnread(chat, seen)}
          onOpen={() => onOpen(chat)}
        />
      ))}
      {onMore ? (
        <li class="more">
          <button type="button" onClick={onMore}>
            {t('more')}
          </button>
        </li>
      ) : null}
    </ul>
  );
}
