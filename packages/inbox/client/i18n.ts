/** Russian by default, English on request; the choice is kept in localStorage. */
const ru = {
  chats: 'Чаты',
  messages: 'Сообщения',
  reply: 'Ответ',
  send: 'Отправить',
  attachFile: 'Прикрепить файл',
  search: 'Поиск',
  searchPlaceholder: 'Поиск по сообщениям',
  login: 'Войти',
  logout: 'Выйти',
  loginName: 'Логин',
  password: 'Пароль',
  badLogin: 'Неверный логин или пароль',
  tooMany: 'Слишком много попыток, подождите {s} с',
  status: 'Статус',
  type: 'Тип',
  context: 'Контекст',
  assignee: 'Ответственный',
  me: 'Мои',
  unassigned: 'Без ответственного',
  nobody: 'Никто',
  waiting: 'ждёт',
  order: 'Заказ',
  return: 'Возврат',
  direct: 'Вопрос о товаре',
  customer: 'Покупатель',
  dispute: 'Спор',
  noChats: 'Чатов нет',
  noHits: 'Ничего не найдено',
  pickChat: 'Выберите чат слева',
  templates: 'Шаблоны',
  counter: '{n} / {max}',
  tooLong: 'Длиннее {max} символов',
  pending: 'Отправляется…',
  sent: 'Отправлено',
  maybeSent: 'Возможно, отправлено — проверьте чат, прежде чем отправлять снова',
  checking: 'Возможно, отправлено — проверяем…',
  assignedTo: 'Чат назначен на {who}. Ответить всё равно?',
  chatMovedOn: 'Пока вы писали, в чате появилось много новых сообщений. Прочитайте их; отправить всё равно?',
  replyAnyway: 'Ответить всё равно',
  busy: '{who} сейчас отправляет ответ в этот чат.',
  tryAgain: 'Попробовать ещё раз',
  failed: 'Не отправлено: {m}',
  fileFailed: 'Файл не получен: {m}',
  fileError_FILE_HOST_NOT_ALLOWED:
    'ссылка ведёт на {host}, а не на файловый сервер Маркета, поэтому файл не запрашивается с ключом продавца',
  fileError_FILE_UNREACHABLE: 'файловый сервер недоступен',
  fileError_FILE_FETCH_FAILED: 'файловый сервер ответил ошибкой',
  fileError_FILE_TIMEOUT: 'файловый сервер не ответил за 60 с',
  fileError_NOT_SERVED: 'этот кабинет больше не обслуживается этим инбоксом',
  checkChat: 'Проверить чат',
  sendAgain: 'Отправить ещё раз',
  fileTooBig: 'Файл больше 5 МБ',
  fileEmpty: 'Файл пустой',
  repliedMeanwhile: 'Пока вы писали, в чате ответили: {who}. Отправить всё равно?',
  someone: 'кто-то в кабинете продавца или в другой программе',
  unfilled: 'В ответе не заполнено: {vars} — у этого чата нет такого значения. Отправить как есть?',
  sendAnyway: 'Отправить всё равно',
  cancel: 'Отмена',
  alsoHere: 'Здесь же: {who}',
  typing: 'печатает…',
  back: 'Назад',
  shortcuts: 'Горячие клавиши',
  close: 'Закрыть',
  scNext: 'Следующий ждущий чат',
  scDown: 'Следующий / предыдущий чат',
  scReply: 'Перейти к ответу',
  scSend: 'Отправить ответ',
  scTemplates: 'Шаблоны ответов',
  scSearch: 'Поиск',
  scHelp: 'Эта подсказка',
  audit: 'Журнал',
  more: 'Ещё',
  language: 'English',
  sender_CUSTOMER: 'Покупатель',
  sender_PARTNER: 'Продавец',
  sender_MARKET: 'Маркет',
  sender_SUPPORT: 'Поддержка',
  status_NEW: 'Новый',
  status_WAITING_FOR_CUSTOMER: 'Ждём покупателя',
  status_WAITING_FOR_PARTNER: 'Ждёт ответа',
  status_WAITING_FOR_ARBITER: 'У арбитра',
  status_WAITING_FOR_MARKET: 'Ждём Маркет',
  status_FINISHED: 'Завершён',
  type_CHAT: 'Чат',
  type_ARBITRAGE: 'Спор',
  context_ORDER: 'Заказ',
  context_RETURN: 'Возврат',
  context_DIRECT: 'Вопрос о товаре',
  s: 'с',
  min: 'мин',
  h: 'ч',
  d: 'д',
  action_sent: 'отправил(а) сообщение',
  action_file_sent: 'отправил(а) файл',
  action_maybe_sent: 'возможно, отправил(а)',
  action_send_failed: 'не смог(ла) отправить',
  action_assigned: 'назначил(а)',
  earlier: 'Загрузка…',
  assistantDrafts: 'Черновики ассистента',
  draftSend: 'Отправить',
  draftDiscard: 'Отклонить',
  draftDiscarded: 'Отклонено',
  noAssistantDrafts: 'Черновиков нет',
};

export type Key = keyof typeof ru;

const en: Record<Key, string> = {
  chats: 'Chats',
  messages: 'Messages',
  reply: 'Reply',
  send: 'Send',
  attachFile: 'Attach file',
  search: 'Search',
  searchPlaceholder: 'Search messages',
  login: 'Log in',
  logout: 'Log out',
  loginName: 'Login',
  password: 'Password',
  badLogin: 'Wrong login or password',
  tooMany: 'Too many attempts, wait {s} s',
  status: 'Status',
  type: 'Type',
  context: 'Context',
  assignee: 'Assignee',
  me: 'Mine',
  unassigned: 'Unassigned',
  nobody: 'Nobody',
  waiting: 'waiting',
  order: 'Order',
  return: 'Return',
  direct: 'Product question',
  customer: 'Customer',
  dispute: 'Dispute',
  noChats: 'No chats',
  noHits: 'Nothing found',
  pickChat: 'Pick a chat on the left',
  templates: 'Templates',
  counter: '{n} / {max}',
  tooLong: 'Over {max} characters',
  pending: 'Sending…',
  sent: 'Sent',
  maybeSent: 'May have been sent — check before resending',
  checking: 'May have been sent — checking…',
  assignedTo: 'This chat is assigned to {who}. Reply anyway?',
  chatMovedOn: 'Many new messages arrived in this chat while you were writing. Read them; send anyway?',
  replyAnyway: 'Reply anyway',
  busy: '{who} is sending a reply in this chat right now.',
  tryAgain: 'Try again',
  failed: 'Not sent: {m}',
  fileFailed: 'File not fetched: {m}',
  fileError_FILE_HOST_NOT_ALLOWED:
    "the link points to {host}, not the platform's file host, so the file is not fetched with the seller's credential",
  fileError_FILE_UNREACHABLE: 'the file host could not be reached',
  fileError_FILE_FETCH_FAILED: 'the file host answered with an error',
  fileError_FILE_TIMEOUT: 'the file host did not answer within 60 s',
  fileError_NOT_SERVED: 'this business is not served by this inbox any more',
  checkChat: 'Check the chat',
  sendAgain: 'Send again',
  fileTooBig: 'The file is over 5 MB',
  fileEmpty: 'The file is empty',
  repliedMeanwhile: 'While you were writing, {who} replied in this chat. Send anyway?',
  someone: 'someone in the seller cabinet or another integration',
  unfilled: 'The reply still has {vars} unfilled — this chat has no such value. Send it as it is?',
  sendAnyway: 'Send anyway',
  cancel: 'Cancel',
  alsoHere: 'Also here: {who}',
  typing: 'typing…',
  back: 'Back',
  shortcuts: 'Keyboard shortcuts',
  close: 'Close',
  scNext: 'Next waiting chat',
  scDown: 'Next / previous chat',
  scReply: 'Go to the reply box',
  scSend: 'Send the reply',
  scTemplates: 'Reply templates',
  scSearch: 'Search',
  scHelp: 'This cheat sheet',
  audit: 'Audit trail',
  more: 'More',
  language: 'Русский',
  sender_CUSTOMER: 'Customer',
  sender_PARTNER: 'Seller',
  sender_MARKET: 'Market',
  sender_SUPPORT: 'Support',
  status_NEW: 'New',
  status_WAITING_FOR_CUSTOMER: 'Waiting for customer',
  status_WAITING_FOR_PARTNER: 'Waiting for reply',
  status_WAITING_FOR_ARBITER: 'With the arbiter',
  status_WAITING_FOR_MARKET: 'Waiting for Market',
  status_FINISHED: 'Finished',
  type_CHAT: 'Chat',
  type_ARBITRAGE: 'Dispute',
  context_ORDER: 'Order',
  context_RETURN: 'Return',
  context_DIRECT: 'Product question',
  s: 's',
  min: 'min',
  h: 'h',
  d: 'd',
  action_sent: 'sent a message',
  action_file_sent: 'sent a file',
  action_maybe_sent: 'may have sent',
  action_send_failed: 'failed to send',
  action_assigned: 'assigned',
  earlier: 'Loading…',
  assistantDrafts: 'Drafts from the assistant',
  draftSend: 'Send',
  draftDiscard: 'Discard',
  draftDiscarded: 'Discarded',
  noAssistantDrafts: 'No drafts',
};

export type Lang = 'ru' | 'en';
const dictionaries: Record<Lang, Record<Key, string>> = { ru, en };

export function initialLang(): Lang {
  try {
    return localStorage.getItem('ymc.lang') === 'en' ? 'en' : 'ru';
  } catch {
    return 'ru';
  }
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem('ymc.lang', lang);
  } catch {
    // private mode: the choice lasts this page only
  }
  document.documentElement.lang = lang;
}

export type T = (key: Key, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): T {
  const dict = dictionaries[lang];
  return (key, values) =>
    dict[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values && name in values ? String(values[name]) : whole,
    );
}

/**
 * Why an attachment could not be fetched, in the page's language, chosen by the server's error code; for a
 * code the page has no words for, the server's own (English) text.
 */
export function fileReason(t: T, code: string | undefined, message: string, host: string): string {
  const key = `fileError_${code}` as Key;
  return code !== undefined && key in ru ? t(key, { host }) : message;
}

/** Enum labels with a fallback to the raw value (the platform adds values). */
export function label(t: T, prefix: 'status' | 'type' | 'context' | 'sender', value: string): string {
  const key = `${prefix}_${value}` as Key;
  return key in ru ? t(key) : value;
}
