/** "What sold most": the ranked bar chart and the table of the selected period. */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { TopCategories, TopCategory } from '../api/types.js';
import { csvFileName } from '../lib/csv.js';
import {
  changeFraction,
  decimalsOf,
  formatChange,
  formatMoney,
  formatShare,
  minorToDecimal,
} from '../lib/format.js';
import { groupByParent, hasHierarchy, humanizeId } from '../lib/hierarchy.js';
import { periodLabel, type Timeframe } from '../lib/period.js';
import { CsvButton, EmptyState, Loading, TableWrap } from './common.js';

const CHART_ROWS = 10;

/** "2026-03-23T10:00" -> "Mon 23 Mar, 10:00" (a wall time of the merchant's zone, shown as is). */
function formatLocal(wall: string): string {
  const [date = '', time = ''] = wall.split('T');
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return wall;
  const day = d.toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  return `${day}, ${time}`;
}

/** One bar of the ranked chart. */
interface Bar {
  readonly id: string;
  readonly name: string;
  readonly total: string;
  readonly share: number;
}

/** A ranked horizontal bar chart; the table below carries the same numbers for screen readers. */
export function BarChart(props: { bars: readonly Bar[]; currency: string; label: string }) {
  const max = Math.max(...props.bars.map((b) => Number(b.total)), 0);
  return (
    <figure class="bar-chart" role="img" aria-label={props.label}>
      <ol aria-hidden="true">
        {props.bars.map((b) => (
          <li key={b.id} class="bar-row">
            <span class="bar-name" title={b.name}>
              {b.name}
            </span>
            <svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" focusable="false">
              <rect
                class="bar-fill"
                x="0"
                y="0"
                height="10"
                width={max > 0 ? Math.max((Number(b.total) / max) * 100, 0.5) : 0}
              />
            </svg>
            <span class="bar-value">{formatMoney(b.total, props.currency)}</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}

function ChangeCell({ current, previous }: { current: string; previous: string }) {
  const f = changeFraction(current, previous);
  const cls = f === null ? 'change' : f > 0 ? 'change up' : f < 0 ? 'change down' : 'change';
  return <td class={cls}>{formatChange(current, previous)}</td>;
}

/** CSV header and rows of the top-categories table. */
export function topCategoriesCsv(data: TopCategories): {
  header: string[];
  rows: (string | number | null)[][];
} {
  return {
    header: [
      'rank',
      'category_id',
      'category',
      'parent_category_id',
      'total',
      'currency',
      'share',
      'previous_total',
      'change',
      'orders',
      'items',
      'period_start',
      'period_type',
    ],
    rows: data.categories.map((c) => [
      c.rank,
      c.categoryId,
      c.name,
      c.parentCategoryId,
      c.total,
      data.currency,
      c.share,
      c.previousTotal,
      changeFraction(c.total, c.previousTotal),
      c.orderCount,
      c.itemCount,
      data.bucketStart,
      data.bucketType,
    ]),
  };
}

/** The top-categories section. */
export function TopCategoriesPanel(props: {
  data: TopCategories | undefined;
  loading: boolean;
  tf: Timeframe;
  period: string;
  isCurrent: boolean;
  merchantId: string;
  hasSales: boolean | undefined;
  group: boolean;
  onGroup: (group: boolean) => void;
  onGoCurrent: () => void;
}) {
  const { data, tf, period } = props;
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const label = periodLabel(tf, period);
  const currency = data?.currency ?? 'USD';
  const rows = data?.categories ?? [];
  const hierarchy = hasHierarchy(rows);
  const grouped = props.group && hierarchy;
  const decimals = rows[0] ? decimalsOf(rows[0].total) : 2;
  const groups = grouped ? groupByParent(rows, decimals) : [];
  const bars: Bar[] = grouped
    ? groups
        .slice(0, CHART_ROWS)
        .map((g) => ({ id: g.categoryId, name: g.name, total: g.total, share: g.share }))
    : rows
        .slice(0, CHART_ROWS)
        .map((c) => ({ id: c.categoryId, name: c.name, total: c.total, share: c.share }));
  const parentName = (c: TopCategory) =>
    c.parentCategoryId
      ? (c.parentName ??
        rows.find((r) => r.categoryId === c.parentCategoryId)?.name ??
        humanizeId(c.parentCategoryId))
      : '';
  const csv = data ? topCategoriesCsv(data) : undefined;

  let body;
  if (!data && props.loading) body = <Loading label="Loading top categories…" />;
  else if (!data) body = <EmptyState title="Top categories are not available right now." />;
  else if (rows.length === 0) {
    body =
      props.hasSales === false ? (
        <EmptyState title="No sales yet">
          <p>
            This shop has no orders yet. As soon as orders arrive, the best-selling categories show up here.
          </p>
        </EmptyState>
      ) : (
        <EmptyState title={`No sales in ${label}`}>
          {!props.isCurrent && (
            <button type="button" class="button" onClick={props.onGoCurrent}>
              Go to the current {tf}
            </button>
          )}
        </EmptyState>
      );
  } else {
    body = (
      <>
        <p class="summary-line">
          Total <strong data-period-total>{formatMoney(data.periodTotal ?? sum(rows), currency)}</strong>
          {props.isCurrent && ' so far'}
          {data.previousPeriodTotal !== undefined && (
            <span class="muted">
              {' '}
              · {formatChange(data.periodTotal ?? '0', data.previousPeriodTotal)} vs previous {tf}
              {data.comparison?.kind === 'like_for_like' && (
                <span data-comparison="like-for-like">
                  {' '}
                  to the same time ({formatLocal(data.comparison.previousToLocal)})
                </span>
              )}
            </span>
          )}
        </p>
        <BarChart
          bars={bars}
          currency={currency}
          label={`Bar chart of the ${bars.length} best-selling ${grouped ? 'parent categories' : 'categories'} in ${label}; the table below lists the same figures.`}
        />
        <TableWrap label={`Top categories, ${label}`}>
          <table class="data-table" data-table="top-categories">
            <caption class="sr-only">Top categories, {label}</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  #
                </th>
                <th scope="col">Category</th>
                <th scope="col" class="num">
                  Total
                </th>
                <th scope="col" class="num">
                  Share
                </th>
                <th scope="col" class="num">
                  vs prev. {tf}
                </th>
              </tr>
            </thead>
            <tbody>
              {grouped
                ? groups.map((g, i) => {
                    const expanded = open.has(g.categoryId);
                    const toggle = () => {
                      const next = new Set(open);
                      if (expanded) next.delete(g.categoryId);
                      else next.add(g.categoryId);
                      setOpen(next);
                    };
                    return (
                      <Fragment key={g.categoryId}>
                        <tr class="group-row">
                          <td class="num">{i + 1}</td>
                          <th scope="row">
                            <button
                              type="button"
                              class="disclosure"
                              aria-expanded={expanded}
                              aria-label={`${g.name}: ${expanded ? 'hide' : 'show'} its ${g.children.length} categories`}
                              onClick={toggle}
                            >
                              <span aria-hidden="true" class="chevron">
                                {expanded ? '▾' : '▸'}
                              </span>
                              {g.name}
                            </button>
                          </th>
                          <td class="num">{formatMoney(g.total, currency)}</td>
                          <td class="num">{formatShare(g.share)}</td>
                          <ChangeCell current={g.total} previous={g.previousTotal} />
                        </tr>
                        {expanded &&
                          g.children.map((c) => (
                            <tr key={c.categoryId} class="child-row">
                              <td class="num muted">{c.rank}</td>
                              <th scope="row" class="child-name">
                                {c.name}
                              </th>
                              <td class="num">{formatMoney(c.total, currency)}</td>
                              <td class="num">{formatShare(c.share)}</td>
                              <ChangeCell current={c.total} previous={c.previousTotal} />
                            </tr>
                          ))}
                      </Fragment>
                    );
                  })
                : rows.map((c) => (
                    <tr key={c.categoryId}>
                      <td class="num">{c.rank}</td>
                      <th scope="row">
                        {c.name}
                        {c.parentCategoryId && <span class="parent-name">{parentName(c)}</span>}
                      </th>
                      <td class="num">{formatMoney(c.total, currency)}</td>
                      <td class="num">{formatShare(c.share)}</td>
                      <ChangeCell current={c.total} previous={c.previousTotal} />
                    </tr>
                  ))}
            </tbody>
          </table>
        </TableWrap>
      </>
    );
  }

  return (
    <section class="panel" aria-labelledby="top-heading" data-panel="top-categories">
      <div class="panel-head">
        <h2 id="top-heading">Top categories</h2>
        <div class="panel-tools">
          {hierarchy && (
            <label class="check">
              <input
                type="checkbox"
                checked={props.group}
                onChange={(e) => props.onGroup(e.currentTarget.checked)}
              />
              Group by parent
            </label>
          )}
          {csv && rows.length > 0 && (
            <CsvButton
              label={`the top categories of ${label}`}
              fileName={csvFileName([props.merchantId, tf, period, 'top-categories'])}
              header={csv.header}
              rows={() => csv.rows}
            />
          )}
        </div>
      </div>
      {body}
    </section>
  );
}

function sum(rows: readonly TopCategory[]): string {
  let minor = 0n;
  for (const r of rows) minor += BigInt(r.totalMinor);
  return minorToDecimal(minor, rows[0] ? decimalsOf(rows[0].total) : 2);
}
