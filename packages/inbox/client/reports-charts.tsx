/**
 * The Reports view's charts, drawn as small SVG (no library: three charts of at most a year of days). Each
 * is an image with a text summary for screen readers, pointing to the "By day" table that holds every
 * value. No inline styles (the page's CSP allows none): colours come from classes in reports.css.
 */

export interface Series {
  name: string;
  /** One value per day; null where the day has none (the line breaks). */
  values: readonly (number | null)[];
  /** `line-median`, `line-p90`, `line-backlog` or `bars-sla` (reports.css). */
  kind: string;
}

interface ChartProps {
  id: string;
  title: string;
  /** The text a screen reader hears for the image. */
  summary: string;
  days: readonly string[];
  series: readonly Series[];
  /** Bars instead of lines (one series). */
  bars?: boolean;
  /** The axis maximum (a share's 1); the data's, rounded up (`round`, default `niceMax`), without. */
  max?: number;
  round?: (v: number) => number;
  axisLabel: (value: number) => string;
}

const W = 480;
const H = 180;
const LEFT = 56;
const RIGHT = 12;
const TOP = 10;
const BOTTOM = 26;

/** A round axis maximum at or above `v`: 1, 2 or 5 times a power of ten. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) if (step * power >= v) return step * power;
  return 10 * power;
}

/** `MM-DD` of a `YYYY-MM-DD` day, as the axis shows it. */
const short = (day: string) => `${day.slice(8, 10)}.${day.slice(5, 7)}`;

export function Chart({ id, title, summary, days, series, bars, max, round, axisLabel }: ChartProps) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = max ?? (round ?? niceMax)(Math.max(0, ...all));
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const n = Math.max(1, days.length);
  const step = plotW / n;
  const x = (i: number) => LEFT + step * (i + 0.5);
  const y = (v: number) => TOP + plotH - (Math.min(v, top) / top) * plotH;
  const ticks = [0, top / 2, top];
  // Up to seven day labels, evenly spread, the last day always among them.
  const every = Math.max(1, Math.ceil(n / 7));
  const labelled = days.map((_, i) => i).filter((i) => i % every === 0 || i === n - 1);
  if (labelled.length > 1 && labelled.at(-1)! - labelled.at(-2)! < every / 2) labelled.splice(-2, 1);

  return (
    <figure class="report-chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        {title}
        {series.length > 1 ? (
          <span class="legend">
            {series.map((s) => (
              <span key={s.name} class={`key ${s.kind}`}>
                {s.name}
              </span>
            ))}
          </span>
        ) : null}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        {ticks.map((v) => (
          <g key={v} class="tick">
            <line x1={LEFT} x2={W - RIGHT} y1={y(v)} y2={y(v)} />
            <text x={LEFT - 6} y={y(v) + 4} text-anchor="end">
              {axisLabel(v)}
            </text>
          </g>
        ))}
        {labelled.map((i) => (
          <text key={days[i]} class="day" x={x(i)} y={H - 8} text-anchor="middle">
            {short(days[i]!)}
          </text>
        ))}
        {series.map((s) =>
          bars ? (
            <g key={s.name} class={s.kind}>
              {s.values.map((v, i) =>
                v === null ? null : (
                  <rect
                    key={days[i]}
                    x={x(i) - Math.max(1, step * 0.35)}
                    width={Math.max(2, step * 0.7)}
                    y={y(v)}
                    height={Math.max(0, TOP + plotH - y(v))}
                  />
                ),
              )}
            </g>
          ) : (
            <g key={s.name} class={s.kind}>
              {segments(s.values).map((run) => (
                <polyline
                  key={run[0]}
                  fill="none"
                  points={run.map((i) => `${x(i).toFixed(1)},${y(s.values[i]!).toFixed(1)}`).join(' ')}
                />
              ))}
              {n <= 31
                ? s.values.map((v, i) =>
                    v === null ? null : <circle key={days[i]} cx={x(i)} cy={y(v)} r={3} />,
                  )
                : null}
            </g>
          ),
        )}
      </svg>
    </figure>
  );
}

/** Runs of consecutive days that have a value (indexes), each drawn as one line. */
function segments(values: readonly (number | null)[]): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push(i);
  });
  if (run.length > 0) runs.push(run);
  return runs;
}
