import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type AuditEntry,
  api,
  type ChatView,
  type FileProblem,
  type MessageView,
  type Viewer,
} from './api.js';
import { ChatDrafts } from './assistant-drafts.js';
import { CustomerChats } from './customer-chats.js';
import { fileReason, label, type T } from './i18n.js';
import { FileIcon } from './icons.js';
import { orderWords } from './order-i18n.js';
import { hasOrderSide, OrderPanel, orderValues, PANEL_ID, useChatContext } from './order-panel.js';
import { contextText } from './queue.js';
import { ReplyBox } from './reply.js';
import { dateTime, dayLabel, dayStarts, timeOfDay } from './times.js';
import { VirtualList } from './virtual-list.js';
import { type WaitClock, Waited } from './waited.js';

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

function Message({ t, chat, message }: { t: T; chat: ChatView; message: MessageView }) {
  return (
    <article class={`msg ${message.sender.toLowerCase()}`} data-message-id={message.messageId}>
      <header>
        <span class="sender">{label(t, 'sender', message.sender)}</span>
        <time dateTime={message.createdAt} title={dateTime(t, message.createdAt)}>
          {timeOfDay(t, message.createdAt)}
        </time>
      </header>
      {message.text !== undefined ? (
        <p class="text">
          <bdi>{message.text}</bdi>
        </p>
      ) : null}
      {message.files.map((f) => (
        <Attachment key={f.url} t={t} chat={chat} file={f} />
      ))}
    </article>
  );
}

/** A fetch that failed in the page itself (offline): no code, the browser's text. */
const unreachable = (error: unknown): { problem: FileProblem } => ({
  problem: { code: undefined, message: String(error) },
});

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * One attachment: an image inline, another file a download. When the server cannot fetch it (a link to a
 * host that is not the platform's, a file host away) the reason is shown beside it, in the page's language
 * from the server's error code, instead of a broken image or a download that fails without saying why.
 */
function Attachment({ t, chat, file }: { t: T; chat: ChatView; file: MessageView['files'][number] }) {
  const [problem, setProblem] = useState<FileProblem | null>(null);
  const href = api.fileUrl(chat, file.url);
  const name = file.name || 'file';
  const explain = async () => {
    const got = await api.file(href).catch(unreachable);
    if ('problem' in got) setProblem(got.problem);
  };
  // Downloads go through fetch so a refusal can be read; the bytes are then saved as the link would.
  const download = async (event: MouseEvent) => {
    event.preventDefault();
    const got = await api.file(href).catch(unreachable);
    if ('problem' in got) {
      setProblem(got.problem);
      return;
    }
    setProblem(null);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(got.blob);
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  };
  const failure =
    problem === null ? null : (
      <span class="file-problem" role="alert">
        {t('fileFailed', { m: fileReason(t, problem.code, problem.message, hostOf(file.url)) })}
      </span>
    );
  return IMAGE.test(file.name) ? (
    <span class="attachment">
      <a class="file image" href={href} download={name}>
        <img src={href} alt={name} loading="lazy" onError={explain} />
      </a>
      {failure}
    </span>
  ) : (
    <span class="attachment">
      <a class="file" href={href} download={name} onClick={download}>
        <FileIcon /> <bdi>{name}</bdi> <span class="size">({Math.ceil(file.size / 1024)} KB)</span>
      </a>
      {failure}
    </span>
  );
}

interface Props {
  t: T;
  chatKey: { businessId: number; chatId: number };
  me: string;
  agents: Array<{ login: string; name: string }>;
  /** Bumped by live events about this chat. */
  version: number;
  viewers: Viewer[] | undefined;
  focusMessageId: number | undefined;
  onBack: () => void;
  onTyping: (typing: boolean) => void;
  commands: { current: { focus?: () => void; send?: () => void; templates?: () => void } };
  clock: WaitClock;
}

export function ChatPane({
  t,
  chatKey,
  me,
  agents,
  version,
  viewers,
  focusMessageId,
  onBack,
  onTyping,
  commands,
  clock,
}: Props) {
  const [chat, setChat] = useState<ChatView | null>(null);
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [audit, setAudit] = useState<AuditEntry[]>([]);
  const [present, setPresent] = useState<Viewer[]>([]);
  const [error, setError] = useState<string | null>(null);
  const seen = useRef({ seenMessageId: 0, seenAuditId: 0 });
  const { context, error: contextError } = useChatContext(chatKey, version);
  const [panelOpen, setPanelOpen] = useState(false);
  const panelHeading = useRef<HTMLHeadingElement>(null);

  async function load() {
    try {
      const [info, history] = await Promise.all([api.chat(chatKey), api.messages(chatKey)]);
      let all = history.messages;
      // The whole history: older pages until the first message.
      while (all.length > 0 && all.length % 1000 === 0) {
        const older = await api.messages(chatKey, all[0]!.messageId);
        if (older.messages.length === 0) break;
        all = [...older.messages, ...all];
      }
      setChat(info.chat);
      setAudit(info.audit);
      setPresent(info.viewers);
      setMessages(all);
      seen.current = { seenMessageId: all[all.length - 1]?.messageId ?? 0, seenAuditId: info.lastAuditId };
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  useEffect(() => {
    setChat(null);
    setMessages([]);
    void load();
  }, [chatKey.businessId, chatKey.chatId]);

  useEffect(() => {
    if (version > 0) void load();
  }, [version]);

  useEffect(() => {
    if (viewers) setPresent(viewers);
  }, [viewers]);

  if (error)
    return (
      <div class="chat-pane error" role="alert">
        {error}
      </div>
    );
  if (!chat) return <div class="chat-pane loading">{t('earlier')}</div>;

  const others = present.filter((v) => v.login !== me);
  const starts = dayStarts(messages);
  const today = Date.now();
  const side = hasOrderSide(chat);
  // The order's id in the header opens the panel (a narrow screen) and takes the focus there.
  const showOrder = () => {
    setPanelOpen(true);
    requestAnimationFrame(() => {
      panelHeading.current?.focus();
      panelHeading.current?.scrollIntoView({ block: 'nearest' });
    });
  };
  const orderButton = (orderId: number) => (
    <button
      type="button"
      class="order-link"
      aria-controls={PANEL_ID}
      title={orderWords(t)('showPanel')}
      onClick={showOrder}
    >
      {t('order')} {orderId}
    </button>
  );
  return (
    <div class={`chat-pane${side ? ' has-side' : ''}`}>
      <header class="chat-head">
        <button type="button" class="back" onClick={onBack} aria-label={t('back')}>
          ←
        </button>
        <div class="title">
          <h2>
            {chat.context.type === 'ORDER' && chat.context.orderId !== undefined
              ? orderButton(chat.context.orderId)
              : contextText(t, chat)}
            {/* A return's chat names its order too: the agent looks the order up, not the return. */}
            {chat.context.type === 'RETURN' && chat.context.orderId !== undefined ? (
              <>
                {' · '}
                {orderButton(chat.context.orderId)}
              </>
            ) : null}{' '}
            · <bdi>{chat.context.customerName ?? t('customer')}</bdi>
          </h2>
          <div class="meta">
            <Waited t={t} since={chat.waitingSince} clock={clock} />
            <span class="status">{label(t, 'status', chat.status)}</span>
            {chat.type === 'ARBITRAGE' ? (
              <strong class="badge dispute" role="note">
                {t('dispute')}
              </strong>
            ) : (
              <span class="type">{label(t, 'type', chat.type)}</span>
            )}
            <label>
              {t('assignee')}{' '}
              <select
                value={chat.assignee ?? ''}
                onChange={async (e) => {
                  const login = (e.currentTarget as HTMLSelectElement).value || null;
                  await api.assign(chatKey, login);
                  void load();
                }}
              >
                <option value="">{t('nobody')}</option>
                {agents.map((a) => (
                  <option key={a.login} value={a.login}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {others.length > 0 ? (
            <div class="presence" role="status">
              {t('alsoHere', {
                who: others.map((v) => (v.typing ? `${v.name} (${t('typing')})` : v.name)).join(', '),
              })}
            </div>
          ) : null}
          <CustomerChats t={t} chats={context?.otherChats ?? []} />
        </div>
      </header>
      {side ? (
        <OrderPanel
          t={t}
          chat={chat}
          context={context}
          error={contextError}
          open={panelOpen}
          onToggle={() => setPanelOpen((v) => !v)}
          headingRef={panelHeading}
        />
      ) : null}
      <VirtualList
        items={messages}
        keyOf={(m) => String(m.messageId)}
        render={(m) => (
          <>
            {starts.has(m.messageId) ? <h3 class="day">{dayLabel(t, m.createdAt, today)}</h3> : null}
            <Message t={t} chat={chat} message={m} />
          </>
        )}
        focusKey={focusMessageId === undefined ? undefined : String(focusMessageId)}
        // Focusable so the skip link can land here and the keyboard can scroll it.
        attributes={{ role: 'log', 'aria-label': t('messages'), class: 'log', id: 'log', tabIndex: '0' }}
      />
      <ChatDrafts t={t} chat={chatKey} version={version} onSent={() => void load()} />
      <ReplyBox
        t={t}
        chat={chatKey}
        values={{
          orderId: chat.context.orderId,
          returnId: chat.context.returnId,
          customerName: chat.context.customerName,
          chatId: chat.chatId,
          ...orderValues(t, context),
        }}
        seen={() => seen.current}
        onTyping={onTyping}
        onSent={() => void load()}
        commands={commands}
      />
      {audit.length > 0 ? (
        <details class="audit">
          <summary>{t('audit')}</summary>
          <ul>
            {audit.map((a) => (
              <li key={a.id}>
                <time dateTime={a.at}>{dateTime(t, a.at)}</time> <strong>{a.login}</strong>{' '}
                {t(`action_${a.action}` as Parameters<T>[0])} <bdi>{a.detail ?? ''}</bdi>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
