import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * A scrolling list that renders only the rows near the viewport (plus an overscan), with spacers standing
 * in for the rest. Row heights vary (messages wrap), so each rendered row is measured and remembered;
 * unmeasured rows count at an estimate. Starts at the bottom and stays there while the reader is there.
 */
interface Props<T> {
  items: T[];
  keyOf: (item: T) => string;
  render: (item: T) => ComponentChildren;
  /** Scroll this row into view once (a search hit). */
  focusKey?: string | undefined;
  estimate?: number;
  overscanPx?: number;
  /** Props of the scrolling element (role, aria-label, class). */
  attributes: Record<string, string>;
}

export function VirtualList<T>({
  items,
  keyOf,
  render,
  focusKey,
  estimate = 72,
  overscanPx = 800,
  attributes,
}: Props<T>) {
  const box = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const atBottom = useRef(true);
  const focused = useRef<string | undefined>(undefined);
  const [view, setView] = useState({ top: 0, height: 800 });
  // Measuring can change the layout it measured (a row rewraps); settle within a few passes per frame.
  const passes = useRef(0);

  const keys = items.map(keyOf);
  const offsets = new Array<number>(keys.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < keys.length; i++)
    offsets[i + 1] = offsets[i]! + (heights.current.get(keys[i]!) ?? estimate);
  const total = offsets[keys.length]!;
  let first = 0;
  while (first < keys.length && offsets[first + 1]! < view.top - overscanPx) first++;
  let last = first;
  while (last < keys.length && offsets[last]! < view.top + view.height + overscanPx) last++;

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    let changed = false;
    for (const row of Array.from(el.querySelectorAll<HTMLElement>('[data-vkey]'))) {
      const key = row.dataset.vkey!;
      const h = row.offsetHeight;
      if (heights.current.get(key) !== h) {
        heights.current.set(key, h);
        changed = true;
      }
    }
    if (focusKey && focused.current !== focusKey) {
      const index = keys.indexOf(focusKey);
      if (index >= 0) {
        focused.current = focusKey;
        atBottom.current = false;
        el.scrollTop = Math.max(0, offsets[index]! - el.clientHeight / 3);
      }
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    const moved = Math.abs(el.scrollTop - view.top) > 1 || Math.abs(el.clientHeight - view.height) > 1;
    if ((changed || moved) && passes.current < 4) {
      passes.current += 1;
      setView({ top: el.scrollTop, height: el.clientHeight });
    } else {
      passes.current = 0;
    }
  });

  // A box that changes size (a phone turned, its keyboard opening, a window narrowed) rewraps the rows and
  // moves the bottom; nothing else renders the list then, so the reader at the newest message would be
  // left above it until the next update.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      passes.current = 0;
      setView({ top: el.scrollTop, height: el.clientHeight });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  return (
    <div
      {...attributes}
      ref={box}
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        passes.current = 0;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        setView({ top: el.scrollTop, height: el.clientHeight });
      }}
    >
      <div style={{ height: `${offsets[first]}px` }} aria-hidden="true" />
      {keys.slice(first, last).map((key, i) => (
        <div key={key} data-vkey={key}>
          {render(items[first + i]!)}
        </div>
      ))}
      <div style={{ height: `${total - offsets[last]!}px` }} aria-hidden="true" />
    </div>
  );
}
