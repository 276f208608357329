/**
 * Quick replies, kept per business in the store and edited in the page by the business's agents (every
 * `serve` on the database shows the same ones). Variables (`{customerName}`, `{orderId}`, `{returnId}`,
 * `{chatId}`, `{agentName}`) are filled in the page from the open chat; see shared/template-fill.ts.
 */
import { MESSAGE_MAX_LENGTH, textProblem } from '../shared/limits.js';
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
}

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

export type TemplateErrorCode = 'BAD_TEMPLATE' | 'NAME_TAKEN' | 'NO_TEMPLATE';

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

/** A business's templates, shared by its agents; the store's implementation is store/sql-templates.ts. */
export interface TemplateStore {
  /** Oldest first; a business read for the first time gets the seeds. */
  list(businessId: number): Promise<Template[]>;
  create(businessId: number, draft: TemplateDraft, by: string): Promise<Template>;
  update(businessId: number, id: number, draft: TemplateDraft, by: string): Promise<Template>;
  remove(businessId: number, id: number): Promise<void>;
}

/** Templates in this process's memory (`createInbox` over a source without a database). */
export class MemoryTemplateStore implements TemplateStore {
  private readonly byBusiness = new Map<number, Template[]>();
  private nextId = 1;

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
      list = this.seeds.map((s) => ({ id: this.nextId++, businessId, ...checkTemplate(s), updatedAt: at }));
      this.byBusiness.set(businessId, list);
    }
    return list;
  }

  async list(businessId: number) {
    return this.of(businessId).map((t) => ({ ...t }));
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
    };
    list.push(made);
    return { ...made };
  }

  async update(businessId: number, id: number, draft: TemplateDraft, by: string) {
    const checked = checkTemplate(draft);
    const list = this.of(businessId);
    const found = list.find((t) => t.id === id);
    if (!found) throw noTemplate();
    if (list.some((t) => t.id !== id && t.name === checked.name)) throw nameTaken(checked.name);
    Object.assign(found, checked, { updatedAt: new Date(this.now()).toISOString(), updatedBy: by });
    return { ...found };
  }

  async remove(businessId: number, id: number) {
    const list = this.of(businessId);
    const at = list.findIndex((t) => t.id === id);
    if (at < 0) throw noTemplate();
    list.splice(at, 1);
  }
}
