/** Variables a quick reply may use, filled from the open chat. */
export interface TemplateValues {
  orderId?: number | undefined;
  returnId?: number | undefined;
  customerName?: string | undefined;
  chatId?: number | undefined;
}

const VARIABLES = /\{(orderId|returnId|customerName|chatId)\}/g;

/** `{name}` → value; unknown or missing variables stay as written so the agent sees what to fill. */
export function fillTemplate(text: string, values: TemplateValues): string {
  return text.replace(VARIABLES, (whole, name: keyof TemplateValues) => {
    const value = values[name];
    return value === undefined || value === '' ? whole : String(value);
  });
}

/** The variables still written out in a reply (a template used in a chat without that value): never sent unasked. */
export function unfilledVariables(text: string): string[] {
  return [...new Set(text.match(VARIABLES) ?? [])];
}
