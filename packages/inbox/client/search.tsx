/**
 * The search box's results as the agent types: each change waits ~250 ms for the next keystroke, then asks
 * the server; a response to an older query than the newest one asked is dropped, so a slow answer never
 * replaces a newer one. Enter asks at once. Results stay live: a change to any chat (a live event) asks the
 * shown query again, at most once a second — the server decides what matches (word forms, ids, names), so
 * the page keeps no copy of that rule, and the store has indexed a message before its event is sent.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, api, type SearchHit } from './api.js';
import type { T } from './i18n.js';

export const SEARCH_DELAY_MS = 250;
/** How often live changes may ask a shown search again. */
export const SEARCH_LIVE_MS = 1000;

export interface SearchResults {
  hits: SearchHit[];
  /** Chats found in all (the list shows the first page of them). */
  total: number;
  /** The store stopped counting at its cap: `total` is "at least". */
  capped?: boolean;
}

export function useSearch(delayMs = SEARCH_DELAY_MS) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<SearchResults | null>(null);
  const asked = useRef(0);
  /** The query whose results are shown ('' while none are). */
  const shown = useRef('');
  const liveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  async function run(q: string) {
    const n = ++asked.current;
    if (!q.trim()) {
      shown.current = '';
      setResults(null);
      return;
    }
    let found: SearchResults;
    try {
      const page = await api.search(q);
      found = { hits: page.hits, total: page.total, capped: page.capped === true };
    } catch (e) {
      if (!(e instanceof ApiFailure)) throw e;
      found = { hits: [], total: 0 };
    }
    if (n === asked.current) {
      shown.current = q;
      setResults(found);
    }
  }

  useEffect(() => {
    if (!query.trim()) {
      asked.current++;
      shown.current = '';
      setResults(null);
      return;
    }
    const timer = setTimeout(() => void run(query), delayMs);
    return () => clearTimeout(timer);
  }, [query, delayMs]);

  useEffect(() => () => clearTimeout(liveTimer.current), []);

  /** A chat changed (a live event): the shown results are asked for again, at most once a second. */
  function changed() {
    if (!shown.current || liveTimer.current !== undefined) return;
    liveTimer.current = setTimeout(() => {
      liveTimer.current = undefined;
      if (shown.current) void run(shown.current);
    }, SEARCH_LIVE_MS);
  }

  return { query, setQuery, results, now: () => void run(query), changed };
}

/** How many chats the search found, above the list ("1000+" when the store stopped counting at its cap). */
export function SearchTotal({ t, total, capped = false }: { t: T; total: number; capped?: boolean }) {
  const n = new Intl.NumberFormat(t('locale')).format(total);
  return (
    <p class="search-total" role="status">
      {t('searchTotal', { n: capped ? `${n}+` : total })}
    </p>
  );
}

/** Why a chat was found without a matching message: its id, its order or return, its buyer's name. */
export function SearchReason({ t, hit }: { t: T; hit: SearchHit }) {
  const context = hit.chat.context;
  switch (hit.matchedBy) {
    case 'chat':
      return <span class="preview hit reason">{t('foundByChat', { id: hit.chat.chatId })}</span>;
    case 'order':
      return <span class="preview hit reason">{t('foundByOrder', { id: context.orderId ?? '' })}</span>;
    case 'return':
      return <span class="preview hit reason">{t('foundByReturn', { id: context.returnId ?? '' })}</span>;
    case 'name':
      return <span class="preview hit reason">{t('foundByName', { name: context.customerName ?? '' })}</span>;
    default:
      return null;
  }
}
