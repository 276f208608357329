/** The Reports view's words and number formats, in the page's language (`t('locale')`). */
import type { T } from './i18n.js';

const ru = {
  reports: 'Отчёты',
  close: 'Закрыть',
  business: 'Магазин',
  period: 'Период',
  last7: 'Последние 7 дней',
  last30: 'Последние 30 дней',
  custom: 'Свой период',
  from: 'С',
  to: 'По',
  show: 'Показать',
  download: 'Скачать CSV',
  loading: 'Загрузка…',
  loadFailed: 'Не удалось загрузить отчёт: {m}',
  shown: 'Отчёт за {from} — {to}',
  zone: 'Дни по часовому поясу {zone}',
  hoursNote: 'Время ответа считается только в рабочие часы.',
  answered: 'Отвечено',
  openAtEnd: 'Ждут ответа',
  median: 'Медиана ответа',
  p90: '90-й процентиль',
  slaMet: 'В срок ({n} мин)',
  firstResponse: 'Первый ответ',
  firstResponseValue: '{count}: медиана {median}',
  responseChart: 'Время ответа по дням',
  slaChart: 'Доля ответов в срок по дням',
  backlogChart: 'Ждут ответа на конец дня',
  medianSeries: 'медиана',
  p90Series: '90-й процентиль',
  medianColumn: 'Медиана',
  chartText: '{name}: от {min} до {max}. Значения по дням — в таблице «По дням».',
  chartEmpty: '{name}: нет данных за период.',
  byDay: 'По дням',
  byAgent: 'По сотрудникам',
  day: 'День',
  agent: 'Сотрудник',
  inTarget: 'В срок',
  outside: 'вне inbox (кабинет, API)',
  noAnswers: 'За период ответов нет.',
  none: '—',
  seconds: '{s} с',
  minutes: '{m} мин {s} с',
  hours: '{h} ч {m} мин',
  minuteAxis: '{m} мин',
  hourAxis: '{h} ч',
};

type Key = keyof typeof ru;

const en: Record<Key, string> = {
  reports: 'Reports',
  close: 'Close',
  business: 'Business',
  period: 'Period',
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  custom: 'Custom',
  from: 'From',
  to: 'To',
  show: 'Show',
  download: 'Download CSV',
  loading: 'Loading…',
  loadFailed: 'Could not load the report: {m}',
  shown: 'Report for {from} – {to}',
  zone: 'Days in the {zone} time zone',
  hoursNote: 'Response time counts business hours only.',
  answered: 'Answered',
  openAtEnd: 'Waiting',
  median: 'Median response',
  p90: '90th percentile',
  slaMet: 'Within target ({n} min)',
  firstResponse: 'First response',
  firstResponseValue: '{count}: median {median}',
  responseChart: 'Response time by day',
  slaChart: 'Share answered within target by day',
  backlogChart: 'Waiting at the end of each day',
  medianSeries: 'median',
  p90Series: '90th percentile',
  medianColumn: 'Median',
  chartText: '{name}: from {min} to {max}. Each day’s value is in the “By day” table.',
  chartEmpty: '{name}: no data in the period.',
  byDay: 'By day',
  byAgent: 'By agent',
  day: 'Day',
  agent: 'Agent',
  inTarget: 'Within target',
  outside: 'outside the inbox (cabinet, API)',
  noAnswers: 'No answers in the period.',
  none: '—',
  seconds: '{s} s',
  minutes: '{m} min {s} s',
  hours: '{h} h {m} min',
  minuteAxis: '{m} min',
  hourAxis: '{h} h',
};

export type RW = (key: Key, values?: Record<string, string | number>) => string;

/** Words for `t`'s language. */
export function reportWords(t: T): RW {
  const dict = t('locale') === 'en' ? en : ru;
  return (key, values) =>
    dict[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values && name in values ? String(values[name]) : whole,
    );
}

/** A response time: "42 s", "4 min 12 s", "1 h 5 min"; a dash for none. */
export function formatSeconds(w: RW, s: number | null): string {
  if (s === null) return w('none');
  if (s < 60) return w('seconds', { s });
  if (s < 3600) return w('minutes', { m: Math.floor(s / 60), s: s % 60 });
  return w('hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

/** A share as a whole percent ("87%"); a dash for none. */
export function formatShare(w: RW, share: number | null): string {
  return share === null ? w('none') : `${Math.round(share * 100)}%`;
}
