/**
 * "Drafts from the assistant": replies an MCP assistant drafted that wait for a person. In an open chat they
 * sit above the reply box with Send and Discard; the header counts them all and lists them. Sending is the
 * desk's, like a typed reply: a question (replied meanwhile, assigned, busy) is asked here and nothing is
 * sent until the agent answers it; "may have been sent" is asked about again until the ledger knows.
 */
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { ApiFailure, type AssistantDraftView, api, type DraftDecision } from './api.js';
import type { T } from './i18n.js';
import { contextText } from './queue.js';

type ChatKey = { businessId: number; chatId: number };

/** How often the lists are read again: the MCP server writes drafts from another process, unannounced. */
const REFRESH_MS = 10_000;
const POLL_MS = 2000;

interface Question {
  draftId: string;
  text: string;
  /** What sending anyway adds to the request, or undefined for "try again" (busy). */
  retry: { seenMessageId?: number; acceptAssignee?: string };
}

function useDrafts(chat: ChatKey | undefined, version: number) {
  const [drafts, setDrafts] = useState<AssistantDraftView[]>([]);
  const load = () =>
    api
      .assistantDrafts(chat)
      .then((r) => setDrafts(r.drafts))
      .catch(() => undefined);
  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [chat?.businessId, chat?.chatId, version]);
  return { drafts, load };
}

/** The open chat's drafts, above its reply box. */
export function ChatDrafts({
  t,
  chat,
  version,
  onSent,
}: {
  t: T;
  chat: ChatKey;
  version: number;
  onSent: () => void;
}) {
  const { drafts, load } = useDrafts(chat, version);
  const [states, setStates] = useState<Record<string, string>>({});
  const [question, setQuestion] = useState<Question | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (draftId: string, decision: DraftDecision) => {
    const label =
      decision.state === 'sent'
        ? t('sent')
        : decision.state === 'checking'
          ? t('checking')
          : decision.state === 'maybeSent'
            ? t('maybeSent')
            : decision.state === 'notSent'
              ? t('failed', { m: decision.message })
              : decision.state === 'discarded'
                ? t('draftDiscarded')
                : '';
    setStates((s) => ({ ...s, [draftId]: label }));
    if (decision.state === 'checking') window.setTimeout(() => void poll(draftId), POLL_MS);
    if (decision.state === 'sent') onSent();
    if (decision.state !== 'checking') void load();
  };

  async function poll(draftId: string) {
    try {
      show(draftId, await api.assistantDraftStatus(draftId));
    } catch {
      window.setTimeout(() => void poll(draftId), POLL_MS);
    }
  }

  /** A 409 from the desk: nothing was sent; ask the agent as the reply box does. */
  function asked(draftId: string, error: ApiFailure): boolean {
    const body = error.body;
    if (error.code === 'REPLIED_MEANWHILE') {
      const by = (body.by as string[] | undefined) ?? [];
      const who = [...by, ...(body.outside === true || by.length === 0 ? [t('someone')] : [])].join(', ');
      setQuestion({
        draftId,
        text: t('repliedMeanwhile', { who }),
        retry: { seenMessageId: Number(body.newestMessageId) || 0 },
      });
      return true;
    }
    if (error.code === 'ASSIGNED') {
      const who = String(body.assignee ?? '');
      setQuestion({ draftId, text: t('assignedTo', { who }), retry: { acceptAssignee: who } });
      return true;
    }
    if (error.code === 'BUSY') {
      setQuestion({ draftId, text: t('busy', { who: String(body.by ?? '') }), retry: {} });
      return true;
    }
    return false;
  }

  async function send(draftId: string, retry: Question['retry'] = {}) {
    setBusy(true);
    setStates((s) => ({ ...s, [draftId]: t('pending') }));
    try {
      show(draftId, await api.sendAssistantDraft(draftId, retry));
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 409 && asked(draftId, error)) {
        setStates((s) => ({ ...s, [draftId]: '' }));
      } else if (error instanceof ApiFailure && error.status < 500) {
        setStates((s) => ({ ...s, [draftId]: t('failed', { m: error.message }) }));
      } else {
        // The answer was lost: only the ledger knows whether it went.
        show(draftId, { state: 'checking' });
      }
    } finally {
      setBusy(false);
    }
  }

  async function discard(draftId: string) {
    try {
      show(draftId, await api.discardAssistantDraft(draftId));
    } catch (error) {
      setStates((s) => ({ ...s, [draftId]: t('failed', { m: String(error) }) }));
    }
  }

  const shown = drafts.filter((d) => d.chatId === chat.chatId && d.businessId === chat.businessId);
  const decided = Object.keys(states).filter((id) => states[id] && !shown.some((d) => d.draftId === id));
  if (shown.length === 0 && decided.length === 0 && !question) return null;
  return (
    <section class="assistant-drafts" aria-label={t('assistantDrafts')}>
      <h3>{t('assistantDrafts')}</h3>
      <ul>
        {shown.map((d) => (
          <li key={d.draftId} data-draft-id={d.draftId}>
            <p class="text">
              <bdi>{d.text}</bdi>
            </p>
            <span class="state" role="status">
              {states[d.draftId] ?? ''}
            </span>
            <span class="actions">
              <button type="button" class="primary" disabled={busy} onClick={() => void send(d.draftId)}>
                {t('draftSend')}
              </button>
              <button type="button" disabled={busy} onClick={() => void discard(d.draftId)}>
                {t('draftDiscard')}
              </button>
            </span>
          </li>
        ))}
        {decided.map((id) => (
          <li key={id} class="decided" data-draft-id={id}>
            <span class="state" role="status">
              {states[id]}
            </span>
          </li>
        ))}
      </ul>
      {question ? (
        <div class="conflict" role="alertdialog" aria-label={t('sendAnyway')}>
          <p>{question.text}</p>
          <button
            type="button"
            onClick={() => {
              const q = question;
              setQuestion(null);
              void send(q.draftId, q.retry);
            }}
          >
            {question.retry.seenMessageId !== undefined
              ? t('sendAnyway')
              : question.retry.acceptAssignee !== undefined
                ? t('replyAnyway')
                : t('tryAgain')}
          </button>
          <button type="button" onClick={() => setQuestion(null)}>
            {t('cancel')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** The header's count of every waiting draft; opens a list that leads to each draft's chat. */
export function DraftsBadge({
  t,
  version,
  onOpen,
}: {
  t: T;
  version: number;
  onOpen: (chat: ChatKey) => void;
}) {
  const { drafts } = useDrafts(undefined, version);
  const [open, setOpen] = useState(false);
  // Esc closes the open list, as it does every list and dialog of the page: listening from the render's own
  // task (a layout effect), not from the next frame, so an Esc pressed at once is not lost.
  useLayoutEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (drafts.length === 0 && !open) return null;
  return (
    <span class="drafts-badge">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t('assistantDrafts')} <strong class="count">{drafts.length}</strong>
      </button>
      {open ? (
        <ul class="drafts-list" aria-label={t('assistantDrafts')}>
          {drafts.length === 0 ? <li>{t('noAssistantDrafts')}</li> : null}
          {drafts.map((d) => (
            <li key={d.draftId}>
              <button
                type="button"
                onClick={() => {
                  setOpen(false);
                  onOpen(d);
                }}
              >
                <strong>{d.chat ? contextText(t, d.chat) : `#${d.chatId}`}</strong>{' '}
                <bdi>{d.text.length > 80 ? `${d.text.slice(0, 80)}…` : d.text}</bdi>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </span>
  );
}
