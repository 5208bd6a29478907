// The time picker: relative presets (last 15m, 1h ...) and an absolute range in local time.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { PRESETS, describeRange, resolveRange, toLocalInput, type TimeRange } from '../time';

export function TimePicker({ range, onChange }: { range: TimeRange; onChange: (r: TimeRange) => void }): JSX.Element {
  const [open, setOpen] = useState(false);
  const { startMs, endMs } = resolveRange(range);
  const [from, setFrom] = useState(toLocalInput(startMs));
  const [to, setTo] = useState(toLocalInput(endMs));
  const apply = (e: Event) => {
    e.preventDefault();
    const a = new Date(from).getTime(), b = new Date(to).getTime();
    if (Number.isNaN(a) || Number.isNaN(b) || a >= b) return;
    onChange({ start: new Date(a).toISOString(), end: new Date(b).toISOString() });
    setOpen(false);
  };
  return (
    <div class="time-picker">
      <div class="presets" role="group" aria-label="relative time range">
        {PRESETS.map((p) => (
          <button type="button" class={`btn seg ${range.rel === p ? 'on' : ''}`} aria-pressed={range.rel === p} onClick={() => onChange({ rel: p })}>{p}</button>
        ))}
        <button type="button" class={`btn seg ${range.rel ? '' : 'on'}`} aria-expanded={open} aria-pressed={!range.rel}
          onClick={() => { setFrom(toLocalInput(startMs)); setTo(toLocalInput(endMs)); setOpen(!open); }}>
          {range.rel ? 'absolute…' : describeRange(range)}
        </button>
      </div>
      {open ? (
        <form class="abs-range card" onSubmit={apply} aria-label="absolute time range">
          <label>From <input type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} required /></label>
          <label>To <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} required /></label>
          <button class="btn primary" type="submit">Apply</button>
          <button class="btn" type="button" onClick={() => setOpen(false)}>Cancel</button>
        </form>
      ) : null}
    </div>
  );
}
