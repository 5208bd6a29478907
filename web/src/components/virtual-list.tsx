// A virtualized list of fixed-height rows: only the rows in view (plus a margin) are in the DOM.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export function VirtualList<T>({ items, rowHeight, render, selected, label, onKey }: {
  items: T[]; rowHeight: number; render: (item: T, index: number) => ComponentChildren; selected?: number; label: string;
  onKey?: (e: KeyboardEvent) => void;
}): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);
  // Keep the selected row in view when the keyboard moves it.
  useEffect(() => {
    const el = ref.current;
    if (!el || selected === undefined || selected < 0) return;
    const top = selected * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [selected, rowHeight]);
  const overscan = 10;
  const first = Math.max(0, Math.floor(scroll / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scroll + height) / rowHeight) + overscan);
  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) rows.push(render(items[i] as T, i));
  return (
    <div class="vlist" ref={ref} tabIndex={0} role="grid" aria-label={label} aria-rowcount={items.length}
      onScroll={(e) => setScroll((e.currentTarget as HTMLDivElement).scrollTop)} onKeyDown={onKey}>
      <div class="vlist-spacer" style={{ height: `${items.length * rowHeight}px` }}>
        <div class="vlist-window" style={{ transform: `translateY(${first * rowHeight}px)` }}>{rows}</div>
      </div>
    </div>
  );
}
