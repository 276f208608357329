/**
 * The page's copy of each business's templates: read from the server when a chat or the dialog needs
 * them, changed through the dialog, and shared by every component showing them (the reply box's `/name`
 * and `t` pickers, the dialog). Another agent's change shows at the next read (opening a chat or the
 * dialog).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Template, TemplateFile } from '../src/team/templates.js';
import { ApiFailure, call } from './api.js';

export type { Template, TemplateFile };

const path = (businessId: number) => `/api/businesses/${businessId}/templates`;
const json = (body: unknown) => [JSON.stringify(body), { 'Content-Type': 'application/json' }] as const;

class TemplateBook {
  private readonly lists = new Map<number, Template[]>();
  private readonly listeners = new Set<() => void>();
  /** The agent writing, for `{agentName}`. */
  agentName = '';

  get(businessId: number): Template[] | undefined {
    return this.lists.get(businessId);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(businessId: number, list: Template[]): void {
    this.lists.set(businessId, list);
    for (const listener of this.listeners) listener();
  }

  async load(businessId: number): Promise<Template[]> {
    const { templates } = await call<{ templates: Template[] }>('GET', path(businessId));
    this.set(businessId, templates);
    return templates;
  }

  async create(businessId: number, draft: { name: string; text: string }): Promise<Template> {
    const { template } = await call<{ template: Template }>('POST', path(businessId), ...json(draft));
    this.set(businessId, [...(this.lists.get(businessId) ?? []), template]);
    return template;
  }

  async update(businessId: number, id: number, draft: { name: string; text: string }): Promise<Template> {
    const { template } = await call<{ template: Template }>(
      'PUT',
      `${path(businessId)}/${id}`,
      ...json(draft),
    );
    this.set(
      businessId,
      (this.lists.get(businessId) ?? []).map((t) => (t.id === id ? template : t)),
    );
    return template;
  }

  /** Attaches a file to a saved template (the server checks it by the reply's file rule). */
  async addFile(businessId: number, id: number, file: File): Promise<TemplateFile> {
    const { file: added } = await call<{ file: TemplateFile }>(
      'POST',
      `${path(businessId)}/${id}/files`,
      file,
      {
        'Content-Type': 'application/octet-stream',
        'X-File-Name': encodeURIComponent(file.name),
        'X-File-Type': file.type,
      },
    );
    return added;
  }

  async removeFile(businessId: number, id: number, fileId: number): Promise<void> {
    await call<{ ok: true }>('DELETE', `${path(businessId)}/${id}/files/${fileId}`);
  }

  /**
   * A template's files as the browser's `File`s, for the reply's file preview (which sends them like files
   * the agent chose); the type is the one they were attached with, so images get their thumbnail.
   */
  async files(template: Template): Promise<File[]> {
    return Promise.all(
      template.files.map(async (f) => {
        const response = await fetch(`${path(template.businessId)}/${template.id}/files/${f.id}`, {
          credentials: 'same-origin',
        });
        if (!response.ok) {
          const body = (await response.json().catch(() => ({}))) as {
            error?: { code?: string; message?: string };
          };
          throw new ApiFailure(
            response.status,
            body.error?.code ?? 'HTTP',
            body.error?.message ?? response.statusText,
            body,
          );
        }
        return new File([await response.blob()], f.name, f.type ? { type: f.type } : {});
      }),
    );
  }

  async remove(businessId: number, id: number): Promise<void> {
    await call<{ ok: true }>('DELETE', `${path(businessId)}/${id}`);
    this.set(
      businessId,
      (this.lists.get(businessId) ?? []).filter((t) => t.id !== id),
    );
  }
}

export const templateBook = new TemplateBook();

/** A business's templates, read when first asked for (and again when `version` changes). */
export function useTemplates(businessId: number, version = 0): Template[] {
  const [list, setList] = useState<Template[]>(() => templateBook.get(businessId) ?? []);
  useEffect(() => {
    setList(templateBook.get(businessId) ?? []);
    const stop = templateBook.subscribe(() => setList(templateBook.get(businessId) ?? []));
    templateBook.load(businessId).catch(() => undefined);
    return stop;
  }, [businessId, version]);
  return list;
}

/** Templates whose name matches what follows `/` (case-insensitive): names starting with it first. */
export function matchTemplates(list: Template[], query: string): Template[] {
  const q = query.toLocaleLowerCase();
  const starts = list.filter((t) => t.name.toLocaleLowerCase().startsWith(q));
  const contains = list.filter((t) => !starts.includes(t) && t.name.toLocaleLowerCase().includes(q));
  return [...starts, ...contains];
}

/** The `/query` being typed just before the cursor (at a line's start or after a space), if any. */
export function slashQuery(text: string, cursor: number): { start: number; query: string } | undefined {
  const before = text.slice(0, cursor);
  const m = /(^|\s)\/([^\n/]{0,60})$/.exec(before);
  if (!m) return undefined;
  return { start: before.length - m[2]!.length - 1, query: m[2]! };
}
