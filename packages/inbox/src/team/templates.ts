/**
 * Quick replies. `{orderId}`, `{returnId}`, `{customerName}` and `{chatId}` are filled in the page from the
 * open chat's context; a variable the chat does not have stays visible so the agent notices it.
 */
export interface Template {
  id: string;
  title: string;
  text: string;
}

export const DEFAULT_TEMPLATES: Template[] = [
  {
    id: 'greeting',
    title: 'Приветствие',
    text: 'Здравствуйте, {customerName}! Спасибо за обращение, уже смотрим заказ {orderId}.',
  },
  {
    id: 'shipped',
    title: 'Заказ в пути',
    text: 'Заказ {orderId} передан в доставку. Статус можно отслеживать в приложении Маркета.',
  },
  {
    id: 'return',
    title: 'Возврат',
    text: 'Возврат {returnId} получили, деньги вернутся в течение нескольких дней после проверки.',
  },
  {
    id: 'thanks',
    title: 'Thank you',
    text: 'Thank you, {customerName}! Let us know if there is anything else about order {orderId}.',
  },
];

export function checkTemplates(templates: Template[]): Template[] {
  const ids = new Set<string>();
  for (const t of templates) {
    if (!t.id || ids.has(t.id)) throw new Error(`template id ${JSON.stringify(t.id)} is empty or repeated`);
    if (!t.text) throw new Error(`template ${t.id} has no text`);
    ids.add(t.id);
  }
  return templates;
}
