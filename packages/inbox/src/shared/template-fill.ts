/** Variables a quick reply may use, filled from the open chat. */
export interface TemplateValues {
  orderId?: number | undefined;
  returnId?: number | undefined;
  customerName?: string | undefined;
  chatId?: number | undefined;
}

/** `{name}` → value; unknown or missing variables stay as written so the agent sees what to fill. */
export function fillTemplate(text: string, values: TemplateValues): string {
  return text.replace(/\{(orderId|returnId|customerName|chatId)\}/g, (whole, name: keyof TemplateValues) => {
    const value = values[name];
    return value === undefined || value === '' ? whole : String(value);
  });
}
