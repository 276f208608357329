import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  api,
  type ChatView,
  listen,
  PAGE_ID,
  type QueueCounts,
  type SessionInfo,
  setCsrf,
  type Viewer,
} from './api.js';
import { DraftsBadge } from './assistant-drafts.js';
import { newBuyerMessages, notify, setTitle } from './attention.js';
import { ChatPane } from './chat.js';
import { initialLang, type Lang, saveLang, translator } from './i18n.js';
import { Login } from './login.js';
import { NotifyButton } from './notify-button.js';
import { FilterBar, type Filters, filterParams, NO_FILTERS, QueueList } from './queue.js';
import { appendPage, placeRow, shows } from './queue-rows.js';
import { ReportsButton } from './reports-button.js';
import { useSearch } from './search.js';
import { Shortcuts, useShortcuts } from './shortcuts.js';
import { SkipLink } from './skip-link.js';
import { chime } from './sound.js';
import { SoundButton } from './sound-button.js';
import { TemplatesButton } from './templates-dialog.js';
import { loadSeen, markSeen, onSeenElsewhere, type Seen } from './unread.js';

type ChatKey = { businessId: number; chatId: number };

function keyFromPath(): ChatKey | null {
  const m = /^\/chats\/(\d+)\/(\d+)$/.exec(location.pathname);
  return m ? { businessId: Number(m[1]), chatId: Number(m[2]) } : null;
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const t = useMemo(() => translator(lang), [lang]);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);

  // Kept, and the document's lang set, in the render's own task (a layout effect): a plain effect waits for
  // the next frame, and a reload or a link followed right after the switch found the old language saved.
  useLayoutEffect(() => saveLang(lang), [lang]);
  useEffect(() => {
    api
      .session()
      .then((s) => {
        setCsrf(s.csrf);
        setSession(s);
      })
      .catch((e: unknown) => setFatal(e instanceof Error ? e.message : String(e)));
  }, []);

  const toggle = (
    <button type="button" class="lang" onClick={() => setLang(lang === 'ru' ? 'en' : 'ru')}>
      {t('language')}
    </button>
  );
  if (fatal)
    return (
      <div class="fatal" role="alert">
        {fatal}
      </div>
    );
  if (!session) return <main class="loading">…</main>;
  if (!session.agent) {
    return (
      <Login
        t={t}
        toggle={toggle}
        onLogin={(s) => {
          setCsrf(s.csrf);
          setSession(s);
        }}
      />
    );
  }
  return <Inbox t={t} session={session} toggle={toggle} onLogout={() => location.reload()} />;
}

interface InboxProps {
  t: ReturnType<typeof translator>;
  session: SessionInfo;
  toggle: JSX.Element;
  onLogout: () => void;
}

function Inbox({ t, session, toggle, onLogout }: InboxProps) {
  const agent = session.agent!;
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [chats, setChats] = useState<ChatView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  const [offset, setOffset] = useState(0);
  const [now, setNow] = useState(Date.now());
  const search = useSearch();
  const hits = search.results?.hits ?? null;
  const [open, setOpen] = useState<ChatKey | null>(keyFromPath);
  const [focusMessage, setFocusMessage] = useState<number | undefined>(undefined);
  const [versions, setVersions] = useState<Record<string, number>>({});
  const [resyncs, setResyncs] = useState(0);
  const [viewers, setViewers] = useState<Record<string, Viewer[]>>({});
  const [help, setHelp] = useState(false);
  const typing = useRef(false);
  const commands = useRef<{ focus?: () => void; send?: () => void; templates?: () => void }>({});
  const searchBox = useRef<HTMLInputElement>(null);
  const reloadTimer = useRef<number | undefined>(undefined);
  const [seen, setSeen] = useState<Seen>(() => loadSeen(agent.login));
  const [visible, setVisible] = useState(document.visibilityState === 'visible');
  const newBuyers = useRef(newBuyerMessages());
  // What the live handler needs now, not as of the render it was made in.
  const more = useRef(false);
  more.current = next !== null;
  /** The latest queue read in flight, and the rows live events placed while it was on its way. */
  const loading = useRef<{ id: number; rows: Map<string, ChatView | null> } | null>(null);
  const loads = useRef(0);
  const countsTimer = useRef<number | undefined>(undefined);

  function announce(chats: ChatView[]) {
    const arrived = newBuyers.current(chats);
    if (arrived.length > 0) chime(agent.login);
    for (const chat of arrived) {
      notify(agent.login, chat, t('newMessage', { who: chat.context.customerName ?? t('customer') }), () =>
        openChat(chat),
      );
    }
  }

  async function loadQueue() {
    const id = ++loads.current;
    const pending = new Map<string, ChatView | null>();
    loading.current = { id, rows: pending };
    const page = await api.queue(filterParams(filters)).finally(() => {
      if (loading.current?.id === id) loading.current = null;
    });
    // A newer read (a filter change) answers for the page; this one is stale.
    if (id !== loads.current) return;
    // Rows that came while this read was on its way may be newer than what it read: they go on top.
    let list = page.chats;
    for (const [key, row] of pending) list = placeAt(list, key, row, page.next !== null);
    setChats(list);
    setNext(page.next);
    setOffset(Date.parse(page.serverTime) - Date.now());
    announce(page.chats);
  }

  function placeAt(list: ChatView[], key: string, row: ChatView | null, hasMore: boolean): ChatView[] {
    const [businessId, chatId] = key.split(':').map(Number) as [number, number];
    return placeRow(list, { businessId, chatId }, row, { filters, me: agent.login, more: hasMore });
  }

  /** A live event's row, put in its place in the loaded queue (queue-rows.ts has the rule). */
  function placeLive(key: string, row: ChatView | null) {
    loading.current?.rows.set(key, row);
    setChats((list) => placeAt(list, key, row, more.current));
    if (row && shows(row, filters, agent.login)) announce([row]);
  }

  /** The counts follow live events, read at most once a second. */
  function countsSoon(delayMs = 1000) {
    if (countsTimer.current !== undefined) return;
    countsTimer.current = window.setTimeout(() => {
      countsTimer.current = undefined;
      api.queueCounts().then(setCounts, () => undefined);
    }, delayMs);
  }

  async function loadMore() {
    if (!next) return;
    const params = filterParams(filters);
    params.set('after', next);
    const page = await api.queue(params);
    setChats((list) => appendPage(list, page.chats));
    setNext(page.next);
  }

  useEffect(() => {
    void loadQueue();
  }, [filters]);

  useEffect(() => {
    countsSoon(0);
    return () => window.clearTimeout(countsTimer.current);
  }, []);

  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  // A safety net under the live events (a process without a relay, a notice lost on the way).
  useEffect(() => {
    const timer = window.setInterval(() => {
      void loadQueue();
      countsSoon(0);
      if (open) {
        const key = `${open.businessId}:${open.chatId}`;
        setVersions((v) => ({ ...v, [key]: (v[key] ?? 0) + 1 }));
      }
    }, session.refreshMs);
    return () => window.clearInterval(timer);
  }, [filters, open?.businessId, open?.chatId]);

  // Live updates: the event's row moves in place and the open chat is bumped; only an event without a row
  // (a resync, a row the server could not read) re-reads the queue.
  useEffect(
    () =>
      listen((event) => {
        if (event.type === 'resync') {
          // Notices may have been missed: whatever chat is open is read again, with the queue.
          setResyncs((n) => n + 1);
          void loadQueue();
          countsSoon(0);
          search.changed();
          return;
        }
        const key = `${event.businessId}:${event.chatId}`;
        if (event.type === 'presence') {
          setViewers((v) => ({ ...v, [key]: event.viewers }));
          return;
        }
        setVersions((v) => ({ ...v, [key]: (v[key] ?? 0) + 1 }));
        countsSoon();
        search.changed();
        if ('row' in event && event.row !== undefined) {
          placeLive(key, event.row);
          return;
        }
        window.clearTimeout(reloadTimer.current);
        reloadTimer.current = window.setTimeout(() => void loadQueue(), 300);
      }),
    [filters],
  );

  // Presence: tell the server which chat this page shows (and refresh before the entry expires).
  useEffect(() => {
    if (!open) {
      void api.leave(PAGE_ID).catch(() => undefined);
      return;
    }
    const beat = () => void api.presence(open, PAGE_ID, typing.current).catch(() => undefined);
    beat();
    const timer = window.setInterval(beat, 10_000);
    return () => window.clearInterval(timer);
  }, [open?.businessId, open?.chatId]);

  // The tab title counts every chat waiting for a reply in the agent's businesses, whatever is filtered or
  // loaded: the server's count, which follows live events as the filter bar's do. Until it is read (or on
  // a source without counts) the loaded page's waiting chats stand in.
  const waitingCount = counts ? counts.waiting : chats.filter((c) => c.waitingSince).length;
  useEffect(() => setTitle(waitingCount), [waitingCount]);
  useEffect(() => () => setTitle(0), []);

  useEffect(() => {
    const onVisibility = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVisibility);
    const stop = onSeenElsewhere(agent.login, setSeen);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      stop();
    };
  }, []);

  // The open chat, in front of the agent, is read up to its newest message (not while the tab is hidden).
  useEffect(() => {
    if (!open || !visible) return;
    const shown = [...chats, ...(hits ?? []).map((h) => h.chat)].find(
      (c) => c.businessId === open.businessId && c.chatId === open.chatId,
    );
    if (shown?.lastMessage)
      setSeen((s) => markSeen(agent.login, s, open, Date.parse(shown.lastMessage!.createdAt)));
  }, [open?.businessId, open?.chatId, chats, hits, visible]);

  useEffect(() => {
    const onPop = () => setOpen(keyFromPath());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  function openChat(chat: ChatKey, messageId?: number) {
    setFocusMessage(messageId);
    setOpen({ businessId: chat.businessId, chatId: chat.chatId });
    history.pushState(null, '', `/chats/${chat.businessId}/${chat.chatId}`);
  }

  function closeChat() {
    setOpen(null);
    history.pushState(null, '', '/');
  }

  const list = hits ? hits.map((h) => h.chat) : chats;
  const index = open
    ? list.findIndex((c) => c.businessId === open.businessId && c.chatId === open.chatId)
    : -1;
  useShortcuts({
    next: () => {
      const waiting = chats.find(
        (c) => c.waitingSince && !(open && c.chatId === open.chatId && c.businessId === open.businessId),
      );
      if (waiting) openChat(waiting);
    },
    down: () => {
      const c = list[Math.min(list.length - 1, index + 1)];
      if (c) openChat(c);
    },
    up: () => {
      const c = list[Math.max(0, index - 1)];
      if (c) openChat(c);
    },
    reply: () => commands.current.focus?.(),
    send: () => commands.current.send?.(),
    templates: () => commands.current.templates?.(),
    search: () => searchBox.current?.focus(),
    help: () => setHelp(true),
    escape: () => setHelp(false),
  });

  const clock = {
    offsetMs: offset,
    targetMs: session.firstReplyTargetMs,
    hours: session.businessHours ?? undefined,
  };

  const key = open ? `${open.businessId}:${open.chatId}` : '';
  return (
    <div class={`inbox${open ? ' has-chat' : ''}`}>
      <SkipLink t={t} />
      <header class="top">
        <h1>ym-chats</h1>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            search.now();
          }}
        >
          <input
            ref={searchBox}
            type="search"
            aria-label={t('search')}
            placeholder={t('searchPlaceholder')}
            value={search.query}
            onInput={(e) => search.setQuery((e.currentTarget as HTMLInputElement).value)}
          />
        </form>
        <DraftsBadge t={t} version={resyncs} onOpen={(c) => openChat(c)} />
        <TemplatesButton
          t={t}
          agentName={agent.name}
          businessIds={agent.businessIds}
          openBusinessId={open?.businessId}
        />
        <ReportsButton t={t} businessIds={agent.businessIds} />
        <span class="me">{agent.name}</span>
        <NotifyButton t={t} login={agent.login} />
        <SoundButton t={t} login={agent.login} />
        {toggle}
        <button
          type="button"
          class="shortcuts-button"
          onClick={() => setHelp(true)}
          aria-label={t('shortcuts')}
        >
          ?
        </button>
        {session.loginRequired ? (
          <button type="button" onClick={() => void api.logout().then(onLogout)}>
            {t('logout')}
          </button>
        ) : null}
      </header>
      <nav class="queue" aria-label={t('chats')}>
        <FilterBar
          t={t}
          filters={filters}
          agents={session.agents}
          me={agent.login}
          counts={counts}
          onChange={setFilters}
        />
        <QueueList
          t={t}
          chats={chats}
          hits={hits}
          total={search.results?.total}
          capped={search.results?.capped}
          now={now + offset}
          targetMs={session.firstReplyTargetMs}
          hours={session.businessHours ?? undefined}
          seen={seen}
          open={open}
          onOpen={(c, m) => openChat(c, m)}
          onMore={next && !hits ? () => void loadMore() : undefined}
        />
      </nav>
      <main class="chat">
        {open ? (
          <ChatPane
            key={key}
            t={t}
            chatKey={open}
            me={agent.login}
            agents={session.agents}
            version={(versions[key] ?? 0) + resyncs}
            viewers={viewers[key]}
            focusMessageId={focusMessage}
            onBack={closeChat}
            onTyping={(value) => {
              if (typing.current === value) return;
              typing.current = value;
              void api.presence(open, PAGE_ID, value).catch(() => undefined);
            }}
            commands={commands}
            clock={clock}
          />
        ) : (
          <p class="pick">{t('pickChat')}</p>
        )}
      </main>
      {help ? <Shortcuts t={t} onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
