/** The controls: merchant picker, timeframe switch, period navigation and the view tabs. */
import type { Merchant } from '../api/types.js';
import {
  periodContaining,
  periodLabel,
  periodSpan,
  shiftPeriod,
  TIMEFRAMES,
  type Timeframe,
  type WeekStart,
} from '../lib/period.js';
import { formatViewState, type ViewState } from '../lib/url-state.js';

const TF_NAMES: Record<Timeframe, string> = { day: 'Day', week: 'Week', month: 'Month', year: 'Year' };

/** A select of the merchants the viewer may see; a plain name when there is only one. */
export function MerchantPicker(props: {
  merchants: readonly Merchant[];
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const { merchants, selected } = props;
  if (merchants.length === 1) {
    return (
      <p class="merchant-name" data-merchant={merchants[0]!.id}>
        <span class="muted">Merchant </span>
        {merchants[0]!.name}
      </p>
    );
  }
  return (
    <div class="field">
      <label for="merchant">Merchant</label>
      <select id="merchant" value={selected ?? ''} onChange={(e) => props.onSelect(e.currentTarget.value)}>
        {selected === undefined && <option value="">Choose a merchant</option>}
        {merchants.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Day / week / month / year as a radio group (arrow keys move between them). */
export function TimeframeSwitch(props: { value: Timeframe; onChange: (tf: Timeframe) => void }) {
  return (
    <fieldset class="segmented">
      <legend class="sr-only">Timeframe</legend>
      {TIMEFRAMES.map((tf) => (
        <label key={tf} class={tf === props.value ? 'segment selected' : 'segment'}>
          <input
            type="radio"
            name="timeframe"
            value={tf}
            checked={tf === props.value}
            onChange={() => props.onChange(tf)}
          />
          <span>{TF_NAMES[tf]}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** Previous / next / current and jump to a date; the label names the period in the merchant's terms. */
export function PeriodNav(props: {
  tf: Timeframe;
  period: string;
  current: string;
  weekStart: WeekStart;
  onChange: (period: string | undefined) => void;
}) {
  const { tf, period, current, weekStart, onChange } = props;
  const isCurrent = period === current;
  const go = (p: string) => onChange(p === current ? undefined : p);
  const unit = tf;
  return (
    <div class="period-nav">
      <div class="period-title">
        <p class="period-label" id="period-label" aria-live="polite" data-period={period}>
          {periodLabel(tf, period)}
          {isCurrent && <span class="badge">current</span>}
        </p>
        {periodSpan(tf, period) && <p class="period-span muted">{periodSpan(tf, period)}</p>}
      </div>
      <div class="period-buttons">
        <button
          type="button"
          class="button"
          title={`Previous ${unit}`}
          onClick={() => go(shiftPeriod(tf, period, -1))}
        >
          <span aria-hidden="true">‹</span> Previous
        </button>
        <button type="button" class="button" disabled={isCurrent} onClick={() => go(current)}>
          Current
        </button>
        <button
          type="button"
          class="button"
          title={`Next ${unit}`}
          disabled={period >= current}
          onClick={() => go(shiftPeriod(tf, period, 1))}
        >
          Next <span aria-hidden="true">›</span>
        </button>
        <label class="field field-inline">
          <span>Jump to date</span>
          <input
            type="date"
            value={period}
            onChange={(e) => {
              const p = periodContaining(tf, e.currentTarget.value, weekStart);
              if (p) go(p > current ? current : p);
            }}
          />
        </label>
      </div>
    </div>
  );
}

/** The two views as real links (bookmarkable); clicks are handled without a reload. */
export function Tabs(props: { state: ViewState; navigate: (s: ViewState) => void }) {
  const { state, navigate } = props;
  const tab = (view: ViewState['view'], label: string) => {
    const next = { ...state, view };
    return (
      <a
        href={formatViewState(next) || '?'}
        class={state.view === view ? 'tab selected' : 'tab'}
        aria-current={state.view === view ? 'page' : undefined}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
          e.preventDefault();
          navigate(next);
        }}
      >
        {label}
      </a>
    );
  };
  return (
    <nav class="tabs" aria-label="Views">
      {tab('summary', 'Top & forecast')}
      {tab('compare', 'Compare models')}
    </nav>
  );
}
