/** Building blocks shared by the views: banners, empty states, CSV buttons, scrollable tables. */
import type { ComponentChildren } from 'preact';
import { toCsv, type CsvCell } from '../lib/csv.js';

/** A message across the top of the page. */
export interface BannerMessage {
  readonly id: string;
  readonly kind: 'error' | 'warning' | 'info';
  readonly text: ComponentChildren;
  readonly action?: { readonly label: string; readonly onClick: () => void } | undefined;
}

/** The banners, errors first; errors are announced assertively, the rest politely. */
export function Banners({ messages }: { messages: readonly BannerMessage[] }) {
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...messages].sort((a, b) => order[a.kind] - order[b.kind]);
  return (
    <div class="banners" aria-live="polite">
      {sorted.map((m) => (
        <div
          key={m.id}
          class={`banner banner-${m.kind}`}
          role={m.kind === 'error' ? 'alert' : 'status'}
          data-banner={m.id}
        >
          <span class="banner-icon" aria-hidden="true">
            {m.kind === 'error' ? '!' : m.kind === 'warning' ? '⚠' : 'i'}
          </span>
          <span class="banner-text">{m.text}</span>
          {m.action && (
            <button type="button" class="button button-small" onClick={m.action.onClick}>
              {m.action.label}
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

/** A friendly placeholder for "nothing to show", with an optional way forward. */
export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty" data-empty>
      <p class="empty-title">{title}</p>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

/** A placeholder while the first response is awaited. */
export function Loading({ label }: { label: string }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Offers `text` as a file download (the page never builds a data: URL: the CSP forbids them). */
export function downloadText(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A button that downloads a table as CSV. */
export function CsvButton(props: {
  fileName: string;
  header: readonly string[];
  rows: () => readonly (readonly CsvCell[])[];
  label: string;
}) {
  return (
    <button
      type="button"
      class="button button-small"
      data-csv={props.fileName}
      onClick={() => downloadText(props.fileName, toCsv(props.header, props.rows()))}
    >
      Download CSV<span class="sr-only">: {props.label}</span>
    </button>
  );
}

/** A table container that scrolls sideways on narrow screens and can be scrolled with the keyboard. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
