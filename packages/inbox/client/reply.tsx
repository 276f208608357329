import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { admitFiles } from '../src/shared/file-admission.js';
import { MESSAGE_MAX_LENGTH, messageLength, textProblem } from '../src/shared/limits.js';
import { fillTemplate, type TemplateValues, unfilledVariables } from '../src/shared/template-fill.js';
import { ApiFailure, api, newClientId, type SendAnswer } from './api.js';
import { type BatchItem, batch } from './batch.js';
import { FilePreview } from './file-preview.js';
import type { T } from './i18n.js';
import { PaperClip } from './icons.js';
import { chatKey, type Outgoing, outbox } from './outbox.js';
import { matchTemplates, slashQuery, type Template, templateBook, useTemplates } from './templates-book.js';
import { templateWords } from './templates-i18n.js';

interface Props {
  t: T;
  chat: { businessId: number; chatId: number };
  values: TemplateValues;
  seen: () => { seenMessageId: number };
  onTyping: (typing: boolean) => void;
  onSent: () => void;
  /** Set by the page's shortcuts. */
  commands: { current: { focus?: () => void; send?: () => void; templates?: () => void } };
}

/** A question the server asked instead of sending; nothing was sent. */
type Question =
  | { kind: 'replied' | 'movedOn'; item: Outgoing; who: string; said: string[]; newest: number }
  | { kind: 'assigned'; item: Outgoing; who: string }
  | { kind: 'busy'; item: Outgoing; who: string };

const POLL_MS = 2000;

export function ReplyBox({ t, chat, values: chatValues, seen, onTyping, onSent, commands }: Props) {
  const w = templateWords(t);
  const values: TemplateValues = { ...chatValues, agentName: templateBook.agentName || undefined };
  const templates = useTemplates(chat.businessId);
  const [text, setText] = useState('');
  const key = chatKey(chat);
  const [outgoing, setShown] = useState<Outgoing[]>(() => outbox.get(key));
  const setOutgoing = (change: (list: Outgoing[]) => Outgoing[]) => outbox.update(key, change);
  const [problem, setProblem] = useState<string | null>(null);
  const [question, setQuestion] = useState<Question | null>(null);
  const [picker, setPicker] = useState(false);
  /**
   * Variables left unfilled in the text the agent tried to send, with what the agent typed for each:
   * nothing is sent until every one has a value (a raw `{…}` never reaches a buyer).
   */
  const [unfilled, setUnfilled] = useState<Record<string, string> | null>(null);
  /** Which text the question is about: the reply box's, or the file preview's caption. */
  const unfilledFor = useRef<'text' | 'caption'>('text');
  /** The `/name` being typed before the cursor, the templates it matches, and the one Enter inserts. */
  const [slash, setSlash] = useState<{ start: number; end: number; matches: Template[] } | null>(null);
  const [slashIndex, setSlashIndex] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const typingTimer = useRef<number | undefined>(undefined);
  const pickerBox = useRef<HTMLDivElement>(null);
  /** Files chosen, dropped or pasted, waiting in the preview: nothing leaves before its Send. */
  const [files, setFiles] = useState<File[]>([]);
  const [caption, setCaption] = useState('');
  const [dragging, setDragging] = useState(false);
  const dialogCancel = useRef<HTMLButtonElement>(null);
  const dropZone = useRef<HTMLElement>(null);
  const adding = useRef<(files: File[]) => void>(() => undefined);
  // What the chat looked like when this draft was started: a reply by anyone after that is "meanwhile",
  // even if the page has reloaded the chat since.
  const draftBase = useRef<ReturnType<Props['seen']> | null>(null);
  const base = () => {
    draftBase.current ??= seen();
    return draftBase.current;
  };

  useEffect(() => {
    setShown(outbox.get(key));
    return outbox.subscribe(key, () => setShown(outbox.get(key)));
  }, [key]);

  // The focus moves in layout effects, in the render's own task: a plain effect waits for the next frame,
  // and a key pressed before it (Enter at once, or the first letters typed into a field of the dialog) went
  // to whatever had the focus before, or had the focus pulled away from under it.
  // The picker opens on request (button or shortcut), so moving focus into it is expected.
  useLayoutEffect(() => {
    if (picker) pickerBox.current?.querySelector('button')?.focus();
  }, [picker]);

  // A question opens where the agent was not looking: its safe answer (Cancel) takes the focus.
  useLayoutEffect(() => {
    if (question) dialogCancel.current?.focus();
  }, [question]);
  // Asked for the values a reply lacks: as with the questions, the safe answer (Cancel) takes the focus —
  // once, as it opens, not at every key typed into its fields.
  const asking = unfilled !== null;
  useLayoutEffect(() => {
    if (asking) dialogCancel.current?.focus();
  }, [asking]);

  const length = messageLength(text);
  const textIssue = text.length > 0 ? textProblem(text) : undefined;

  const update = (id: string, change: Partial<Outgoing>) =>
    setOutgoing((list) => list.map((o) => (o.clientId === id ? { ...o, ...change } : o)));

  /** What the server said of a draft: final, still settling (ask again soon), or never arrived (send it). */
  function settle(item: Outgoing, answer: SendAnswer) {
    switch (answer.state) {
      case 'sent':
        update(item.clientId, {
          state: 'sent',
          ...(answer.messageId === undefined ? {} : { messageId: answer.messageId }),
        });
        onSent();
        return;
      case 'checking':
        update(item.clientId, { state: 'checking' });
        window.setTimeout(() => void poll(item), POLL_MS);
        return;
      case 'unknown':
        void attempt(item);
        return;
      default:
        update(item.clientId, { state: answer.state, error: answer.message });
    }
  }

  async function poll(item: Outgoing) {
    try {
      settle(item, await api.sendStatus(chat, item.clientId));
    } catch (error) {
      if (error instanceof ApiFailure && error.status < 500) {
        // Logged out, or no longer allowed to see the chat: asking again would not tell more.
        update(item.clientId, { state: 'maybeSent', error: error.message });
        return;
      }
      // The server is away (restarting, a proxy): the draft's fate is in its ledger; ask again.
      window.setTimeout(() => void poll(item), POLL_MS);
    }
  }

  /** One request under the draft's id; a question from the server is asked and nothing is sent. */
  async function attempt(item: Outgoing) {
    let answer: SendAnswer;
    try {
      answer = await item.send(item);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 409 && asked(item, error)) return;
      if (error instanceof ApiFailure && error.status < 500) {
        // Refused before sending (a bad request, a logout, a business not served): nothing went out.
        update(item.clientId, { state: 'notSent', error: error.message });
        return;
      }
      // The answer was lost: the reply may be at the platform. Only the server's ledger knows.
      answer = { state: 'checking' };
    }
    settle(item, answer);
  }

  function asked(item: Outgoing, error: ApiFailure): boolean {
    const body = error.body;
    let next: Question | undefined;
    if (error.code === 'REPLIED_MEANWHILE' || error.code === 'CHAT_MOVED_ON') {
      const by = (body.by as string[] | undefined) ?? [];
      const who = [...by, ...(body.outside === true || by.length === 0 ? [t('someone')] : [])].join(', ');
      const messages = (body.messages as Array<{ sender: string; text?: string }> | undefined) ?? [];
      const said = messages.filter((m) => m.sender === 'PARTNER' && m.text).map((m) => m.text ?? '');
      next = {
        kind: error.code === 'CHAT_MOVED_ON' ? 'movedOn' : 'replied',
        item,
        who,
        said: said.slice(-3),
        newest: Number(body.newestMessageId) || 0,
      };
    } else if (error.code === 'ASSIGNED') {
      next = { kind: 'assigned', item, who: String(body.assignee ?? '') };
    } else if (error.code === 'BUSY') {
      next = { kind: 'busy', item, who: String(body.by ?? '') };
    }
    if (!next) return false;
    setOutgoing((list) => list.filter((o) => o.clientId !== item.clientId));
    setQuestion(next);
    return true;
  }

  function start(item: Outgoing) {
    setOutgoing((list) => [
      ...list.filter((o) => o.clientId !== item.clientId),
      { ...item, state: 'sending' },
    ]);
    void attempt(item);
  }

  /** The agent's answer to a question: the same draft (nothing of it was sent) with what they accepted. */
  function answerQuestion(go: boolean) {
    const q = question;
    setQuestion(null);
    if (!q) return;
    if (!go) {
      if (q.item.text !== undefined) setText((current) => current || (q.item.text ?? ''));
      const back = batch.takeBack(key, q.item.clientId);
      if (back) {
        setFiles(back.files);
        setCaption(back.caption);
      }
      area.current?.focus();
      return;
    }
    if (q.kind === 'replied' || q.kind === 'movedOn')
      batch.carry(key, q.item.clientId, { seenMessageId: q.newest });
    else if (q.kind === 'assigned')
      batch.carry(key, q.item.clientId, { seenMessageId: 0, acceptAssignee: q.who });
    if (q.kind === 'replied' || q.kind === 'movedOn')
      start({ ...q.item, seenMessageId: Math.max(q.item.seenMessageId, q.newest) });
    else if (q.kind === 'assigned') start({ ...q.item, acceptAssignee: q.who });
    else start(q.item);
  }

  function sendText(filled?: Record<string, string>) {
    if (textIssue || text.length === 0) return;
    const body = filled ? text.replace(/\{\w+\}/g, (v) => filled[v]?.trim() || v) : text;
    const left = unfilledVariables(body);
    unfilledFor.current = 'text';
    if (left.length > 0) return setUnfilled(Object.fromEntries(left.map((v) => [v, filled?.[v] ?? ''])));
    if (textProblem(body)) return setUnfilled(null);
    setUnfilled(null);
    const { seenMessageId } = base();
    draftBase.current = null;
    const item = textItem(body, seenMessageId);
    setText('');
    onTyping(false);
    start(item);
  }

  /** Into the preview, the files that may be sent; a refused one says why and is left out. */
  function addFiles(chosen: File[]) {
    const { admitted, refused } = admitFiles(chosen);
    const last = refused.at(-1);
    setProblem(last ? t(last.reason === 'empty' ? 'fileEmpty' : 'fileTooBig') : null);
    if (admitted.length > 0) setFiles((list) => [...list, ...admitted]);
  }

  adding.current = addFiles;

  // Files dragged from the desktop onto the reply area open the preview (only a drag that carries files).
  // Listened for from the render's own task (a layout effect): a plain effect waits for the next frame,
  // and a drop before it was the browser's, not the page's.
  useLayoutEffect(() => {
    const zone = dropZone.current;
    if (!zone) return;
    const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!zone.contains(e.relatedTarget as Node | null)) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      setDragging(false);
      adding.current(Array.from(e.dataTransfer?.files ?? []));
    };
    zone.addEventListener('dragover', over);
    zone.addEventListener('dragleave', leave);
    zone.addEventListener('drop', drop);
    return () => {
      zone.removeEventListener('dragover', over);
      zone.removeEventListener('dragleave', leave);
      zone.removeEventListener('drop', drop);
    };
  }, []);

  function cancelFiles() {
    setFiles([]);
    setCaption('');
    area.current?.focus();
  }

  /**
   * The preview's Send: each file its own draft, then the caption as a text reply, one after another. A
   * caption from a template may hold a variable the chat has no value for: asked first, as for a reply.
   */
  function sendFiles(filled?: Record<string, string>) {
    const given = filled ? caption.replace(/\{\w+\}/g, (v) => filled[v]?.trim() || v) : caption;
    const words = given.trim() ? given : '';
    if (words && textProblem(words)) return;
    const left = unfilledVariables(words);
    if (left.length > 0) {
      unfilledFor.current = 'caption';
      return setUnfilled(Object.fromEntries(left.map((v) => [v, filled?.[v] ?? ''])));
    }
    setUnfilled(null);
    const { seenMessageId } = text ? base() : seen();
    const items: BatchItem[] = files.map((file) => ({ item: fileItem(file, seenMessageId), file }));
    if (words) items.push({ item: textItem(words, seenMessageId), caption: words });
    setFiles([]);
    setCaption('');
    batch.run(key, items, start);
    area.current?.focus();
  }

  function textItem(body: string, seenMessageId: number): Outgoing {
    return {
      clientId: newClientId(),
      label: body.length > 80 ? `${body.slice(0, 80)}…` : body,
      state: 'sending',
      seenMessageId,
      text: body,
      send: (o) =>
        api.sendText(chat, {
          text: body,
          clientId: o.clientId,
          seenMessageId: o.seenMessageId,
          ...(o.acceptAssignee ? { acceptAssignee: o.acceptAssignee } : {}),
          ownMessageIds: outbox.ownMessageIds(key),
        }),
    };
  }

  function fileItem(file: File, seenMessageId: number): Outgoing {
    return {
      clientId: newClientId(),
      label: file.name,
      state: 'sending',
      seenMessageId,
      send: (o) =>
        api.sendFile(chat, file, {
          'X-Client-Id': o.clientId,
          'X-Seen-Message-Id': String(o.seenMessageId),
          ...(o.acceptAssignee ? { 'X-Accept-Assignee': encodeURIComponent(o.acceptAssignee) } : {}),
          'X-Own-Message-Ids': outbox.ownMessageIds(key).join(','),
        }),
    };
  }

  function useTemplate(template: Template) {
    setPicker(false);
    base();
    if (template.files.length > 0) return withFiles(template);
    setText((current) => (current ? `${current}\n` : '') + fillTemplate(template.text, values));
    area.current?.focus();
  }

  /**
   * A template that carries files goes into the file preview: its files, and its text as their caption,
   * so the preview's Send sends them all (each once, through the send ledger) and its Cancel drops them.
   */
  function withFiles(template: Template) {
    setProblem(null);
    templateBook
      .files(template)
      .then((loaded) => {
        setCaption((current) => (current ? `${current}\n` : '') + fillTemplate(template.text, values));
        addFiles(loaded);
      })
      .catch((error: unknown) =>
        setProblem(w('filesFailed', { m: error instanceof Error ? error.message : String(error) })),
      );
  }

  /** Follows the cursor: a `/query` just before it offers the templates whose names match. */
  function followSlash(value: string, cursor: number) {
    const found = slashQuery(value, cursor);
    const matches = found ? matchTemplates(templates, found.query) : [];
    if (!found || matches.length === 0) {
      setSlash(null);
      return;
    }
    setSlash({ start: found.start, end: cursor, matches });
    setSlashIndex(0);
  }

  /** The chosen template, filled, in place of the `/query` typed. */
  function insertSlash(template: Template) {
    if (!slash) return;
    if (template.files.length > 0) {
      setSlash(null);
      setText(text.slice(0, slash.start) + text.slice(slash.end));
      base();
      withFiles(template);
      return;
    }
    const filledText = fillTemplate(template.text, values);
    const next = text.slice(0, slash.start) + filledText + text.slice(slash.end);
    const caret = slash.start + filledText.length;
    setSlash(null);
    base();
    setText(next);
    setUnfilled(null);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(caret, caret);
    });
  }

  const left = unfilledVariables(text);

  commands.current = {
    focus: () => area.current?.focus(),
    send: () => sendText(),
    templates: () => setPicker(true),
  };

  useEffect(() => () => window.clearTimeout(typingTimer.current), []);

  return (
    <section class={`reply${dragging ? ' dragging' : ''}`} ref={dropZone}>
      {outgoing.length > 0 ? (
        <ul class="outgoing">
          {outgoing.map((o) => (
            <li key={o.clientId} class={`out ${o.state}`} data-state={o.state}>
              <span class="what">
                <bdi>{o.label}</bdi>
              </span>
              <span class="state" role="status">
                {o.state === 'sending'
                  ? t('pending')
                  : o.state === 'checking'
                    ? t('checking')
                    : o.state === 'sent'
                      ? t('sent')
                      : o.state === 'maybeSent'
                        ? `${t('maybeSent')}${o.error ? ` (${o.error})` : ''}`
                        : t('failed', { m: o.error ?? '' })}
              </span>
              {o.state === 'maybeSent' || o.state === 'notSent' ? (
                <span class="actions">
                  <button type="button" onClick={() => onSent()}>
                    {t('checkChat')}
                  </button>
                  <button
                    type="button"
                    onClick={() => {
                      // A new draft: it goes through every check again, from what the first one saw.
                      setOutgoing((list) => list.filter((x) => x.clientId !== o.clientId));
                      start({ ...o, clientId: newClientId() });
                    }}
                  >
                    {t('sendAgain')}
                  </button>
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {question ? (
        <div
          class="conflict"
          role="alertdialog"
          aria-label={question.kind === 'busy' ? t('tryAgain') : t('sendAnyway')}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.stopPropagation();
            answerQuestion(false);
          }}
        >
          <p>
            {question.kind === 'replied'
              ? t('repliedMeanwhile', { who: question.who })
              : question.kind === 'movedOn'
                ? t('chatMovedOn')
                : question.kind === 'assigned'
                  ? t('assignedTo', { who: question.who })
                  : t('busy', { who: question.who })}
          </p>
          {(question.kind === 'replied' || question.kind === 'movedOn') && question.said.length > 0 ? (
            <ul class="said">
              {question.said.map((line, i) => (
                <li key={i}>
                  <bdi>{line}</bdi>
                </li>
              ))}
            </ul>
          ) : null}
          <button type="button" onClick={() => answerQuestion(true)}>
            {question.kind === 'replied' || question.kind === 'movedOn'
              ? t('sendAnyway')
              : question.kind === 'assigned'
                ? t('replyAnyway')
                : t('tryAgain')}
          </button>
          <button type="button" ref={dialogCancel} onClick={() => answerQuestion(false)}>
            {t('cancel')}
          </button>
        </div>
      ) : null}
      {unfilled ? (
        <div
          class="conflict"
          role="alertdialog"
          aria-labelledby="unfilled-title"
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.stopPropagation();
            setUnfilled(null);
            area.current?.focus();
          }}
        >
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (unfilledFor.current === 'caption') sendFiles(unfilled);
              else sendText(unfilled);
            }}
          >
            <p id="unfilled-title">
              {w('unfilledAsk', { vars: Object.keys(unfilled).join(', ') })} {w('fillBeforeSend')}
            </p>
            {Object.entries(unfilled).map(([name, value]) => (
              <label class="field" key={name}>
                {name}
                <input
                  value={value}
                  required
                  onInput={(e) =>
                    setUnfilled({ ...unfilled, [name]: (e.currentTarget as HTMLInputElement).value })
                  }
                />
              </label>
            ))}
            <button type="submit" disabled={Object.values(unfilled).some((v) => v.trim() === '')}>
              {w('fillAndSend')}
            </button>
            <button
              type="button"
              ref={dialogCancel}
              onClick={() => {
                setUnfilled(null);
                area.current?.focus();
              }}
            >
              {t('cancel')}
            </button>
          </form>
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
                if (e.key !== 'Escape') return;
                setPicker(false);
                area.current?.focus();
              }}
            >
              <strong>{tpl.name}</strong> <span>{fillTemplate(tpl.text, values)}</span>
            </button>
          ))}
        </div>
      ) : null}
      {files.length > 0 ? (
        <FilePreview
          t={t}
          files={files}
          caption={caption}
          captionProblem={
            caption.trim() && textProblem(caption) ? t('tooLong', { max: MESSAGE_MAX_LENGTH }) : null
          }
          onCaption={setCaption}
          onRemove={(i) => {
            const left = files.filter((_, j) => j !== i);
            setFiles(left);
            if (left.length === 0) cancelFiles();
          }}
          onSend={() => sendFiles()}
          onCancel={cancelFiles}
        />
      ) : null}
      {slash ? (
        <div class="picker slash" role="listbox" id="slash-templates" aria-label={w('matches')}>
          {slash.matches.map((tpl, i) => (
            <div
              role="option"
              tabIndex={-1}
              id={`slash-template-${tpl.id}`}
              key={tpl.id}
              aria-selected={i === slashIndex}
              class={i === slashIndex ? 'active' : ''}
              // Chosen by mouse too; mousedown, so the reply box keeps its focus and cursor.
              onMouseDown={(e) => {
                e.preventDefault();
                insertSlash(tpl);
              }}
            >
              <strong>/{tpl.name}</strong> <span>{fillTemplate(tpl.text, values)}</span>
            </div>
          ))}
        </div>
      ) : null}
      <textarea
        ref={area}
        aria-label={t('reply')}
        aria-describedby={left.length > 0 ? 'reply-counter reply-unfilled' : 'reply-counter'}
        aria-autocomplete="list"
        aria-controls={slash ? 'slash-templates' : undefined}
        aria-activedescendant={slash ? `slash-template-${slash.matches[slashIndex]?.id}` : undefined}
        value={text}
        rows={3}
        onBlur={() => setSlash(null)}
        onInput={(e) => {
          const field = e.currentTarget as HTMLTextAreaElement;
          const value = field.value;
          followSlash(value, field.selectionStart ?? value.length);
          if (value) base();
          else draftBase.current = null;
          setText(value);
          setUnfilled(null);
          onTyping(true);
          window.clearTimeout(typingTimer.current);
          typingTimer.current = window.setTimeout(() => onTyping(false), 3000);
        }}
        onKeyDown={(e) => {
          if (slash) {
            const n = slash.matches.length;
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              setSlashIndex((i) => (i + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
              return;
            }
            if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey) {
              e.preventDefault();
              insertSlash(slash.matches[slashIndex] ?? slash.matches[0]!);
              return;
            }
            if (e.key === 'Escape') {
              // Closes the suggestions only; the reply box keeps the focus.
              e.stopPropagation();
              setSlash(null);
              return;
            }
          }
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            sendText();
          }
        }}
        onPaste={(e) => {
          // A pasted screenshot or copied file opens the preview; pasted text stays text.
          const pasted = Array.from(e.clipboardData?.files ?? []);
          if (pasted.length === 0) return;
          e.preventDefault();
          addFiles(pasted);
        }}
      />
      {left.length > 0 ? (
        <p id="reply-unfilled" class="unfilled-mark">
          {w('unfilledMark', { vars: left.join(', ') })}
        </p>
      ) : null}
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
          {w('insertTemplate')}
        </button>
        <button type="button" aria-label={t('attachFile')} onClick={() => fileInput.current?.click()}>
          <PaperClip />
        </button>
        <input
          ref={fileInput}
          type="file"
          class="hidden"
          multiple
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            const input = e.currentTarget as HTMLInputElement;
            const chosen = Array.from(input.files ?? []);
            input.value = '';
            addFiles(chosen);
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
