/**
 * The Templates dialog: a business's quick replies listed, added, edited and deleted — shared by the
 * business's agents (the server keeps them in the store). Keys stay inside it: Tab cycles its controls,
 * Esc closes the form and then the dialog, and the page's letter shortcuts wait until it is closed.
 */
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { admitFiles, FILE_MAX_MB, type FileRefusal } from '../src/shared/file-admission.js';
import { TEMPLATE_VARIABLES } from '../src/shared/template-fill.js';
import { TEMPLATE_FILES_MAX } from '../src/team/templates.js';
import { ApiFailure } from './api.js';
import { fileSize } from './file-preview.js';
import type { T } from './i18n.js';
import { FileIcon } from './icons.js';
import { keepTabInside, useModalFocus } from './modal-focus.js';
import { type Template, type TemplateFile, templateBook, useTemplates } from './templates-book.js';
import { type TT, templateWords } from './templates-i18n.js';

interface Props {
  t: T;
  /** The button that opened the dialog: the focus goes back to it. */
  opener: RefObject<HTMLElement | null>;
  businessIds: readonly number[];
  /** The open chat's business, else the agent's first. */
  businessId: number;
  onClose: () => void;
}

/** The form: the saved files it keeps, and the files chosen here, uploaded on Save. */
type Editing = { id: number | null; name: string; text: string; kept: TemplateFile[]; added: File[] };

/** The words for a file the template may not carry (the rule is shared/file-admission.ts). */
function refusalText(w: TT, refusal: FileRefusal): string {
  switch (refusal.reason) {
    case 'empty':
      return w('fileEmpty', { name: refusal.name });
    case 'too_big':
      return w('fileTooBig', { name: refusal.name, mb: FILE_MAX_MB });
    case 'too_many':
      return w('tooManyFiles', { n: refusal.max });
  }
}

export function TemplatesDialog({ t, opener, businessIds, businessId: initial, onClose }: Props) {
  const w = templateWords(t);
  const [businessId, setBusinessId] = useState(initial);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const list = useTemplates(businessId, version);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<Template | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const sheet = useRef<HTMLDivElement>(null);
  const nameField = useRef<HTMLInputElement>(null);
  const textField = useRef<HTMLTextAreaElement>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useModalFocus(sheet, opener, onKeyDown);

  useEffect(() => {
    setLoadError(null);
    templateBook
      .load(businessId)
      .catch((e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, [businessId]);

  // The form opens at its first field; when it closes (or a deleted row takes its focused button along)
  // the focus comes back inside the dialog, so Esc and Tab keep working there. A layout effect, in the
  // render's own task: a plain one waits for the next frame, and then pulled the focus back to the name
  // from a field the agent had already clicked into and was typing in.
  useLayoutEffect(() => {
    if (editing) {
      nameField.current?.focus();
      return;
    }
    if (!sheet.current?.contains(document.activeElement)) newButton.current?.focus();
  }, [editing === null, deleting, list.length]);

  function stopEditing() {
    setEditing(null);
    setProblem(null);
  }

  async function save(e: Event) {
    e.preventDefault();
    if (!editing) return;
    setProblem(null);
    let saved: Template | undefined;
    const added = [...editing.added];
    try {
      const draft = { name: editing.name, text: editing.text };
      saved =
        editing.id === null
          ? await templateBook.create(businessId, draft)
          : await templateBook.update(businessId, editing.id, draft);
      // Then its files: those the form let go, then those chosen here (the server checks each again).
      const gone = saved.files.filter((f) => !editing.kept.some((k) => k.id === f.id));
      for (const file of gone) await templateBook.removeFile(businessId, saved.id, file.id);
      while (added.length > 0) {
        await templateBook.addFile(businessId, saved.id, added[0]!);
        added.shift();
      }
      if (gone.length > 0 || editing.added.length > 0) await templateBook.load(businessId);
      stopEditing();
      setStatus(w('saved'));
    } catch (error) {
      setProblem(w('saveFailed', { m: error instanceof Error ? error.message : String(error) }));
      // Deleted meanwhile by a colleague: the list is read again.
      if (error instanceof ApiFailure && error.code === 'NO_TEMPLATE') setVersion((v) => v + 1);
      else if (saved) {
        // The text was saved and some files may be: the form goes on from what the server has now.
        const id = saved.id;
        const fresh = (await templateBook.load(businessId).catch(() => [])).find((t) => t.id === id);
        setEditing({ ...editing, id, kept: fresh?.files ?? editing.kept, added });
      }
    }
  }

  function chooseFiles(chosen: File[]) {
    if (!editing) return;
    const room = { max: TEMPLATE_FILES_MAX, present: editing.kept.length + editing.added.length };
    const { admitted, refused } = admitFiles(chosen, room);
    const last = refused.at(-1);
    setProblem(last ? refusalText(w, last) : null);
    setEditing({ ...editing, added: [...editing.added, ...admitted] });
  }

  async function remove(template: Template) {
    setDeleting(null);
    try {
      await templateBook.remove(businessId, template.id);
      setStatus(w('deleted'));
    } catch (error) {
      setProblem(w('saveFailed', { m: error instanceof Error ? error.message : String(error) }));
      setVersion((v) => v + 1);
    }
  }

  /** A variable put where the text's cursor is. */
  function insertVariable(name: string) {
    const area = textField.current;
    if (!editing || !area) return;
    const at = area.selectionStart ?? editing.text.length;
    const end = area.selectionEnd ?? at;
    const token = `{${name}}`;
    setEditing({ ...editing, text: editing.text.slice(0, at) + token + editing.text.slice(end) });
    requestAnimationFrame(() => {
      area.focus();
      area.setSelectionRange(at + token.length, at + token.length);
    });
  }

  function onKeyDown(e: KeyboardEvent) {
    // The page's letter shortcuts and its Esc are not for keys pressed in here.
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      if (deleting) setDeleting(null);
      else if (editing) stopEditing();
      else onClose();
      return;
    }
    keepTabInside(e, sheet.current);
  }

  const variables = TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(', ');
  return (
    <div class="overlay templates-overlay">
      <div
        class="sheet templates-sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="templates-title"
        ref={sheet}
        onKeyDown={onKeyDown}
      >
        <h2 id="templates-title">{w('templates')}</h2>
        {businessIds.length > 1 ? (
          <label class="field">
            {w('business')}
            <select
              value={String(businessId)}
              onChange={(e) => {
                stopEditing();
                setBusinessId(Number((e.currentTarget as HTMLSelectElement).value));
              }}
            >
              {businessIds.map((b) => (
                <option key={b} value={String(b)}>
                  {b}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {loadError ? (
          <p class="problem" role="alert">
            {w('loadFailed', { m: loadError })}
          </p>
        ) : null}
        {editing ? (
          <form class="template-form" aria-labelledby="template-form-title" onSubmit={(e) => void save(e)}>
            <h3 id="template-form-title">{editing.id === null ? w('newTemplate') : w('editTemplate')}</h3>
            <label class="field">
              {w('name')}
              <input
                ref={nameField}
                value={editing.name}
                maxLength={60}
                required
                onInput={(e) => setEditing({ ...editing, name: (e.currentTarget as HTMLInputElement).value })}
              />
            </label>
            <label class="field">
              {w('text')}
              <textarea
                ref={textField}
                value={editing.text}
                rows={5}
                required
                aria-describedby="template-variables"
                onInput={(e) =>
                  setEditing({ ...editing, text: (e.currentTarget as HTMLTextAreaElement).value })
                }
              />
            </label>
            <p id="template-variables" class="hint">
              {w('variables', { list: variables })}
            </p>
            <div class="variables">
              {TEMPLATE_VARIABLES.map((v) => (
                <button
                  type="button"
                  key={v}
                  aria-label={w('insertVariable', { v: `{${v}}` })}
                  onClick={() => insertVariable(v)}
                >
                  {`{${v}}`}
                </button>
              ))}
            </div>
            <fieldset class="template-files" aria-describedby="template-files-hint">
              <legend>{w('files')}</legend>
              {editing.kept.length + editing.added.length > 0 ? (
                <ul>
                  {editing.kept.map((f) => (
                    <FileRow
                      key={`kept-${f.id}`}
                      t={t}
                      w={w}
                      name={f.name}
                      size={f.size}
                      onRemove={() =>
                        setEditing({ ...editing, kept: editing.kept.filter((k) => k.id !== f.id) })
                      }
                    />
                  ))}
                  {editing.added.map((f, i) => (
                    <FileRow
                      key={`added-${i}-${f.name}`}
                      t={t}
                      w={w}
                      name={f.name}
                      size={f.size}
                      onRemove={() =>
                        setEditing({ ...editing, added: editing.added.filter((_, j) => j !== i) })
                      }
                    />
                  ))}
                </ul>
              ) : null}
              <button type="button" onClick={() => fileInput.current?.click()}>
                {w('attachFiles')}
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
                  chooseFiles(chosen);
                }}
              />
              <p id="template-files-hint" class="hint">
                {w('filesHint', { n: TEMPLATE_FILES_MAX, mb: FILE_MAX_MB })}
              </p>
            </fieldset>
            {problem ? (
              <p class="problem" role="alert">
                {problem}
              </p>
            ) : null}
            <div class="actions">
              <button type="submit" class="primary">
                {w('save')}
              </button>
              <button type="button" onClick={stopEditing}>
                {w('cancel')}
              </button>
            </div>
          </form>
        ) : (
          <>
            <button
              type="button"
              class="primary"
              ref={newButton}
              onClick={() => setEditing({ id: null, name: '', text: '', kept: [], added: [] })}
            >
              {w('newTemplate')}
            </button>
            {problem ? (
              <p class="problem" role="alert">
                {problem}
              </p>
            ) : null}
            {list.length === 0 ? <p class="hint">{w('none')}</p> : null}
            <ul class="template-list" aria-label={w('templates')}>
              {list.map((tpl) => (
                <li key={tpl.id}>
                  <div class="template-body">
                    <strong>
                      <bdi>{tpl.name}</bdi>
                    </strong>
                    <p>
                      <bdi>{tpl.text}</bdi>
                    </p>
                    {tpl.files.length > 0 ? (
                      <p class="template-files-line">
                        <FileIcon />{' '}
                        <bdi>{w('carriesFiles', { names: tpl.files.map((f) => f.name).join(', ') })}</bdi>
                      </p>
                    ) : null}
                  </div>
                  {deleting?.id === tpl.id ? (
                    <fieldset class="actions confirm">
                      <legend>{w('deleteAsk', { name: tpl.name })}</legend>
                      <button type="button" class="danger" onClick={() => void remove(tpl)}>
                        {w('delete')}
                      </button>
                      <button type="button" onClick={() => setDeleting(null)}>
                        {w('cancel')}
                      </button>
                    </fieldset>
                  ) : (
                    <div class="actions">
                      <button
                        type="button"
                        aria-label={`${w('edit')}: ${tpl.name}`}
                        onClick={() =>
                          setEditing({
                            id: tpl.id,
                            name: tpl.name,
                            text: tpl.text,
                            kept: tpl.files,
                            added: [],
                          })
                        }
                      >
                        {w('edit')}
                      </button>
                      <button
                        type="button"
                        aria-label={`${w('delete')}: ${tpl.name}`}
                        onClick={() => setDeleting(tpl)}
                      >
                        {w('delete')}
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
            <p class="hint">{w('slashHint')}</p>
          </>
        )}
        <p class="sr-only" role="status">
          {status}
        </p>
        <button type="button" class="close" onClick={onClose}>
          {w('close')}
        </button>
      </div>
    </div>
  );
}

/** A file of the form: its name and size, and a button that leaves it out. */
function FileRow(props: { t: T; w: TT; name: string; size: number; onRemove: () => void }) {
  return (
    <li>
      <FileIcon />
      <span class="name">
        <bdi>{props.name}</bdi>
      </span>
      <span class="size">{fileSize(props.t, props.size)}</span>
      <button
        type="button"
        class="remove"
        aria-label={props.w('removeFile', { name: props.name })}
        onClick={props.onRemove}
      >
        ×
      </button>
    </li>
  );
}

/** The header's button that opens the dialog; it also tells the reply box who is writing (`{agentName}`). */
export function TemplatesButton({
  t,
  agentName,
  businessIds,
  openBusinessId,
}: {
  t: T;
  agentName: string;
  businessIds: readonly number[];
  openBusinessId: number | undefined;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  templateBook.agentName = agentName;
  const first = openBusinessId ?? businessIds[0];
  return (
    <>
      <button
        type="button"
        aria-haspopup="dialog"
        ref={button}
        onClick={() => setOpen(true)}
        disabled={first === undefined}
      >
        {templateWords(t)('templates')}
      </button>
      {open && first !== undefined ? (
        <TemplatesDialog
          t={t}
          opener={button}
          businessIds={businessIds}
          businessId={first}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}
