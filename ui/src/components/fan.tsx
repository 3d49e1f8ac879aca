/** The forecast fan: a category's history line, then the next H periods with their 80% and 95% bands. */
import type { CategoryPath } from '../api/types.js';
import { fitAxisLabels, type AxisLabel } from '../lib/axis.js';
import { fanGeometry, niceMax, type FanStep } from '../lib/fan.js';
import { formatMetricPercent, formatMoney, formatMoneyCompact } from '../lib/format.js';
import { periodLabel, shortLabel, type Timeframe } from '../lib/period.js';
import { useWidth } from '../hooks.js';
import { TableWrap } from './common.js';

/** History line followed by the forecast fan of the next H periods. */
export function FanChart(props: {
  tf: Timeframe;
  buckets: readonly string[];
  values: readonly number[];
  /** True when the last bucket is still running: it is step 1 of the forecast, drawn as a hollow dot. */
  lastIsPartial: boolean;
  steps: readonly FanStep[];
  currency: string;
  label: string;
  /** Longer text for assistive technology (the figures are in the table below the chart). */
  description: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>(640);
  const W = Math.max(width, 280);
  const H = 260;
  const m = { l: 56, r: 12, t: 16, b: 30 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const full = props.lastIsPartial ? props.values.length - 1 : props.values.length;
  const hist = props.values.slice(0, full);
  const total = Math.max(hist.length + props.steps.length, 2);
  const xi = (i: number) => m.l + 4 + (i / (total - 1)) * (pw - 8);
  const yMax = niceMax(Math.max(...hist, ...props.steps.map((s) => s.hi95), 0) * 1.05);
  const y = (v: number) => m.t + ph - (Math.max(v, 0) / yMax) * ph;
  const line = hist.map((v, i) => `${i === 0 ? 'M' : 'L'}${xi(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const stepX = (j: number) => xi(hist.length + j);
  const anchor = hist.length > 0 ? { x: xi(hist.length - 1), y: y(hist[hist.length - 1]!) } : undefined;
  const fan = fanGeometry(anchor, props.steps, stepX, y);
  const zoneX = props.steps.length > 0 ? (anchor ? (anchor.x + stepX(0)) / 2 : stepX(0) - 4) : W - m.r;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((k) => k * yMax);
  // By importance: where the forecast starts, where the history starts, where the forecast ends;
  // on a phone the forecast zone is too narrow for both of its labels.
  const wanted: AxisLabel[] = [];
  if (props.steps.length > 0)
    wanted.push({ x: stepX(0), text: shortLabel(props.tf, props.steps[0]!.bucketStart), anchor: 'middle' });
  if (hist.length > 0)
    wanted.push({ x: xi(0), text: shortLabel(props.tf, props.buckets[0]!), anchor: 'start' });
  if (props.steps.length > 1) {
    const last = props.steps[props.steps.length - 1]!;
    wanted.push({
      x: stepX(props.steps.length - 1),
      text: shortLabel(props.tf, last.bucketStart),
      anchor: 'end',
    });
  }
  const labels = fitAxisLabels(wanted);
  const partialValue = props.lastIsPartial ? props.values[props.values.length - 1] : undefined;
  return (
    <div ref={ref} class="fan-chart">
      <svg
        width={W}
        height={H}
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby="fan-title fan-desc"
        focusable="false"
      >
        <title id="fan-title">{props.label}</title>
        <desc id="fan-desc">{props.description}</desc>
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
        <rect class="zone" x={zoneX} y={m.t} width={Math.max(W - m.r - zoneX, 0)} height={ph} />
        <g class="axis">
          {labels.map((l) => (
            <text key={`${l.anchor}${l.text}`} x={l.x} y={H - 10} text-anchor={l.anchor}>
              {l.text}
            </text>
          ))}
        </g>
        {fan.band95 && <path class="fan-95" d={fan.band95} />}
        {fan.band80 && <path class="fan-80" d={fan.band80} />}
        <path class="history-line" d={line} />
        {fan.line && <path class="fan-line" d={fan.line} />}
        {props.steps.map((s, j) => (
          <circle
            key={s.bucketStart}
            class="fan-dot"
            cx={stepX(j)}
            cy={y(s.point)}
            r={props.steps.length > 30 ? 1.5 : 2.5}
          >
            <title>
              {periodLabel(props.tf, s.bucketStart)}: {formatMoney(s.point, props.currency)} (80%:{' '}
              {formatMoney(s.lo80, props.currency)} – {formatMoney(s.hi80, props.currency)}; 95%:{' '}
              {formatMoney(s.lo95, props.currency)} – {formatMoney(s.hi95, props.currency)})
            </title>
          </circle>
        ))}
        {partialValue !== undefined && props.steps.length > 0 && (
          <circle class="history-dot partial" cx={stepX(0)} cy={y(partialValue)} r="3">
            <title>
              {periodLabel(props.tf, props.steps[0]!.bucketStart)} so far:{' '}
              {formatMoney(partialValue, props.currency)}
            </title>
          </circle>
        )}
      </svg>
    </div>
  );
}

/** The path's figures as a table: what the fan shows, readable without the chart. */
export function FanTable(props: { path: CategoryPath; tf: Timeframe }) {
  const { path, tf } = props;
  return (
    <TableWrap label={`Forecast per ${tf} for ${path.name}`}>
      <table class="data-table" data-table="path">
        <caption class="sr-only">
          Forecast of {path.name} for the next {path.steps.length} {tf}s with 80% and 95% ranges ({path.model}
          )
        </caption>
        <thead>
          <tr>
            <th scope="col">{tf[0]!.toUpperCase() + tf.slice(1)}</th>
            <th scope="col" class="num">
              Forecast
            </th>
            <th scope="col" class="num">
              80% range
            </th>
            <th scope="col" class="num">
              95% range
            </th>
            <th scope="col" class="num">
              <abbr title="Weighted absolute percentage error of past forecasts this many periods ahead">
                WAPE
              </abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          {path.steps.map((s) => (
            <tr key={s.bucketStart} data-step={s.step}>
              <th scope="row">{periodLabel(tf, s.bucketStart)}</th>
              <td class="num">{formatMoney(s.forecast, path.currency)}</td>
              <td class="num nowrap">
                {formatMoneyCompact(s.lo80, path.currency)} – {formatMoneyCompact(s.hi80, path.currency)}
              </td>
              <td class="num nowrap">
                {formatMoneyCompact(s.lo95, path.currency)} – {formatMoneyCompact(s.hi95, path.currency)}
              </td>
              <td class="num">{formatMetricPercent(s.accuracy.wape)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
