/** Model comparison: one category's history with every model's next-period forecast, and the metrics table. */
import type {
  CategoryPath,
  CategorySales,
  CompareCategory,
  CompareModels,
  ModelForecast,
} from '../api/types.js';
import { fitAxisLabels, type AxisLabel } from '../lib/axis.js';
import { compareCeiling } from '../lib/compare-scale.js';
import { fanSteps } from '../lib/fan.js';
import { FanChart, FanTable } from './fan.js';
import { seriesTotals } from '../api/client.js';
import { ratioWords } from '../lib/accuracy.js';
import { csvFileName } from '../lib/csv.js';
import { formatMetric, formatMetricPercent, formatMoney, formatMoneyCompact } from '../lib/format.js';
import { periodLabel, shortLabel, type Timeframe } from '../lib/period.js';
import { useWidth } from '../hooks.js';
import { CsvButton, EmptyState, Loading, TableWrap } from './common.js';

type Role = 'winner' | 'used' | 'other';

function ratioOf(m: ModelForecast): number | null {
  return m.ratioToSeasonalNaive ?? m.metrics?.ratioToSeasonalNaive ?? null;
}

// Best first: lower MASE wins; unknown MASE goes last; ties by name for a stable order.
function byMase(a: ModelForecast, b: ModelForecast): number {
  const x = a.metrics?.mase ?? Number.POSITIVE_INFINITY;
  const y = b.metrics?.mase ?? Number.POSITIVE_INFINITY;
  return x === y ? (a.model < b.model ? -1 : 1) : x - y;
}

/** History line plus one interval glyph per model for the next period. */
export function HistoryChart(props: {
  tf: Timeframe;
  buckets: readonly string[];
  values: readonly number[];
  /** True when the last bucket is still running (the current period). */
  lastIsPartial: boolean;
  target: string;
  forecasts: readonly {
    model: string;
    point: number;
    lo80: number;
    hi80: number;
    lo95: number;
    hi95: number;
    role: Role;
  }[];
  /** Top of the y axis (compareCeiling): 95% ranges above it are drawn clipped. */
  yMax: number;
  currency: string;
  label: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>(640);
  const W = Math.max(width, 280);
  const H = 280;
  const m = { l: 56, r: 8, t: 24, b: 30 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const histW = pw * (W < 520 ? 0.58 : 0.72);
  const zoneX = m.l + histW;
  const zoneW = pw - histW;
  const n = props.values.length;
  const { yMax } = props;
  const x = (i: number) => m.l + 8 + (n > 1 ? (i / (n - 1)) * (histW - 24) : (histW - 24) / 2);
  const y = (v: number) => m.t + ph - (Math.min(Math.max(v, 0), yMax) / yMax) * ph;
  const full = props.lastIsPartial ? n - 1 : n;
  const line = props.values
    .slice(0, full)
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`)
    .join('');
  const partial =
    props.lastIsPartial && n >= 2
      ? `M${x(n - 2).toFixed(1)},${y(props.values[n - 2]!).toFixed(1)}L${x(n - 1).toFixed(1)},${y(props.values[n - 1]!).toFixed(1)}`
      : '';
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((k) => k * yMax);
  // By importance: the first and the last bucket, then the middle one, each only where it fits.
  const labels = fitAxisLabels(
    (n > 2 ? [0, n - 1, Math.floor((n - 1) / 2)] : [...Array(n).keys()]).map((i): AxisLabel => ({
      x: x(i),
      text: shortLabel(props.tf, props.buckets[i]!),
      anchor: i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle',
    })),
  );
  const order: Role[] = ['other', 'used', 'winner'];
  const glyphs = props.forecasts.map((f, i) => ({
    ...f,
    cx: zoneX + ((i + 0.5) * zoneW) / Math.max(props.forecasts.length, 1),
  }));
  const slot = zoneW / Math.max(props.forecasts.length, 1);
  const boxW = Math.max(Math.min(10, slot * 0.55), 2);
  return (
    <div ref={ref} class="history-chart">
      <svg
        width={W}
        height={H}
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={props.label}
        focusable="false"
      >
        <g class="grid">
          {ticks.map((t) => (
            <g key={t}>
              <line x1={m.l} x2={W - m.r} y1={y(t)} y2={y(t)} />
              <text x={m.l - 6} y={y(t) + 4} text-anchor="end">
                {formatMoneyCompact(t, props.currency)}
              </text>
            </g>
          ))}
        </g>
        <rect class="zone" x={zoneX} y={m.t - 18} width={zoneW} height={ph + 18} />
        <text class="zone-label" x={zoneX + zoneW / 2} y={m.t - 6} text-anchor="middle">
          {shortLabel(props.tf, props.target)} forecast
        </text>
        <g class="axis">
          {labels.map((l) => (
            <text key={`${l.anchor}${l.text}`} x={l.x} y={H - 10} text-anchor={l.anchor}>
              {l.text}
            </text>
          ))}
        </g>
        <path class="history-line" d={line} />
        {partial && <path class="history-partial" d={partial} />}
        {props.values.slice(0, full).map((v, i) => (
          <circle key={i} class="history-dot" cx={x(i)} cy={y(v)} r={n > 40 ? 1.5 : 2.5}>
            <title>
              {periodLabel(props.tf, props.buckets[i]!)}: {formatMoney(v, props.currency)}
            </title>
          </circle>
        ))}
        {props.lastIsPartial && n > 0 && (
          <circle class="history-dot partial" cx={x(n - 1)} cy={y(props.values[n - 1]!)} r="3">
            <title>
              {periodLabel(props.tf, props.buckets[n - 1]!)} so far:{' '}
              {formatMoney(props.values[n - 1]!, props.currency)}
            </title>
          </circle>
        )}
        {order.flatMap((role) =>
          glyphs
            .filter((g) => g.role === role)
            .map((g) => (
              <g key={g.model} class={`glyph glyph-${g.role}`}>
                <title>
                  {g.model}: {formatMoney(g.point, props.currency)} (80%:{' '}
                  {formatMoney(g.lo80, props.currency)} – {formatMoney(g.hi80, props.currency)}; 95%:{' '}
                  {formatMoney(g.lo95, props.currency)} – {formatMoney(g.hi95, props.currency)})
                </title>
                <line x1={g.cx} x2={g.cx} y1={y(g.lo95)} y2={y(g.hi95)} />
                {g.hi95 > yMax && (
                  // The 95% range runs above the chart: an arrowhead says it goes on.
                  <path
                    class="clip-mark"
                    data-clipped={g.model}
                    d={`M${g.cx - 3},${m.t + 4}L${g.cx},${m.t - 1}L${g.cx + 3},${m.t + 4}`}
                  />
                )}
                <rect
                  x={g.cx - boxW / 2}
                  width={boxW}
                  y={y(g.hi80)}
                  height={Math.max(y(g.lo80) - y(g.hi80), 1)}
                />
                <circle cx={g.cx} cy={y(g.point)} r={g.role === 'other' ? 2.5 : 4} />
              </g>
            )),
        )}
      </svg>
    </div>
  );
}

/** CSV header and rows of the comparison table. */
export function compareCsv(
  c: CompareCategory,
  currency: string,
): { header: string[]; rows: (string | number | null)[][] } {
  return {
    header: [
      'category_id',
      'category',
      'model',
      'model_version',
      'winner',
      'forecast',
      'lo80',
      'hi80',
      'lo95',
      'hi95',
      'currency',
      'mase',
      'wape',
      'smape',
      'ratio_to_seasonal_naive',
      'coverage80',
      'coverage95',
    ],
    rows: [...c.models]
      .sort(byMase)
      .map((m) => [
        c.categoryId,
        c.name,
        m.model,
        m.modelVersion,
        m.model === c.winner ? 'yes' : 'no',
        String(m.forecast),
        String(m.lo80),
        String(m.hi80),
        String(m.lo95),
        String(m.hi95),
        currency,
        m.metrics?.mase ?? null,
        m.metrics?.wape ?? null,
        m.metrics?.smape ?? null,
        ratioOf(m),
        m.metrics?.coverage80 ?? null,
        m.metrics?.coverage95 ?? null,
      ]),
  };
}

/** The next H periods of the category as a fan after its history, with the figures in a table. */
function PathSection(props: {
  path: CategoryPath | undefined;
  loading: boolean;
  unavailable: string | undefined;
  tf: Timeframe;
  name: string;
  buckets: readonly string[];
  values: readonly number[];
  lastIsPartial: boolean;
}) {
  const { path, tf } = props;
  if (!path)
    return props.loading ? (
      <Loading label="Loading the forecast of the next periods…" />
    ) : (
      <p class="muted">
        {props.unavailable ?? 'The forecast of the next periods is not available right now.'}
      </p>
    );
  const h = path.steps.length;
  if (h === 0) return <p class="muted">{path.reason ?? 'No forecast of the next periods yet.'}</p>;
  const first = periodLabel(tf, path.steps[0]!.bucketStart);
  const last = periodLabel(tf, path.steps[h - 1]!.bucketStart);
  const steps = fanSteps(path);
  const widest = steps[h - 1]!;
  return (
    <section class="path-section" aria-labelledby="path-heading" data-path-steps={h}>
      <div class="panel-head">
        <h3 id="path-heading">
          Next {h} {tf}s of {props.name}
        </h3>
      </div>
      <FanChart
        tf={tf}
        buckets={props.buckets}
        values={props.values}
        lastIsPartial={props.lastIsPartial}
        steps={steps}
        currency={path.currency}
        label={`Sales of ${props.name} per ${tf}, then the ${path.model} forecast for ${first} to ${last} with 80% and 95% ranges`}
        description={`The forecast line continues the history; the inner band holds the next ${tf}s' sales with 80% probability, the outer one with 95%. ${last}: ${formatMoney(widest.point, path.currency)}, 80% range ${formatMoney(widest.lo80, path.currency)} to ${formatMoney(widest.hi80, path.currency)}. The table below lists every ${tf}.`}
      />
      <ul class="legend" aria-hidden="true">
        <li>
          <span class="swatch swatch-history" /> Sales per {tf}
        </li>
        <li>
          <span class="swatch swatch-fan-line" /> Forecast ({path.model})
        </li>
        <li>
          <span class="swatch swatch-fan-80" /> 80% range
        </li>
        <li>
          <span class="swatch swatch-fan-95" /> 95% range
        </li>
      </ul>
      {path.children.length > 0 && (
        <p class="muted small">
          Includes its {path.children.length} sub-categor{path.children.length === 1 ? 'y' : 'ies'}: every{' '}
          {tf}&rsquo;s forecast is its own sales forecast plus theirs, so the numbers add up.
        </p>
      )}
      <details class="help">
        <summary>Forecast per {tf}</summary>
        <FanTable path={path} tf={tf} />
      </details>
    </section>
  );
}

/** The comparison view. */
export function ComparePanel(props: {
  data: CompareModels | undefined;
  loading: boolean;
  unavailable: string | undefined;
  sales: CategorySales | undefined;
  salesLoading: boolean;
  tf: Timeframe;
  current: string;
  category: string | undefined;
  onCategory: (id: string) => void;
  model: string;
  onModel: (m: string) => void;
  merchantId: string;
  /** The next H periods of the selected category (the model in use). */
  path?: CategoryPath | undefined;
  pathLoading?: boolean;
  pathUnavailable?: string | undefined;
}) {
  const { data, tf } = props;
  if (tf === 'day') {
    return (
      <section class="panel" aria-labelledby="compare-heading" data-panel="compare">
        <h2 id="compare-heading">Compare models</h2>
        <EmptyState title="Forecasts are made for weeks, months and years.">
          <p>Switch the timeframe to Week, Month or Year to compare models.</p>
        </EmptyState>
      </section>
    );
  }
  const categories = data?.categories ?? [];
  const selected =
    categories.find((c) => c.categoryId === props.category) ?? (props.category ? undefined : categories[0]);
  const currency = data?.currency ?? 'USD';
  const target = data ? periodLabel(tf, data.targetBucketStart) : undefined;

  let body;
  if (!data && props.loading) body = <Loading label="Loading the model comparison…" />;
  else if (!data)
    body = (
      <EmptyState title="No comparison yet">
        <p>{props.unavailable ?? 'The model comparison is not available right now.'}</p>
      </EmptyState>
    );
  else if (categories.length === 0)
    body = (
      <EmptyState title="Not enough history to compare models yet">
        <p>Models can be compared once the shop has sold in a few {tf}s.</p>
      </EmptyState>
    );
  else if (!selected)
    body = (
      <EmptyState title={`No forecasts for category ${props.category ?? ''}`}>
        Pick another category above.
      </EmptyState>
    );
  else {
    // The winner leads even when another model ties its MASE (auto usually ties the model it picked).
    const models = [...selected.models].sort(
      (a, b) => Number(b.model === selected.winner) - Number(a.model === selected.winner) || byMase(a, b),
    );
    const role = (name: string): Role =>
      name === selected.winner ? 'winner' : name === props.model && props.model !== 'auto' ? 'used' : 'other';
    const series =
      props.sales?.series.find((s) => s.categoryId === selected.categoryId) ?? props.sales?.series[0];
    const buckets = props.sales?.buckets ?? [];
    const values = props.sales && series ? seriesTotals(buckets, series) : [];
    const csv = compareCsv(selected, currency);
    const glyphs = models.map((m) => ({
      model: m.model,
      point: Number(m.forecast),
      lo80: Number(m.lo80),
      hi80: Number(m.hi80),
      lo95: Number(m.lo95),
      hi95: Number(m.hi95),
      role: role(m.model),
    }));
    const ceiling = compareCeiling(values, glyphs);
    body = (
      <>
        {props.sales ? (
          <HistoryChart
            tf={tf}
            buckets={buckets}
            values={values}
            lastIsPartial={buckets[buckets.length - 1] === props.current}
            target={data.targetBucketStart}
            forecasts={glyphs}
            yMax={ceiling}
            currency={currency}
            label={`Sales of ${selected.name} per ${tf} for the last ${values.length} ${tf}s, and each model's forecast for ${target}; the best model is ${selected.winner ?? 'unknown'}. The table below lists the figures.`}
          />
        ) : props.salesLoading ? (
          <Loading label="Loading the sales history…" />
        ) : (
          <p class="muted">The sales history is not available right now.</p>
        )}
        <ul class="legend" aria-hidden="true">
          <li>
            <span class="swatch swatch-history" /> Sales per {tf}
          </li>
          <li>
            <span class="swatch swatch-winner" /> Best model ({selected.winner ?? '–'})
          </li>
          {props.model !== 'auto' && props.model !== selected.winner && (
            <li>
              <span class="swatch swatch-used" /> Used for the ranking ({props.model})
            </li>
          )}
          <li>
            <span class="swatch swatch-other" /> Other models (bar: 80% range, line: 95%)
          </li>
          {props.sales && glyphs.some((g) => g.hi95 > ceiling) && (
            <li>↑ 95% range goes on above the chart</li>
          )}
          {buckets[buckets.length - 1] === props.current && (
            <li>
              <span class="swatch swatch-partial" /> Current {tf} so far
            </li>
          )}
        </ul>
        <PathSection
          path={props.path?.categoryId === selected.categoryId ? props.path : undefined}
          loading={props.pathLoading ?? false}
          unavailable={props.pathUnavailable}
          tf={tf}
          name={selected.name}
          buckets={buckets}
          values={values}
          lastIsPartial={buckets[buckets.length - 1] === props.current}
        />
        <div class="panel-head">
          <h3>Models for {selected.name}</h3>
          <div class="panel-tools">
            <CsvButton
              label={`the model comparison for ${selected.name}`}
              fileName={csvFileName([
                props.merchantId,
                tf,
                data.targetBucketStart,
                selected.categoryId,
                'models',
              ])}
              header={csv.header}
              rows={() => csv.rows}
            />
          </div>
        </div>
        <TableWrap label={`Models for ${selected.name}`}>
          <table class="data-table" data-table="compare">
            <caption class="sr-only">
              Forecasts and backtest accuracy of every model for {selected.name}, {target}
            </caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" class="num">
                  Forecast
                </th>
                <th scope="col" class="num">
                  80% range
                </th>
                <th scope="col" class="num">
                  <abbr title="Mean absolute scaled error: below 1 beats a seasonal naive forecast">
                    MASE
                  </abbr>
                </th>
                <th scope="col" class="num">
                  <abbr title="Weighted absolute percentage error">WAPE</abbr>
                </th>
                <th scope="col" class="num">
                  <abbr title="Symmetric mean absolute percentage error">sMAPE</abbr>
                </th>
                <th scope="col" class="num">
                  vs seasonal naive
                </th>
                <th scope="col">
                  <span class="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => {
                const ratio = ratioOf(m);
                const winner = m.model === selected.winner;
                return (
                  <tr key={m.model} class={winner ? 'winner' : undefined} data-model={m.model}>
                    <th scope="row">
                      {m.model}
                      {winner && <span class="badge badge-winner">best</span>}
                      <span class="muted small"> v{m.modelVersion}</span>
                    </th>
                    <td class="num">{formatMoney(m.forecast, currency)}</td>
                    <td class="num nowrap">
                      {formatMoneyCompact(m.lo80, currency)} – {formatMoneyCompact(m.hi80, currency)}
                    </td>
                    <td class="num">{formatMetric(m.metrics?.mase)}</td>
                    <td class="num">{formatMetricPercent(m.metrics?.wape)}</td>
                    <td class="num">{formatMetricPercent(m.metrics?.smape)}</td>
                    <td class={ratio !== null && ratio < 1 ? 'num good' : 'num'} title={ratioWords(ratio)}>
                      {ratio === null ? '–' : `${formatMetric(ratio)}×`}
                    </td>
                    <td>
                      {m.model === props.model ? (
                        <span class="in-use">In use</span>
                      ) : (
                        <button
                          type="button"
                          class="button button-small"
                          onClick={() => props.onModel(m.model)}
                        >
                          Use for ranking<span class="sr-only">: {m.model}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
        <details class="help">
          <summary>What do these numbers mean?</summary>
          <p>
            Each model forecast the past {tf}s one at a time, and its errors were measured.{' '}
            <strong>MASE</strong> below 1 means the model beat a &ldquo;same as last season&rdquo; guess;{' '}
            <strong>WAPE</strong> and <strong>sMAPE</strong> are typical errors in percent. &ldquo;vs seasonal
            naive&rdquo; below 1× means less error than that simple guess. The best model has the lowest error
            and is what &ldquo;auto&rdquo; uses.
          </p>
        </details>
      </>
    );
  }

  return (
    <section class="panel" aria-labelledby="compare-heading" data-panel="compare">
      <div class="panel-head">
        <h2 id="compare-heading">Compare models{target ? <> for {target}</> : null}</h2>
        {categories.length > 0 && (
          <div class="panel-tools">
            <div class="field field-inline">
              <label for="compare-category">Category</label>
              <select
                id="compare-category"
                value={selected?.categoryId ?? ''}
                onChange={(e) => props.onCategory(e.currentTarget.value)}
              >
                {!selected && <option value="">Choose a category</option>}
                {categories.map((c) => (
                  <option key={c.categoryId} value={c.categoryId}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
        )}
      </div>
      {body}
    </section>
  );
}
