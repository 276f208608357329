/** How chats and messages look in a terminal. JSON output never comes through here. */
import type { Chat, ChatMessage } from '@ym-chats/sdk';
import type { Colors } from './color.js';
import { contextLabel, customerLabel, humanSize, humanTime } from './format.js';
import { safeLine, safeText } from './safe-text.js';
import { type Column, renderFields, renderTable } from './table.js';

export function statusStyle(c: Colors, status: string): (text: string) => string {
  if (status === 'WAITING_FOR_PARTNER' || status === 'NEW') return c.yellow;
  if (status === 'FINISHED') return c.dim;
  if (status.startsWith('WAITING_FOR_ARBITER') || status === 'WAITING_FOR_MARKET') return c.magenta;
  return (t) => t;
}

export function chatsTable(chats: Chat[], c: Colors, maxWidth: number): string {
  const columns: Column<Chat>[] = [
    { header: 'CHAT', value: (r) => String(r.chatId), align: 'right', style: (t) => c.bold(t) },
    {
      header: 'STATUS',
      value: (r) => String(r.status),
      style: (t, r) => statusStyle(c, String(r.status))(t),
    },
    {
      header: 'TYPE',
      value: (r) => String(r.type),
      style: (t, r) => (r.type === 'ARBITRAGE' ? c.magenta(t) : t),
    },
    { header: 'CONTEXT', value: (r) => contextLabel(r) },
    { header: 'CUSTOMER', value: (r) => customerLabel(r), flexible: true },
    { header: 'UPDATED', value: (r) => humanTime(r.updatedAt), style: (t) => c.dim(t) },
  ];
  return renderTable(chats, columns, { maxWidth, headerStyle: c.bold });
}

export function chatFields(chat: Chat, c: Colors): string {
  const fields: [string, string][] = [
    ['Chat', c.bold(safeLine(String(chat.chatId)))],
    ['Status', statusStyle(c, String(chat.status))(safeLine(String(chat.status)))],
    ['Type', safeLine(String(chat.type))],
    ['Context', safeLine(contextLabel(chat))],
  ];
  const customer = chat.context?.customer;
  if (customer?.name || customer?.publicId) {
    fields.push([
      'Customer',
      safeLine([customer.name, customer.publicId ? `(${customer.publicId})` : ''].filter(Boolean).join(' ')),
    ]);
  }
  if (chat.context?.campaignId !== undefined)
    fields.push(['Campaign', safeLine(String(chat.context.campaignId))]);
  fields.push(
    ['Created', safeLine(humanTime(chat.createdAt))],
    ['Updated', safeLine(humanTime(chat.updatedAt))],
  );
  return renderFields(fields, c.dim);
}

export function senderStyle(c: Colors, sender: string): (text: string) => string {
  if (sender === 'CUSTOMER') return c.cyan;
  if (sender === 'PARTNER') return c.green;
  if (sender === 'SUPPORT' || sender === 'MARKET') return c.magenta;
  return (t) => t;
}

/**
 * A message as a small block: header line, then the full text (never cut: this is what support reads),
 * then one line per attachment with name, size and URL.
 */
export function messageBlock(message: ChatMessage, c: Colors, chatId?: number | string): string {
  const head = [
    c.bold(`#${safeLine(String(message.messageId))}`),
    c.dim(safeLine(humanTime(message.createdAt))),
    senderStyle(c, String(message.sender))(safeLine(String(message.sender))),
  ];
  if (chatId !== undefined) head.splice(1, 0, `chat ${safeLine(String(chatId))}`);
  const lines = [head.join('  ')];
  if (message.message !== undefined && message.message !== '') {
    for (const line of message.message.split(/\r?\n/)) lines.push(`  ${safeText(line)}`);
  }
  for (const file of message.payload ?? []) {
    const name = file.name === '' ? '(no name)' : safeLine(file.name);
    lines.push(
      `  ${c.yellow('attachment:')} ${name}  ${humanSize(file.size)}  ${c.dim(safeLine(String(file.url)))}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
