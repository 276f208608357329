/**
 * Quick replies, kept per business in the store and edited in the page by the business's agents (every
 * `serve` on the database shows the same ones). Variables (`{customerName}`, `{orderId}`, `{returnId}`,
 * `{chatId}`, `{agentName}`) are filled in the page from the open chat; see shared/template-fill.ts.
 */
import { FILE_MAX_BYTES, MESSAGE_MAX_LENGTH, textProblem } from '../shared/limits.js';
import { TEMPLATE_VARIABLES, unknownVariables } from '../shared/template-fill.js';

export interface Template {
  id: number;
  businessId: number;
  /** What `/name` in the reply box looks for; unique within the business. */
  name: string;
  text: string;
  updatedAt: string;
  /** The agent who last saved it (absent for a built-in seed). */
  updatedBy?: string;
  /** Files inserted with the text into the reply's file preview, oldest first (their bytes are read apart). */
  files: TemplateFile[];
}

/** A file a template carries, as listed (its bytes come from `readFile`). */
export interface TemplateFile {
  id: number;
  name: string;
  /** The MIME type the browser gave it (the preview's thumbnail needs it), or empty. */
  type: string;
  size: number;
}

/** A file to attach: what a reply's file is, plus its type. */
export interface TemplateFileUpload {
  name: string;
  type: string;
  data: Buffer;
}

/**
 * A reply's files obey one rule (shared/limits.ts: any type, 1 byte to FILE_MAX_BYTES each); a template
 * adds a count, since every insertion sends them all.
 */
export const TEMPLATE_FILES_MAX = 10;
export const FILE_NAME_MAX = 255;

/** A template as written: a name and a text. */
export interface TemplateDraft {
  name: string;
  text: string;
}

/** What a business starts with, the first time its templates are read; the team changes them from there. */
export const DEFAULT_TEMPLATES: readonly TemplateDraft[] = [
  {
    name: 'Приветствие',
    text: 'Здравствуйте, {customerName}! Спасибо за обращение, уже смотрим заказ {orderId}.',
  },
  {
    name: 'Заказ в пути',
    text: 'Заказ {orderId} передан в доставку. Статус можно отслеживать в приложении Маркета.',
  },
  {
    name: 'Возврат',
    text: 'Возврат {returnId} получили, деньги вернутся в течение нескольких дней после проверки.',
  },
  {
    name: 'Thank you',
    text: 'Thank you, {customerName}! Let us know if there is anything else about order {orderId}.',
  },
];

export const TEMPLATE_NAME_MAX = 60;

export type TemplateErrorCode = 'BAD_TEMPLATE' | 'BAD_FILE' | 'NAME_TAKEN' | 'NO_TEMPLATE' | 'NO_FILE';

/** A refused change, with the code the API answers and a sentence naming the problem and the fix. */
export class TemplateError extends Error {
  constructor(
    readonly code: TemplateErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The draft trimmed and checked: a clear `TemplateError` for a name or text that cannot be saved. */
export function checkTemplate(draft: TemplateDraft): TemplateDraft {
  const name = draft.name.trim();
  const text = draft.text.trim();
  if (name === '' || name.length > TEMPLATE_NAME_MAX || /[\p{C}]/u.test(name))
    throw new TemplateError(
      'BAD_TEMPLATE',
      `a template name is 1–${TEMPLATE_NAME_MAX} characters on one line`,
    );
  const problem = textProblem(text);
  if (problem === 'empty') throw new TemplateError('BAD_TEMPLATE', 'a template needs a text');
  if (problem === 'too_long')
    throw new TemplateError('BAD_TEMPLATE', `a template's text is at most ${MESSAGE_MAX_LENGTH} characters`);
  if (problem) throw new TemplateError('BAD_TEMPLATE', "the template's text is not valid Unicode");
  const unknown = unknownVariables(text);
  if (unknown.length > 0)
    throw new TemplateError(
      'BAD_TEMPLATE',
      `${unknown.join(', ')} is not a variable; use ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(', ')}`,
    );
  return { name, text };
}

export const nameTaken = (name: string) =>
  new TemplateError('NAME_TAKEN', `a template named "${name}" exists already; pick another name`);

export const noTemplate = () =>
  new TemplateError('NO_TEMPLATE', 'no such template (deleted meanwhile?); reload the list');

export const noFile = () =>
  new TemplateError('NO_FILE', 'no such file in the template (removed meanwhile?); reload the list');

/** The upload checked against the reply's file rule and the template's count (`present`: files it has). */
export function checkTemplateFile(file: TemplateFileUpload, present: number): TemplateFileUpload {
  const name = file.name.trim();
  if (name === '' || name.length > FILE_NAME_MAX || /[\p{C}]/u.test(name))
    throw new TemplateError('BAD_FILE', `a file name is 1–${FILE_NAME_MAX} characters on one line`);
  if (file.data.length === 0)
    throw new TemplateError('BAD_FILE', `"${name}" is empty; attach a file with content`);
  if (file.data.length > FILE_MAX_BYTES)
    throw new TemplateError(
      'BAD_FILE',
      `"${name}" is over ${FILE_MAX_BYTES / 1024 / 1024} MB, the platform's limit for one file; attach a smaller one`,
    );
  if (present >= TEMPLATE_FILES_MAX)
    throw new TemplateError(
      'BAD_FILE',
      `a template carries at most ${TEMPLATE_FILES_MAX} files; remove one before attaching another`,
    );
  // A type is a token/token pair (what the preview and the download send back); anything else is dropped.
  const type = /^[\w.+-]+\/[\w.+-]+$/.test(file.type) ? file.type.toLowerCase() : '';
  return { name, type, data: file.data };
}

/** A business's templates, shared by its agents; the store's implementation is store/sql-templates.ts. */
export interface TemplateStore {
  /** Oldest first; a business read for the first time gets the seeds. */
  list(businessId: number): Promise<Template[]>;
  create(businessId: number, draft: TemplateDraft, by: string): Promise<Template>;
  update(businessId: number, id: number, draft: TemplateDraft, by: string): Promise<Template>;
  /** Deletes the template and its files. */
  remove(businessId: number, id: number): Promise<void>;
  /** Attaches a file (checked by `checkTemplateFile`); the template's list shows it from then on. */
  addFile(
    businessId: number,
    templateId: number,
    file: TemplateFileUpload,
    by: string,
  ): Promise<TemplateFile>;
  removeFile(businessId: number, templateId: number, fileId: number, by: string): Promise<void>;
  /** The file's bytes, to put into a reply's file preview. */
  readFile(businessId: number, templateId: number, fileId: number): Promise<TemplateFile & { data: Buffer }>;
}

/** Templates in this process's memory (`createInbox` over a source without a database). */
export class MemoryTemplateStore implements TemplateStore {
  private readonly byBusiness = new Map<number, Template[]>();
  private readonly bytes = new Map<number, Buffer>();
  private nextId = 1;
  private nextFileId = 1;

  constructor(
    private readonly seeds: readonly TemplateDraft[] = DEFAULT_TEMPLATES,
    private readonly now: () => number = Date.now,
  ) {
    seeds.forEach(checkTemplate);
  }

  private of(businessId: number): Template[] {
    let list = this.byBusiness.get(businessId);
    if (!list) {
      const at = new Date(this.now()).toISOString();
      list = this.seeds.map((s) => ({
        id: this.nextId++,
        businessId,
        ...checkTemplate(s),
        updatedAt: at,
        files: [],
      }));
      this.byBusiness.set(businessId, list);
    }
    return list;
  }

  async list(businessId: number) {
    return this.of(businessId).map(copy);
  }

  async create(businessId: number, draft: TemplateDraft, by: string) {
    const checked = checkTemplate(draft);
    const list = this.of(businessId);
    if (list.some((t) => t.name === checked.name)) throw nameTaken(checked.name);
    const made: Template = {
      id: this.nextId++,
      businessId,
      ...checked,
      updatedAt: new Date(this.now()).toISOString(),
      updatedBy: by,
      files: [],
    };
    list.push(made);
    return copy(made);
  }

  async update(businessId: number, id: number, draft: TemplateDraft, by: string) {
    const checked = checkTemplate(draft);
    const list = this.of(businessId);
    const found = list.find((t) => t.id === id);
    if (!found) throw noTemplate();
    if (list.some((t) => t.id !== id && t.name === checked.name)) throw nameTaken(checked.name);
    Object.assign(found, checked, { updatedAt: new Date(this.now()).toISOString(), updatedBy: by });
    return copy(found);
  }

  async remove(businessId: number, id: number) {
    const list = this.of(businessId);
    const at = list.findIndex((t) => t.id === id);
    if (at < 0) throw noTemplate();
    for (const file of list[at]!.files) this.bytes.delete(file.id);
    list.splice(at, 1);
  }

  private find(businessId: number, templateId: number): Template {
    const found = this.of(businessId).find((t) => t.id === templateId);
    if (!found) throw noTemplate();
    return found;
  }

  async addFile(businessId: number, templateId: number, upload: TemplateFileUpload, by: string) {
    const template = this.find(businessId, templateId);
    const { name, type, data } = checkTemplateFile(upload, template.files.length);
    const file: TemplateFile = { id: this.nextFileId++, name, type, size: data.length };
    this.bytes.set(file.id, Buffer.from(data));
    template.files.push(file);
    Object.assign(template, { updatedAt: new Date(this.now()).toISOString(), updatedBy: by });
    return { ...file };
  }

  async removeFile(businessId: number, templateId: number, fileId: number, by: string) {
    const template = this.find(businessId, templateId);
    const at = template.files.findIndex((f) => f.id === fileId);
    if (at < 0) throw noFile();
    template.files.splice(at, 1);
    this.bytes.delete(fileId);
    Object.assign(template, { updatedAt: new Date(this.now()).toISOString(), updatedBy: by });
  }

  async readFile(businessId: number, templateId: number, fileId: number) {
    const file = this.find(businessId, templateId).files.find((f) => f.id === fileId);
    const data = file && this.bytes.get(fileId);
    if (!file || !data) throw noFile();
    return { ...file, data: Buffer.from(data) };
  }
}

const copy = (t: Template): Template => ({ ...t, files: t.files.map((f) => ({ ...f })) });
