import type { SimOrder } from './history.js';
import type { Prng } from './prng.js';

/** Ways {@link makeInvalidOrder} breaks an order; each must earn a 4xx from ingest and store nothing. */
export const INVALID_KINDS = [
  'unknown-product',
  'unknown-merchant',
  'currency-mismatch',
  'too-many-decimals',
  'zero-quantity',
  'negative-price',
  'no-items',
  'far-future',
] as const;
/** One way of breaking an order. */
export type InvalidKind = (typeof INVALID_KINDS)[number];

/** Turns a valid order into a deliberately invalid one of `kind`, with a fresh `externalOrderId`. */
export function makeInvalidOrder(
  base: SimOrder,
  kind: InvalidKind,
  externalOrderId: string,
  nowMs: number,
): SimOrder {
  const order = { ...base, externalOrderId };
  const [first, ...rest] = base.items;
  if (first === undefined) return { ...order, items: [] };
  switch (kind) {
    case 'unknown-product':
      return { ...order, items: [{ ...first, productId: 'sim-no-such-product' }, ...rest] };
    case 'unknown-merchant':
      return { ...order, merchantId: 'sim-no-such-merchant' };
    case 'currency-mismatch':
      return { ...order, currency: base.currency === 'USD' ? 'EUR' : 'USD' };
    case 'too-many-decimals': {
      // One decimal more than any currency of the catalog allows, e.g. "19.999" in EUR or "100.5" in JPY.
      const [whole, frac = ''] = first.unitPrice.split('.');
      return { ...order, items: [{ ...first, unitPrice: `${whole}.${frac}5` }, ...rest] };
    }
    case 'zero-quantity':
      return { ...order, items: [{ ...first, quantity: 0 }, ...rest] };
    case 'negative-price':
      return { ...order, items: [{ ...first, unitPrice: `-${first.unitPrice}` }, ...rest] };
    case 'no-items':
      return { ...order, items: [] };
    case 'far-future':
      return { ...order, placedAt: new Date(nowMs + 2 * 86_400_000).toISOString() };
  }
}

/**
 * Orders that ingest has acknowledged, kept for replaying. Bounded: once full, a new order replaces a
 * random old one, so replays reach back over the whole run with flat memory.
 */
export class ReplayPool {
  readonly #orders: SimOrder[] = [];
  constructor(
    readonly capacity: number,
    private readonly rng: Prng,
  ) {}

  /** Remembers an acknowledged order. */
  add(order: SimOrder): void {
    if (this.#orders.length < this.capacity) this.#orders.push(order);
    else this.#orders[this.rng.int(0, this.capacity - 1)] = order;
  }

  /** An acknowledged order to send again unchanged, or undefined when none is known yet. */
  pick(): SimOrder | undefined {
    return this.#orders.length === 0 ? undefined : this.rng.pick(this.#orders);
  }

  /** Number of orders held. */
  get size(): number {
    return this.#orders.length;
  }
}
