/**
 * The Reports view (issue 23): a business's support figures for a period — totals, charts of the median
 * and p90 response time, the share answered within target and the backlog by day, the same by day and by
 * agent as tables, and a CSV of every wait. A modal dialog: Tab stays inside, Esc closes it, and the
 * focus goes back to the button that opened it.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ReportView } from '../src/shared/report-view.js';
import { call } from './api.js';
import type { T } from './i18n.js';
import { keepTabInside, useModalFocus } from './modal-focus.js';
import { Chart, niceMax } from './reports-charts.js';
import { formatSeconds, formatShare, type RW, reportWords } from './reports-i18n.js';

export type { ReportView };

type Range = '7' | '30' | 'custom';

/** The day after `YYYY-MM-DD` (the custom period's "to" day is included; the route's `to` is not). */
const dayAfter = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The query of a period: the last N days, or from one day through another. */
export function reportQuery(range: Range, from: string, to: string): string {
  if (range !== 'custom') return `days=${range}`;
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(dayAfter(to))}`;
}

/** A round top for a response-time axis: whole minutes, or hours past two hours. */
const roundSeconds = (s: number) =>
  s >= 7200 ? niceMax(s / 3600) * 3600 : niceMax(Math.max(1, s / 60)) * 60;

/** The axis of response times: minutes, or hours past two hours. */
function durationAxis(w: RW) {
  return (s: number) => {
    if (s >= 7200) return w('hourAxis', { h: Math.round((s / 3600) * 10) / 10 });
    // A short axis (a top of one minute) has a half-minute tick: said in seconds, not rounded up.
    if (s > 0 && s < 60) return w('seconds', { s: Math.round(s) });
    return w('minuteAxis', { m: Math.round((s / 60) * 10) / 10 });
  };
}

export function ReportsDialog({
  t,
  opener,
  businessIds,
  onClose,
}: {
  t: T;
  /** The button that opened the dialog: the focus goes back to it. */
  opener: RefObject<HTMLElement | null>;
  businessIds: readonly number[];
  onClose: () => void;
}) {
  const w = reportWords(t);
  const [businessId, setBusinessId] = useState(businessIds[0]!);
  const [range, setRange] = useState<Range>('7');
  const today = new Date().toISOString().slice(0, 10);
  const [from, setFrom] = useState(new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10));
  const [to, setTo] = useState(today);
  const [query, setQuery] = useState(reportQuery('7', from, to));
  const [data, setData] = useState<ReportView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const sheet = useRef<HTMLDivElement>(null);

  useModalFocus(sheet, opener, onKeyDown);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setProblem(null);
    call<ReportView>('GET', `/api/businesses/${businessId}/report?${query}`).then(
      (r) => {
        if (!live) return;
        setData(r);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setProblem(w('loadFailed', { m: e instanceof Error ? e.message : String(e) }));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [businessId, query]);

  function onKeyDown(e: KeyboardEvent) {
    // The page's letter shortcuts and its Esc are not for keys pressed in here.
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
      return;
    }
    keepTabInside(e, sheet.current);
  }

  function pickRange(next: Range) {
    setRange(next);
    if (next !== 'custom') setQuery(reportQuery(next, from, to));
  }

  const csvHref = `/api/businesses/${businessId}/report?${query}&format=csv`;
  return (
    <div class="overlay reports-overlay">
      <div
        class="sheet reports-sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="reports-title"
        ref={sheet}
        onKeyDown={onKeyDown}
      >
        <div class="reports-head">
          <h2 id="reports-title">{w('reports')}</h2>
          <button type="button" class="close" onClick={onClose}>
            {w('close')}
          </button>
        </div>
        <form
          class="reports-controls"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(reportQuery('custom', from, to));
          }}
        >
          {businessIds.length > 1 ? (
            <label class="field">
              {w('business')}
              <select
                value={String(businessId)}
                onChange={(e) => setBusinessId(Number((e.currentTarget as HTMLSelectElement).value))}
              >
                {businessIds.map((b) => (
                  <option key={b} value={String(b)}>
                    {b}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label class="field">
            {w('period')}
            <select
              value={range}
              onChange={(e) => pickRange((e.currentTarget as HTMLSelectElement).value as Range)}
            >
              <option value="7">{w('last7')}</option>
              <option value="30">{w('last30')}</option>
              <option value="custom">{w('custom')}</option>
            </select>
          </label>
          {range === 'custom' ? (
            <>
              <label class="field">
                {w('from')}
                <input
                  type="date"
                  required
                  value={from}
                  max={to}
                  onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)}
                />
              </label>
              <label class="field">
                {w('to')}
                <input
                  type="date"
                  required
                  value={to}
                  min={from}
                  onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)}
                />
              </label>
              <button type="submit" class="primary">
                {w('show')}
              </button>
            </>
          ) : null}
          <a class="button download" href={csvHref} download>
            {w('download')}
          </a>
        </form>
        <p class="hint" role="status">
          {loading ? w('loading') : null}
        </p>
        {problem ? (
          <p class="problem" role="alert">
            {problem}
          </p>
        ) : null}
        {data ? <ReportBody w={w} t={t} data={data} /> : null}
      </div>
    </div>
  );
}

function ReportBody({ w, t, data }: { w: RW; t: T; data: ReportView }) {
  const locale = t('locale');
  const when = (iso: string) =>
    new Date(iso).toLocaleString(locale, {
      timeZone: data.timeZone,
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  const days = data.perDay.map((d) => d.day);
  const range = (values: (number | null)[], format: (v: number) => string, name: string) => {
    const present = values.filter((v): v is number => v !== null);
    if (present.length === 0) return w('chartEmpty', { name });
    return w('chartText', { name, min: format(Math.min(...present)), max: format(Math.max(...present)) });
  };
  const seconds = (s: number | null) => formatSeconds(w, s);
  const share = (v: number | null) => formatShare(w, v);
  const medians = data.perDay.map((d) => d.medianResponseSeconds);
  const p90s = data.perDay.map((d) => d.p90ResponseSeconds);
  const shares = data.perDay.map((d) => d.slaMetShare);
  const backlog = data.perDay.map((d) => d.open);
  return (
    <div class="reports-body">
      <p class="hint">
        {w('shown', { from: when(data.from), to: when(data.to) })}. {w('zone', { zone: data.timeZone })}.
        {data.businessHours ? ` ${w('hoursNote')}` : ''}
      </p>
      <dl class="report-totals">
        <div>
          <dt>{w('answered')}</dt>
          <dd data-figure="answered">{data.answered}</dd>
        </div>
        <div>
          <dt>{w('openAtEnd')}</dt>
          <dd data-figure="open">{data.open}</dd>
        </div>
        <div>
          <dt>{w('median')}</dt>
          <dd data-figure="median">{seconds(data.medianResponseSeconds)}</dd>
        </div>
        <div>
          <dt>{w('p90')}</dt>
          <dd data-figure="p90">{seconds(data.p90ResponseSeconds)}</dd>
        </div>
        <div>
          <dt>{w('slaMet', { n: data.targetMinutes })}</dt>
          <dd data-figure="sla">{share(data.slaMetShare)}</dd>
        </div>
        <div>
          <dt>{w('firstResponse')}</dt>
          <dd data-figure="first">
            {w('firstResponseValue', {
              count: data.firstResponse.count,
              median: seconds(data.firstResponse.medianSeconds),
            })}
          </dd>
        </div>
      </dl>
      <div class="report-charts">
        <Chart
          id="chart-response"
          title={w('responseChart')}
          summary={range(p90s.concat(medians), seconds, w('responseChart'))}
          days={days}
          series={[
            { name: w('medianSeries'), values: medians, kind: 'line-median' },
            { name: w('p90Series'), values: p90s, kind: 'line-p90' },
          ]}
          round={roundSeconds}
          axisLabel={durationAxis(w)}
        />
        <Chart
          id="chart-sla"
          title={w('slaChart')}
          summary={range(shares, share, w('slaChart'))}
          days={days}
          series={[{ name: w('inTarget'), values: shares, kind: 'bars-sla' }]}
          bars
          max={1}
          axisLabel={(v) => `${Math.round(v * 100)}%`}
        />
        <Chart
          id="chart-backlog"
          title={w('backlogChart')}
          summary={range(backlog, String, w('backlogChart'))}
          days={days}
          series={[{ name: w('openAtEnd'), values: backlog, kind: 'line-backlog' }]}
          axisLabel={(v) => String(Math.round(v * 10) / 10)}
        />
      </div>
      <div class="report-tables">
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a narrow screen scrolls the table sideways, and a keyboard must reach it to scroll it */}
        <section class="table-scroll" aria-labelledby="report-agents-caption" tabIndex={0}>
          <table class="report-agents">
            <caption id="report-agents-caption">{w('byAgent')}</caption>
            <thead>
              <tr>
                <th scope="col">{w('agent')}</th>
                <th scope="col">{w('answered')}</th>
                <th scope="col">{w('median')}</th>
                <th scope="col">{w('inTarget')}</th>
              </tr>
            </thead>
            <tbody>
              {data.perAgent.length === 0 ? (
                <tr>
                  <td colSpan={4}>{w('noAnswers')}</td>
                </tr>
              ) : (
                data.perAgent.map((a) => (
                  <tr key={a.agent}>
                    <th scope="row">
                      <bdi>{a.agent === 'outside' ? w('outside') : a.agent}</bdi>
                    </th>
                    <td>{a.answered}</td>
                    <td>{seconds(a.medianResponseSeconds)}</td>
                    <td>{share(a.slaMetShare)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </section>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: as above */}
        <section class="table-scroll" aria-labelledby="report-days-caption" tabIndex={0}>
          <table class="report-days">
            <caption id="report-days-caption">{w('byDay')}</caption>
            <thead>
              <tr>
                <th scope="col">{w('day')}</th>
                <th scope="col">{w('answered')}</th>
                <th scope="col">{w('medianColumn')}</th>
                <th scope="col">p90</th>
                <th scope="col">{w('inTarget')}</th>
                <th scope="col">{w('openAtEnd')}</th>
              </tr>
            </thead>
            <tbody>
              {data.perDay.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td>{d.answered}</td>
                  <td>{seconds(d.medianResponseSeconds)}</td>
                  <td>{seconds(d.p90ResponseSeconds)}</td>
                  <td>{share(d.slaMetShare)}</td>
                  <td>{d.open}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}
