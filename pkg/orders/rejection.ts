/** One offending field of a rejected order, e.g. `items.3.productId`. */
export interface OrderFieldError {
  readonly field: string;
  readonly message: string;
}

/** Why an order was refused; the label of the rejected-orders counter. */
export type RejectReason =
  | 'malformed'
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'unknown_merchant'
  | 'unknown_product'
  | 'currency_mismatch'
  | 'amount_precision'
  | 'amount_overflow'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rejected_by_database';

/** Every reject reason, for pre-initialising metric label sets. */
export const REJECT_REASONS: readonly RejectReason[] = [
  'malformed',
  'invalid',
  'unauthorized',
  'forbidden',
  'unknown_merchant',
  'unknown_product',
  'currency_mismatch',
  'amount_precision',
  'amount_overflow',
  'conflict',
  'too_large',
  'unsupported_media_type',
  'rejected_by_database',
];

// A hostile order can have thousands of bad fields; a problem document listing all of them helps nobody.
const MAX_REPORTED_ERRORS = 50;

/** A refused order: HTTP status, reason, a one-line detail and every offending field (capped at 50). */
export class OrderRejection extends Error {
  override name = 'OrderRejection';
  readonly errors: readonly OrderFieldError[];
  /** How many field errors were left out of `errors`. */
  readonly omittedErrors: number;
  /** Extra members of the problem document (e.g. the id of the conflicting order). */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    readonly status: number,
    readonly reason: RejectReason,
    readonly title: string,
    errors: readonly OrderFieldError[],
    options: { detail?: string; extensions?: Readonly<Record<string, unknown>> } = {},
  ) {
    const shown = errors.slice(0, MAX_REPORTED_ERRORS);
    const omitted = errors.length - shown.length;
    super(
      options.detail ??
        shown.map((e) => `${e.field}: ${e.message}`).join('; ') +
          (omitted > 0 ? `; and ${omitted} more` : ''),
    );
    this.errors = shown;
    this.omittedErrors = omitted;
    this.extensions = options.extensions ?? {};
  }

  /** The detail sentence of the problem document. */
  get detail(): string {
    return this.message;
  }
}
