/** "What will sell most next": the forecast ranking with intervals drawn as ranges. */
import type { ForecastTop } from '../api/types.js';
import type { Heading } from '../lib/so-far.js';
import { accuracyWords } from '../lib/accuracy.js';
import { formatAge, formatMoney, formatMoneyCompact } from '../lib/format.js';
import { periodLabel, type Timeframe } from '../lib/period.js';
import { EmptyState, Loading, TableWrap } from './common.js';
import type { LinkProps } from './link.js';

/** A model the ranking can use. */
export interface ModelChoice {
  readonly name: string;
  readonly description?: string | undefined;
}

/** The 80% and 95% intervals and the point forecast on a shared scale from 0 to `max`. */
export function RangeBar(props: {
  lo95: number;
  lo80: number;
  point: number;
  hi80: number;
  hi95: number;
  max: number;
  /** Sales of the period in progress so far: a marker, so a forecast already passed shows. */
  soFar?: number | undefined;
  /** Where the period in progress is heading (the nowcast): a marker below the bar. */
  heading?: number | undefined;
}) {
  const x = (v: number) => (props.max > 0 ? Math.min(Math.max((v / props.max) * 100, 0), 100) : 0);
  return (
    <svg class="range" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect class="range-track" x="0" y="5.5" width="100" height="1" />
      <rect
        class="range-95"
        x={x(props.lo95)}
        y="3"
        width={Math.max(x(props.hi95) - x(props.lo95), 0.3)}
        height="6"
      />
      <rect
        class="range-80"
        x={x(props.lo80)}
        y="1.5"
        width={Math.max(x(props.hi80) - x(props.lo80), 0.3)}
        height="9"
      />
      <rect class="range-point" x={x(props.point) - 0.6} y="0" width="1.2" height="12" />
      {props.soFar !== undefined && <SoFarMark at={Math.min(Math.max(x(props.soFar), 1.6), 98.4)} />}
      {props.heading !== undefined && <HeadingMark at={Math.min(Math.max(x(props.heading), 1.6), 98.4)} />}
    </svg>
  );
}

/** The so-far marker of a range bar: a small triangle pointing down at `at` (0..100). */
function SoFarMark(props: { at: number }) {
  const { at } = props;
  return (
    <path
      class="range-sofar"
      d={`M${(at - 1.6).toFixed(2)},0L${(at + 1.6).toFixed(2)},0L${at.toFixed(2)},5Z`}
    />
  );
}

/** The heading-for marker of a range bar: a small triangle pointing up at `at` (0..100). */
function HeadingMark(props: { at: number }) {
  const { at } = props;
  return (
    <path
      class="range-heading"
      d={`M${(at - 1.6).toFixed(2)},12L${(at + 1.6).toFixed(2)},12L${at.toFixed(2)},7Z`}
    />
  );
}

/** The model select of the ranking. */
export function ModelSelect(props: {
  id: string;
  models: readonly ModelChoice[];
  value: string;
  onChange: (m: string) => void;
}) {
  const names = props.models.some((m) => m.name === props.value)
    ? props.models
    : [...props.models, { name: props.value }];
  return (
    <div class="field field-inline">
      <label for={props.id}>Model for the ranking</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {names.map((m) => (
          <option key={m.name} value={m.name}>
            {m.name === 'auto' ? 'auto (best per category)' : m.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The forecast section. */
export function ForecastPanel(props: {
  data: ForecastTop | undefined;
  loading: boolean;
  unavailable: string | undefined;
  tf: Timeframe;
  models: readonly ModelChoice[];
  model: string;
  onModel: (m: string) => void;
  compareLink: (categoryId: string) => LinkProps;
  now: Date;
  /** Start of the period in progress: a forecast for it is labelled "in progress". */
  current: string | undefined;
  /**
   * Sales so far of the period the forecast is for, by category (lib/so-far.ts), shown while that
   * period is in progress; undefined for a category: no figure.
   */
  soFar?: ((categoryId: string) => string | undefined) | undefined;
  /**
   * Where each category of the period in progress is heading (lib/so-far.ts headingLookup: the
   * nowcast of GET /forecast/nowcast); undefined for a category: no figure.
   */
  heading?: ((categoryId: string) => Heading | undefined) | undefined;
}) {
  const { data, tf } = props;
  const currency = data?.currency ?? 'USD';
  const rows = data?.categories ?? [];
  const inProgress = data !== undefined && data.targetBucketStart === props.current;
  const soFar = inProgress ? props.soFar : undefined;
  const heading = inProgress ? props.heading : undefined;
  const max = Math.max(
    ...rows.map((r) =>
      Math.max(
        Number(r.hi95),
        Number(soFar?.(r.categoryId) ?? 0),
        Number(heading?.(r.categoryId)?.nowcast ?? 0),
      ),
    ),
    0,
  );
  const target = data ? periodLabel(tf, data.targetBucketStart) : undefined;

  let body;
  if (tf === 'day') {
    body = (
      <EmptyState title="Forecasts are made for weeks, months and years.">
        <p>Switch the timeframe to Week, Month or Year to see what will sell most next.</p>
      </EmptyState>
    );
  } else if (!data && props.loading) body = <Loading label="Loading the forecast…" />;
  else if (!data)
    body = (
      <EmptyState title="No forecast yet">
        <p>{props.unavailable ?? 'The forecast is not available right now.'}</p>
      </EmptyState>
    );
  else if (rows.length === 0)
    body = (
      <EmptyState title="Not enough history to forecast yet">
        <p>Forecasts appear once the shop has sold in a few {tf}s.</p>
      </EmptyState>
    );
  else
    body = (
      <>
        <p class="summary-line">
          <span data-forecast-model={data.model}>
            Model:{' '}
            <strong>{data.model === 'auto' ? 'auto — the best model for each category' : data.model}</strong>
          </span>
          {data.generatedAt && (
            <span class="muted" title={data.generatedAt}>
              {' '}
              · computed {formatAge(data.generatedAt, props.now)}
            </span>
          )}
        </p>
        <TableWrap label={`Forecast table, ${target}`}>
          <table class="data-table forecast-table" data-table="forecast">
            <caption class="sr-only">Forecast for {target}, with 80% and 95% ranges</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  #
                </th>
                <th scope="col">Category</th>
                <th scope="col" class="num">
                  Forecast
                </th>
                <th scope="col" class="range-col">
                  Likely range <span class="muted range-levels">(80% / 95%)</span>
                </th>
                <th scope="col" class="col-acc">
                  Accuracy
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const acc = accuracyWords(r.metrics);
                const sold = soFar?.(r.categoryId);
                const toward = heading?.(r.categoryId);
                return (
                  <tr key={r.categoryId}>
                    <td class="num">{r.rank}</td>
                    <th scope="row">
                      <a {...props.compareLink(r.categoryId)} title={`Compare models for ${r.name}`}>
                        {r.name}
                      </a>
                      {/* On a phone the accuracy column would sit off screen: it comes here instead. */}
                      <span class={`acc acc-${acc.level} acc-inline`}>
                        {acc.text} <span class="muted">· {r.effectiveModel ?? r.model}</span>
                      </span>
                    </th>
                    <td class="num">
                      <strong>{formatMoney(r.forecast, currency)}</strong>
                      {/* While the period is in progress both lines keep their place before their
                          answers arrive, so the rows below do not shift when they do. */}
                      {sold !== undefined ? (
                        <span class="so-far" data-so-far={sold}>
                          so far {formatMoneyCompact(sold, currency)}
                          {Number(sold) > Number(r.hi95) && <span class="so-far-above">above the range</span>}
                        </span>
                      ) : (
                        inProgress && (
                          <span class="so-far" aria-hidden="true">
                            {'\u00a0'}
                          </span>
                        )
                      )}
                      {toward === undefined ? (
                        inProgress && (
                          <span class="heading" aria-hidden="true">
                            {'\u00a0'}
                          </span>
                        )
                      ) : (
                        <span
                          class="heading"
                          data-heading={toward.nowcast}
                          title={`80% likely between ${formatMoney(toward.lo80, currency)} and ${formatMoney(toward.hi80, currency)}`}
                        >
                          heading for {formatMoneyCompact(toward.nowcast, currency)}
                        </span>
                      )}
                    </td>
                    <td class="range-col">
                      <RangeBar
                        lo95={Number(r.lo95)}
                        lo80={Number(r.lo80)}
                        point={Number(r.forecast)}
                        hi80={Number(r.hi80)}
                        hi95={Number(r.hi95)}
                        max={max}
                        soFar={sold === undefined ? undefined : Number(sold)}
                        heading={toward === undefined ? undefined : Number(toward.nowcast)}
                      />
                      <span class="range-text">
                        {formatMoneyCompact(r.lo80, currency)} – {formatMoneyCompact(r.hi80, currency)}
                      </span>
                    </td>
                    <td class="col-acc">
                      <span class={`acc acc-${acc.level}`}>{acc.text}</span>
                      <span class="model-cell muted" data-row-model={r.model}>
                        {r.effectiveModel ?? r.model}
                        {r.effectiveModel && r.effectiveModel !== r.model && ` (${r.model})`}
                        {r.fallbackFrom && (
                          <span title={r.fallbackReason ?? undefined}> (instead of {r.fallbackFrom})</span>
                        )}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
        {soFar && (
          <p class="muted note" data-so-far-note>
            The forecast is for the whole {tf};{' '}
            <span class="so-far-key" aria-hidden="true">
              ▾
            </span>{' '}
            so far: what each category has sold of it up to now.
            {heading && (
              <>
                {' '}
                <span class="heading-key" aria-hidden="true">
                  ▴
                </span>{' '}
                heading for: that plus the forecast’s share of the {tf} still to come, judged by how recent{' '}
                {tf}s and the same {tf} a year ago sold up to this point.
              </>
            )}
          </p>
        )}
      </>
    );

  return (
    <section class="panel" aria-labelledby="forecast-heading" data-panel="forecast">
      <div class="panel-head">
        <h2 id="forecast-heading">
          Forecast{target ? <> for {target}</> : <> for next {tf}</>}
          {data && data.targetBucketStart === props.current && <span class="badge">in progress</span>}
        </h2>
        {tf !== 'day' && (
          <div class="panel-tools">
            <ModelSelect
              id="ranking-model"
              models={props.models}
              value={props.model}
              onChange={props.onModel}
            />
          </div>
        )}
      </div>
      {body}
    </section>
  );
}
