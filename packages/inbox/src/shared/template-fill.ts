/**
 * Quick-reply variables, filled from the open chat. Shared by the page (filling, marking what is left) and
 * the server (refusing a reply that still holds one, and a template naming one that does not exist).
 */

/** Variables a quick reply may use, filled from the open chat and the agent writing. */
export interface TemplateValues {
  orderId?: number | undefined;
  returnId?: number | undefined;
  customerName?: string | undefined;
  chatId?: number | undefined;
  agentName?: string | undefined;
  /** The order's status in words of the page's language (from the order panel's data). */
  orderStatus?: string | undefined;
  /** The order's delivery date or promised window, in words of the page's language. */
  deliveryDate?: string | undefined;
}

export const TEMPLATE_VARIABLES = [
  'customerName',
  'orderId',
  'returnId',
  'chatId',
  'agentName',
  'orderStatus',
  'deliveryDate',
] as const;

const VARIABLES = new RegExp(`\\{(${TEMPLATE_VARIABLES.join('|')})\\}`, 'g');
/** Anything written like a variable: `{word}`. */
const ANY_VARIABLE = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `{name}` → value; a variable the chat has no value for stays as written so the agent sees what to fill. */
export function fillTemplate(text: string, values: TemplateValues): string {
  return text.replace(VARIABLES, (whole, name: keyof TemplateValues) => {
    const value = values[name];
    return value === undefined || value === '' ? whole : String(value);
  });
}

/**
 * The variables still written out in a reply (a template used in a chat without that value): the page
 * asks for them before sending and the server refuses a reply holding one, so none reaches a buyer.
 */
export function unfilledVariables(text: string): string[] {
  return [...new Set(text.match(VARIABLES) ?? [])];
}

/** `{word}`s in a template's text that are not variables (a typo would reach buyers as written). */
export function unknownVariables(text: string): string[] {
  const known = new Set<string>(TEMPLATE_VARIABLES);
  return [...new Set([...text.matchAll(ANY_VARIABLE)].filter((m) => !known.has(m[1]!)).map((m) => m[0]))];
}
