import { formatAmount } from '../money/index.js';
import type { StoredOrder } from './store.js';

/** One order line in its JSON shape. */
export interface OrderItemView {
  readonly lineNo: number;
  readonly productId: string;
  /** The product's category when the order was accepted. */
  readonly categoryId: string;
  readonly quantity: number;
  readonly unitPrice: string;
  readonly amount: string;
}

/** An order in its JSON shape: amounts as decimal strings in the order's currency. */
export interface OrderView {
  readonly id: string;
  readonly merchantId: string;
  readonly externalOrderId: string;
  readonly placedAt: string;
  readonly currency: string;
  readonly total: string;
  readonly itemCount: number;
  readonly items: readonly OrderItemView[];
  readonly createdAt: string;
}

/** An order without its items, as a batch answers it (GET /v1/orders/{id} has the rest). */
export type OrderSummaryView = Omit<OrderView, 'items'>;

/** Renders the summary of a stored order. */
export function toOrderSummary(order: StoredOrder): OrderSummaryView {
  return {
    id: order.id,
    merchantId: order.merchantId,
    externalOrderId: order.externalOrderId,
    placedAt: order.placedAt.toISOString(),
    currency: order.currency,
    total: formatAmount(order.totalMinor, order.currency),
    itemCount: order.lines.length,
    createdAt: order.createdAt.toISOString(),
  };
}

/** Renders a stored order for the API. */
export function toOrderView(order: StoredOrder): OrderView {
  return {
    id: order.id,
    merchantId: order.merchantId,
    externalOrderId: order.externalOrderId,
    placedAt: order.placedAt.toISOString(),
    currency: order.currency,
    total: formatAmount(order.totalMinor, order.currency),
    itemCount: order.lines.length,
    items: order.lines.map((l) => ({
      lineNo: l.lineNo,
      productId: l.productId,
      categoryId: l.categoryId,
      quantity: l.quantity,
      unitPrice: formatAmount(l.unitPriceMinor, order.currency),
      amount: formatAmount(l.amountMinor, order.currency),
    })),
    createdAt: order.createdAt.toISOString(),
  };
}
