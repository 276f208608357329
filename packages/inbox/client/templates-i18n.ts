/** The templates dialog's and reply box's words, in the page's language (`t('locale')`). */
import type { T } from './i18n.js';

const ru = {
  templates: 'Шаблоны',
  newTemplate: 'Новый шаблон',
  editTemplate: 'Изменить шаблон',
  name: 'Название',
  text: 'Текст',
  save: 'Сохранить',
  cancel: 'Отмена',
  edit: 'Изменить',
  delete: 'Удалить',
  deleteAsk: 'Удалить шаблон «{name}»?',
  close: 'Закрыть',
  business: 'Магазин',
  none: 'Шаблонов нет. Добавьте первый.',
  variables: 'Переменные: {list}. Если у чата нет значения, перед отправкой попросим вписать его.',
  insertVariable: 'Вставить {v}',
  slashHint: 'В ответе наберите /название, чтобы вставить шаблон.',
  matches: 'Подходящие шаблоны',
  insertTemplate: 'Вставить шаблон',
  unfilledMark: 'Не заполнено: {vars}',
  unfilledAsk: 'В ответе не заполнено: {vars} — у этого чата нет такого значения.',
  fillBeforeSend: 'Впишите значения — без них ответ не уйдёт:',
  fillAndSend: 'Вставить и отправить',
  loadFailed: 'Не удалось загрузить шаблоны: {m}',
  saveFailed: 'Не сохранено: {m}',
  saved: 'Сохранено',
  deleted: 'Удалено',
  files: 'Файлы',
  attachFiles: 'Прикрепить файлы',
  removeFile: 'Убрать файл {name}',
  filesHint:
    'До {n} файлов, каждый до {mb} МБ. Вставляются в ответ вместе с текстом и уходят только по кнопке «Отправить».',
  fileTooBig: '«{name}» больше {mb} МБ — такой файл не отправить.',
  fileEmpty: '«{name}» пустой.',
  tooManyFiles: 'В шаблоне не больше {n} файлов: сначала уберите лишний.',
  filesFailed: 'Файлы шаблона не загрузились: {m}',
  carriesFiles: 'Файлы: {names}',
};

type Key = keyof typeof ru;

const en: Record<Key, string> = {
  templates: 'Templates',
  newTemplate: 'New template',
  editTemplate: 'Edit template',
  name: 'Name',
  text: 'Text',
  save: 'Save',
  cancel: 'Cancel',
  edit: 'Edit',
  delete: 'Delete',
  deleteAsk: 'Delete the template “{name}”?',
  close: 'Close',
  business: 'Business',
  none: 'No templates yet. Add the first one.',
  variables: 'Variables: {list}. When a chat has no value for one, sending asks for it.',
  insertVariable: 'Insert {v}',
  slashHint: 'Type /name in the reply to insert a template.',
  matches: 'Matching templates',
  insertTemplate: 'Insert template',
  unfilledMark: 'Not filled: {vars}',
  unfilledAsk: 'The reply still has {vars} unfilled — this chat has no such value.',
  fillBeforeSend: 'Fill these in — the reply does not go out without them:',
  fillAndSend: 'Fill in and send',
  loadFailed: 'Could not load the templates: {m}',
  saveFailed: 'Not saved: {m}',
  saved: 'Saved',
  deleted: 'Deleted',
  files: 'Files',
  attachFiles: 'Attach files',
  removeFile: 'Remove the file {name}',
  filesHint: 'Up to {n} files, {mb} MB each. They go into the reply with the text and leave only on Send.',
  fileTooBig: '“{name}” is over {mb} MB — a file that size cannot be sent.',
  fileEmpty: '“{name}” is empty.',
  tooManyFiles: 'A template carries at most {n} files: remove one first.',
  filesFailed: 'The template’s files did not load: {m}',
  carriesFiles: 'Files: {names}',
};

export type TT = (key: Key, values?: Record<string, string | number>) => string;

/** Words for `t`'s language. */
export function templateWords(t: T): TT {
  const dict = t('locale') === 'en' ? en : ru;
  return (key, values) =>
    dict[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values && name in values ? String(values[name]) : whole,
    );
}
