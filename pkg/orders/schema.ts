import { z } from 'zod';
import { currencyCode, platformId, safeText } from '../catalog/index.js';

/** Most items one order may have. */
export const MAX_ITEMS_PER_ORDER = 1000;
/** Most orders one batch request may have. */
export const MAX_ORDERS_PER_BATCH = 1000;
/** Largest quantity of one order line (the schema's CHECK). */
export const MAX_QUANTITY = 1_000_000;

// Same grammar as pkg/money's parser; checked here so a malformed amount is a 400 naming the field,
// while "more decimals than the currency allows" stays a 422 decided once the currency is known.
const DECIMAL = /^(0|[1-9][0-9]{0,17})(?:\.[0-9]{1,18})?$/;

/** One line of an order request. */
export const orderItemInputSchema = z.object({
  productId: platformId,
  quantity: z
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`),
  unitPrice: z
    .string({ error: 'must be a decimal string such as "19.99"' })
    .regex(DECIMAL, 'must be a non-negative decimal string such as "19.99"'),
});

/** Body of `POST /v1/orders` (and each entry of a batch). */
export const orderInputSchema = z.object({
  merchantId: platformId,
  externalOrderId: safeText(128),
  placedAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2025-11-25T10:00:00Z' })
    .optional(),
  currency: currencyCode,
  items: z
    .array(orderItemInputSchema, { error: 'must be an array of items' })
    .min(1, 'must contain at least one item')
    .max(MAX_ITEMS_PER_ORDER, `must contain at most ${MAX_ITEMS_PER_ORDER} items`),
});

/** A syntactically valid order request. */
export type OrderInput = z.infer<typeof orderInputSchema>;
