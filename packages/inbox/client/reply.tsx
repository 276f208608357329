import { useEffect, useRef, useState } from 'preact/hooks';
import { FILE_MAX_BYTES, MESSAGE_MAX_LENGTH, messageLength, textProblem } from '../src/shared/limits.js';
import { fillTemplate, type TemplateValues, unfilledVariables } from '../src/shared/template-fill.js';
import { ApiFailure, api, newClientId, type SendOutcome, type Template } from './api.js';
import type { T } from './i18n.js';
import { PaperClip } from './icons.js';

/** One reply on its way: the page shows its state until the store has it, and never resends by itself. */
export interface Outgoing {
  clientId: string;
  label: string;
  state: 'pending' | SendOutcome['state'];
  error?: string;
  /** One attempt under this page-made id (a new id is a new send). */
  send: (clientId: string, confirmed: boolean) => Promise<SendOutcome>;
}

interface Props {
  t: T;
  chat: { businessId: number; chatId: number };
  values: TemplateValues;
  templates: Template[];
  seen: () => { seenMessageId: number; seenAuditId: number };
  onTyping: (typing: boolean) => void;
  onSent: () => void;
  /** Set by the page's shortcuts. */
  commands: { current: { focus?: () => void; send?: () => void; templates?: () => void } };
}

type Conflict = { who: string[]; resend: () => void };

export function ReplyBox({ t, chat, values, templates, seen, onTyping, onSent, commands }: Props) {
  const [text, setText] = useState('');
  const [outgoing, setOutgoing] = useState<Outgoing[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [picker, setPicker] = useState(false);
  /** Variables left unfilled in the text the agent tried to send: asked about before anything goes. */
  const [unfilled, setUnfilled] = useState<string[] | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const typingTimer = useRef<number | undefined>(undefined);
  const pickerBox = useRef<HTMLDivElement>(null);
  // What the chat looked like when this draft was started: a reply by anyone after that is "meanwhile",
  // even if the page has reloaded the chat since.
  const draftBase = useRef<ReturnType<Props['seen']> | null>(null);
  const base = () => {
    draftBase.current ??= seen();
    return draftBase.current;
  };

  // The picker opens on request (button or shortcut), so moving focus into it is expected.
  useEffect(() => {
    if (picker) pickerBox.current?.querySelector('button')?.focus();
  }, [picker]);

  const length = messageLength(text);
  const textIssue = text.length > 0 ? textProblem(text) : undefined;

  const update = (id: string, change: Partial<Outgoing>) =>
    setOutgoing((list) => list.map((o) => (o.clientId === id ? { ...o, ...change } : o)));

  /** Runs one attempt; a "replied meanwhile" answer asks the agent first and sends nothing. */
  async function attempt(item: Outgoing, confirmed: boolean) {
    update(item.clientId, { state: 'pending' });
    try {
      const outcome = await item.send(item.clientId, confirmed);
      update(
        item.clientId,
        outcome.state === 'failed' ? { state: 'failed', error: outcome.message } : { state: outcome.state },
      );
      if (outcome.state !== 'failed') onSent();
    } catch (error) {
      if (error instanceof ApiFailure && error.code === 'REPLIED_MEANWHILE') {
        const by = (error.body.by as string[] | undefined) ?? [];
        setOutgoing((list) => list.filter((o) => o.clientId !== item.clientId));
        setConflict({ who: by, resend: () => start(item, true) });
        return;
      }
      update(item.clientId, {
        state: 'failed',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  function start(item: Outgoing, confirmed: boolean) {
    setOutgoing((list) => [...list.filter((o) => o.clientId !== item.clientId), item]);
    void attempt(item, confirmed);
  }

  function sendText(asIs = false) {
    if (textIssue || text.length === 0) return;
    const left = unfilledVariables(text);
    if (left.length > 0 && !asIs) return setUnfilled(left);
    setUnfilled(null);
    const body = text;
    const seenAtStart = base();
    draftBase.current = null;
    const clientId = newClientId();
    const item: Outgoing = {
      clientId,
      label: body.length > 80 ? `${body.slice(0, 80)}…` : body,
      state: 'pending',
      send: (id, confirmed) => api.sendText(chat, { text: body, clientId: id, ...seenAtStart, confirmed }),
    };
    setText('');
    onTyping(false);
    start(item, false);
  }

  function sendFile(file: File) {
    setProblem(null);
    if (file.size > FILE_MAX_BYTES) return setProblem(t('fileTooBig'));
    if (file.size === 0) return setProblem(t('fileEmpty'));
    const s = text ? base() : seen();
    const clientId = newClientId();
    const item: Outgoing = {
      clientId,
      label: file.name,
      state: 'pending',
      send: (id, confirmed) => {
        return api.sendFile(chat, file, {
          'X-Client-Id': id,
          'X-Seen-Message-Id': String(s.seenMessageId),
          'X-Seen-Audit-Id': String(s.seenAuditId),
          'X-Confirmed': String(confirmed),
        });
      },
    };
    start(item, false);
  }

  function useTemplate(template: Template) {
    setPicker(false);
    base();
    setText((current) => (current ? `${current}\n` : '') + fillTemplate(template.text, values));
    area.current?.focus();
  }

  commands.current = {
    focus: () => area.current?.focus(),
    send: () => sendText(),
    templates: () => setPicker(true),
  };

  useEffect(() => () => window.clearTimeout(typingTimer.current), []);

  return (
    <section class="reply">
      {outgoing.length > 0 ? (
        <ul class="outgoing">
          {outgoing.map((o) => (
            <li key={o.clientId} class={`out ${o.state}`} data-state={o.state}>
              <span class="what">
                <bdi>{o.label}</bdi>
              </span>
              <span class="state" role="status">
                {o.state === 'pending'
                  ? t('pending')
                  : o.state === 'sent'
                    ? t('sent')
                    : o.state === 'maybe_sent'
                      ? t('maybeSent')
                      : t('failed', { m: o.error ?? '' })}
              </span>
              {o.state === 'maybe_sent' || o.state === 'failed' ? (
                <span class="actions">
                  <button type="button" onClick={() => onSent()}>
                    {t('checkChat')}
                  </button>
                  <button type="button" onClick={() => start({ ...o, clientId: newClientId() }, true)}>
                    {t('sendAgain')}
                  </button>
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {conflict ? (
        <div class="conflict" role="alertdialog" aria-label={t('sendAnyway')}>
          <p>{t('repliedMeanwhile', { who: conflict.who.join(', ') || t('someone') })}</p>
          <button
            type="button"
            onClick={() => {
              const c = conflict;
              setConflict(null);
              c.resend();
            }}
          >
            {t('sendAnyway')}
          </button>
          <button type="button" onClick={() => setConflict(null)}>
            {t('cancel')}
          </button>
        </div>
      ) : null}
      {unfilled ? (
        <div class="conflict" role="alertdialog" aria-label={t('sendAnyway')}>
          <p>{t('unfilled', { vars: unfilled.join(', ') })}</p>
          <button type="button" onClick={() => sendText(true)}>
            {t('sendAnyway')}
          </button>
          <button
            type="button"
            onClick={() => {
              setUnfilled(null);
              area.current?.focus();
            }}
          >
            {t('cancel')}
          </button>
        </div>
      ) : null}
      {picker ? (
        <div class="picker" role="listbox" aria-label={t('templates')} ref={pickerBox}>
          {templates.map((tpl) => (
            <button
              type="button"
              role="option"
              aria-selected="false"
              key={tpl.id}
              onClick={() => useTemplate(tpl)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setPicker(false);
              }}
            >
              <strong>{tpl.title}</strong> <span>{fillTemplate(tpl.text, values)}</span>
            </button>
          ))}
        </div>
      ) : null}
      <textarea
        ref={area}
        aria-label={t('reply')}
        aria-describedby="reply-counter"
        value={text}
        rows={3}
        onInput={(e) => {
          const value = (e.currentTarget as HTMLTextAreaElement).value;
          if (value) base();
          else draftBase.current = null;
          setText(value);
          setUnfilled(null);
          onTyping(true);
          window.clearTimeout(typingTimer.current);
          typingTimer.current = window.setTimeout(() => onTyping(false), 3000);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            sendText();
          }
        }}
      />
      <div class="reply-bar">
        <span id="reply-counter" class={`counter${textIssue ? ' over' : ''}`} aria-live="polite">
          {textIssue === 'too_long'
            ? t('tooLong', { max: MESSAGE_MAX_LENGTH })
            : t('counter', { n: length, max: MESSAGE_MAX_LENGTH })}
        </span>
        {problem ? (
          <span class="problem" role="alert">
            {problem}
          </span>
        ) : null}
        <button type="button" onClick={() => setPicker(!picker)} aria-expanded={picker}>
          {t('templates')}
        </button>
        <button type="button" aria-label={t('attachFile')} onClick={() => fileInput.current?.click()}>
          <PaperClip />
        </button>
        <input
          ref={fileInput}
          type="file"
          class="hidden"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            const input = e.currentTarget as HTMLInputElement;
            const file = input.files?.[0];
            input.value = '';
            if (file) sendFile(file);
          }}
        />
        <button
          type="button"
          class="primary"
          disabled={text.length === 0 || textIssue !== undefined}
          onClick={() => sendText()}
        >
          {t('send')}
        </button>
      </div>
    </section>
  );
}
